/**
 * A PostgreSQL session through postgres.js. Every statement runs read-only under a
 * statement timeout, twice over: the session starts with
 * `default_transaction_read_only=on` and `statement_timeout`, and each statement is sent as `BEGIN READ ONLY; SET LOCAL statement_timeout = …` + the statement + `COMMIT`,
 * pipelined on one connection (one round trip). Statements go through the extended
 * protocol, where PostgreSQL itself refuses more than one statement. Every session has
 * `standard_conforming_strings` on, whatever the role or database default, so the server
 * reads user SQL's strings exactly as the guard's parser did. A superuser connection is
 * reported as a warning.
 *
 * Connecting has a deadline of Kontra's own (`connect_timeout`, default 10 s) and at most
 * {@linkcode MAX_CONNECT_ATTEMPTS} attempts: postgres.js 3.4.9 reconnects in a tight loop,
 * ignoring its `connect_timeout`, when the peer answers with bytes that are not the
 * PostgreSQL protocol (measured: 8,519 connections in 30 s).
 * @module
 */
import { connect as connectSocket, type Socket } from "node:net";
import postgres from "npm:postgres@3.4.9";
import { DataSourceError, describeError, KontractError, KontraError } from "../../core/errors.ts";
import { scrub } from "../../core/connection_uri.ts";
import type { SqlValue } from "../../sql/dialect.ts";
import type { ClientResult, SqlClient } from "../sql_source.ts";
import type { PostgresConfig } from "./config.ts";
import { postgresDialect } from "./dialect.ts";

/** Connections one client may open before the server has answered as PostgreSQL. */
export const MAX_CONNECT_ATTEMPTS = 3;

/** Runs statements on one connection (`max: 1`), read-only, pipelined. */
export class PostgresClient implements SqlClient {
  readonly dialect = postgresDialect;
  readonly #config: PostgresConfig;
  readonly #sql: postgres.Sql;
  readonly #connection: ConnectionWatch;

  constructor(config: PostgresConfig) {
    this.#config = config;
    this.#connection = new ConnectionWatch(config);
    this.#sql = connect(config, this.#connection);
  }

  async run(sql: string, params: SqlValue[]): Promise<ClientResult> {
    const db = this.#sql;
    try {
      // Pipelined: the three go out together and run in order on the one connection.
      const [, result] = await this.#connection.bound(
        db,
        Promise.all([
          db.unsafe(begin(this.#config), [], { prepare: false }).simple().execute(),
          db.unsafe(sql, params as postgres.ParameterOrJSON<never>[], EXTENDED).values().execute(),
          db.unsafe("COMMIT", [], { prepare: false }).simple().execute(),
        ]),
      );
      return {
        columns: (result.columns ?? []).map((column) => ({
          name: column.name,
          type: typeNameOf(column.type),
        })),
        rows: [...result] as unknown[][],
        // Statements with parameters are described first: one more round trip.
        roundTrips: params.length > 0 ? 2 : 1,
      };
    } catch (error) {
      throw this.#error(error);
    }
  }

  async *stream(sql: string, params: SqlValue[], batchRows: number): AsyncIterable<unknown[][]> {
    // Its own connection, so the caller may run other statements while it reads.
    const watch = new ConnectionWatch(this.#config);
    const db = connect(this.#config, watch);
    try {
      await watch.bound(db, db.unsafe(begin(this.#config), [], { prepare: false }).simple());
      const cursor = db.unsafe(sql, params as postgres.ParameterOrJSON<never>[], EXTENDED)
        .values().cursor(batchRows);
      for await (const rows of cursor) yield rows as unknown[][];
      await db.unsafe("COMMIT", [], { prepare: false }).simple();
    } catch (error) {
      throw this.#error(error);
    } finally {
      await db.end({ timeout: 5 }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 }).catch(() => {});
  }

  /**
   * A superuser connection, once connected: the server reports `is_superuser` (and the
   * role) when the session starts, so this costs no statement unless a proxy hid them.
   */
  async warnings(): Promise<string[]> {
    const reported = this.#sql.parameters as Record<string, string | undefined>;
    const superuser = reported.is_superuser ??
      String((await this.run("SELECT current_setting('is_superuser')", [])).rows[0]?.[0]);
    const role = reported.session_authorization ?? this.#config.user;
    return superuser === "on" ? [superuserWarning(role)] : [];
  }

  #error(error: unknown): KontraError {
    return postgresError(error, this.#config);
  }
}

/** The warning for a superuser connection: user SQL is checked, but the role is too strong. */
export function superuserWarning(role: string): string {
  return `connected to PostgreSQL as superuser ${role}: give Kontra a read-only role ` +
    "(see README Security)";
}

/** A database error as a Kontra error: one line, no secret, the exit code by its SQLSTATE. */
export function postgresError(
  error: unknown,
  config: Pick<PostgresConfig, "redacted" | "password" | "statementTimeoutMs">,
): KontraError {
  if (error instanceof KontraError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = scrub(describeError(error), [config.password]);
  const at = `${config.redacted}: `;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) {
    return new DataSourceError(`${at}cannot connect: ${message}`, 3);
  }
  if (code === "57014") {
    const seconds = config.statementTimeoutMs / 1000;
    return new DataSourceError(
      `${at}statement timed out after ${seconds}s (raise it with ?statement_timeout=SECONDS)`,
      3,
    );
  }
  if (/^(08|28|3D|57P)/.test(code)) {
    return new DataSourceError(`${at}cannot connect: ${message}`, 3);
  }
  if (code === "42501") return new DataSourceError(`${at}${message}`, 3);
  if (code === "25006") return new KontractError(`${at}SQL must not write: ${message}`);
  // Syntax, unknown names, invalid regular expressions, data errors in user SQL.
  if (/^(42|22|2F|0A)/.test(code)) return new KontractError(`${at}query failed: ${message}`);
  return new DataSourceError(`${at}query failed: ${message}`, 3);
}

/**
 * Kontra's own bound on connecting: the server must have answered as PostgreSQL (its
 * startup parameters arrive) within `connect_timeout`, after at most
 * {@linkcode MAX_CONNECT_ATTEMPTS} connections.
 */
class ConnectionWatch {
  readonly #config: PostgresConfig;
  #attempts = 0;
  #connected = false;

  constructor(config: PostgresConfig) {
    this.#config = config;
  }

  /** The server sent its startup parameters: connecting is over. */
  connected(): void {
    this.#connected = true;
  }

  /** A new socket for postgres.js, or an error once the attempts are used up. */
  socket(): Socket {
    const { host, port } = this.#config;
    if (!this.#connected && ++this.#attempts > MAX_CONNECT_ATTEMPTS) {
      throw new DataSourceError(
        `${this.#config.redacted}: cannot connect: the server did not answer as PostgreSQL ` +
          `(${MAX_CONNECT_ATTEMPTS} connections)`,
        3,
      );
    }
    return host.startsWith("/")
      ? connectSocket({ path: `${host}/.s.PGSQL.${port}` })
      : connectSocket({ host, port });
  }

  /**
   * `work`, bounded by the connect deadline until the connection is up; at the deadline
   * the client is ended (no further attempts) and the error names the bound.
   */
  async bound<T>(db: postgres.Sql, work: Promise<T>): Promise<T> {
    if (this.#connected) return await work;
    const seconds = this.#config.connectTimeoutS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.#connected) return;
        db.end({ timeout: 0 }).catch(() => {});
        reject(
          new DataSourceError(
            `${this.#config.redacted}: cannot connect: no PostgreSQL answer within ${seconds} s ` +
              "(raise it with ?connect_timeout=SECONDS)",
            3,
          ),
        );
      }, seconds * 1000);
    });
    work.catch(() => {}); // settled by the race; a late rejection is not unhandled
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function connect(config: PostgresConfig, watch: ConnectionWatch): postgres.Sql {
  // Every option is given, so postgres.js reads nothing from the process environment.
  return postgres({
    host: config.host,
    port: config.port,
    path: config.host.startsWith("/") ? `${config.host}/.s.PGSQL.${config.port}` : undefined,
    // Kontra's sockets: counted, so a peer that is not PostgreSQL cannot cause a loop.
    socket: () => watch.socket(),
    onparameter: () => watch.connected(),
    user: config.user,
    database: config.database,
    pass: () => config.password ?? "",
    ssl: config.ssl,
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    connect_timeout: config.connectTimeoutS,
    prepare: false,
    fetch_types: false,
    debug: false,
    onnotice: () => {},
    target_session_attrs: undefined,
    connection: {
      application_name: config.applicationName,
      default_transaction_read_only: true,
      statement_timeout: config.statementTimeoutMs,
      // The user-SQL guard's parser reads `'a\'` as libpg_query does: standard strings.
      standard_conforming_strings: "on",
    },
    // Dates and timestamps as PostgreSQL writes them: no local time zone guesses.
    types: {
      kontraDates: {
        to: 1184,
        from: [1082, 1114, 1184],
        serialize: (value: unknown) => String(value),
        parse: (value: string) => value,
      },
    },
  } as postgres.Options<Record<string, postgres.PostgresType>>);
}

/**
 * The extended protocol even without parameters (postgres.js would use the simple one):
 * PostgreSQL then refuses more than one statement in the text.
 */
const EXTENDED = { prepare: false, simple: false } as postgres.UnsafeQueryOptions;

function begin(config: PostgresConfig): string {
  // standard_conforming_strings again here: a pooler may not pass startup parameters on.
  return `BEGIN READ ONLY; SET LOCAL statement_timeout = ${config.statementTimeoutMs}; ` +
    "SET LOCAL standard_conforming_strings = on";
}

/** PostgreSQL type names of the OIDs a query's columns may have. */
const TYPE_OIDS: Record<number, string> = {
  16: "bool",
  17: "bytea",
  18: "char",
  19: "name",
  20: "int8",
  21: "int2",
  23: "int4",
  25: "text",
  26: "oid",
  114: "json",
  142: "xml",
  700: "float4",
  701: "float8",
  790: "money",
  1042: "bpchar",
  1043: "varchar",
  1082: "date",
  1083: "time",
  1114: "timestamp",
  1184: "timestamptz",
  1186: "interval",
  1266: "timetz",
  1700: "numeric",
  2950: "uuid",
  3802: "jsonb",
};

function typeNameOf(oid: number): string {
  return TYPE_OIDS[oid] ?? `oid:${oid}`;
}
