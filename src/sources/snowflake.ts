/**
 * Snowflake tables and queries: `snowflake://account/database/schema/table?warehouse=WH&role=R`,
 * or `snowflake://account/database[/schema]` with a `query:`. Credentials come from the
 * Kontract's environment: `SNOWFLAKE_USER` and `SNOWFLAKE_PASSWORD`, or key-pair auth with
 * `SNOWFLAKE_PRIVATE_KEY_PATH` (and `SNOWFLAKE_PRIVATE_KEY_PASSPHRASE` for an encrypted key).
 *
 * `?access_url=` / `SNOWFLAKE_ACCESS_URL` sends the driver to another endpoint than
 * `https://<account>.snowflakecomputing.com`: for tests (a local Snowflake-protocol
 * server) and proxies.
 *
 * The npm `snowflake-sdk` is imported only here, only when a snowflake:// source is
 * opened, with cloud platform detection off (it probes metadata addresses at import)
 * and its log file kept out of the working directory. Statements run with
 * `STATEMENT_TIMEOUT_IN_SECONDS` and `MULTI_STATEMENT_COUNT=1` as statement parameters;
 * Snowflake has no read-only transactions, so use a role that may only read.
 *
 * Logging in has a deadline of Kontra's own, `login_timeout` (default 60 s) in all: the
 * driver's own timeout applies per request and its retries add up (measured:
 * `login_timeout=10` took 37 s).
 * @module
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection, ConnectionOptions, RowStatement } from "snowflake-sdk";
import { registerSecret } from "../core/secrets.ts";
import { DataSourceError, KontractError, KontraError } from "../errors.ts";
import type { Environment } from "../kontract/env.ts";
import type { SqlValue } from "../sql/dialect.ts";
import { snowflakeDialect } from "../sql/snowflake.ts";
import { parseConnectionUri, scrub, secondsParam, statementTimeoutS } from "./connection_uri.ts";
import {
  type ClientResult,
  LoggedSqlAccess,
  type OpenedRelation,
  openSqlSource,
  type QueryOptions,
  type SqlClient,
  type SqlSource,
  tableFromCatalog,
} from "./sql_source.ts";

type SnowflakeSdk = typeof import("snowflake-sdk");

/** Query parameters a snowflake:// URI may carry. */
const PARAMS = ["warehouse", "role", "access_url", "statement_timeout", "login_timeout"] as const;

const DEFAULT_LOGIN_TIMEOUT_S = 60;

/** How to reach Snowflake, after the URI and the environment are merged. */
export interface SnowflakeConfig {
  options: ConnectionOptions;
  /** `[database, schema?, table?]` from the path. */
  path: string[];
  statementTimeoutS: number;
  /** Logging in, retries included, ends within this. */
  loginTimeoutS: number;
  /** Secrets to scrub from messages. */
  secrets: string[];
  /** The URI without secrets, for output. */
  redacted: string;
}

/** Merges the URI with the `SNOWFLAKE_*` variables of `env`. */
export function snowflakeConfig(uri: string, env: Environment): SnowflakeConfig {
  const parsed = parseConnectionUri(uri, PARAMS);
  const { segments: path, params, redacted } = parsed;
  if (!parsed.host) throw new DataSourceError(`${redacted}: the account is missing`, 2);
  if (path.length < 1 || path.length > 3 || path.some((part) => part === "")) {
    throw new DataSourceError(
      `${redacted}: expected snowflake://account/database/schema/table (or …/database[/schema] with a query:)`,
      2,
    );
  }
  const user = parsed.user ?? env.SNOWFLAKE_USER;
  if (!user) throw new DataSourceError(`${redacted}: set SNOWFLAKE_USER`, 3);
  const password = parsed.password ?? env.SNOWFLAKE_PASSWORD;
  const keyPath = env.SNOWFLAKE_PRIVATE_KEY_PATH;
  const keyPass = env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE;
  registerSecret(password);
  registerSecret(env.SNOWFLAKE_PASSWORD);
  registerSecret(keyPass);
  registerPrivateKey(keyPath, redacted);
  if (!password && !keyPath) {
    throw new DataSourceError(
      `${redacted}: set SNOWFLAKE_PASSWORD, or SNOWFLAKE_PRIVATE_KEY_PATH for key-pair auth`,
      3,
    );
  }
  const auth: Partial<ConnectionOptions> = keyPath && !parsed.password
    ? {
      authenticator: "SNOWFLAKE_JWT",
      privateKeyPath: keyPath,
      ...(keyPass ? { privateKeyPass: keyPass } : {}),
    }
    : { password };
  const accessUrl = params.get("access_url") ?? env.SNOWFLAKE_ACCESS_URL;
  const warehouse = params.get("warehouse") ?? env.SNOWFLAKE_WAREHOUSE;
  const role = params.get("role") ?? env.SNOWFLAKE_ROLE;
  const loginTimeoutS = secondsParam(
    params.get("login_timeout"),
    DEFAULT_LOGIN_TIMEOUT_S,
    "login_timeout",
    redacted,
  );
  return {
    options: {
      account: parsed.host,
      username: user,
      ...auth,
      database: path[0],
      ...(path[1] === undefined ? {} : { schema: path[1] }),
      ...(warehouse ? { warehouse } : {}),
      ...(role ? { role } : {}),
      ...(accessUrl ? { accessUrl } : {}),
      clientSessionKeepAlive: false,
      // A refused or unreachable endpoint fails in seconds, not after minutes of retries.
      sfRetryMaxLoginRetries: 2,
      timeout: Math.round(loginTimeoutS * 1000),
    } as ConnectionOptions,
    path,
    statementTimeoutS: statementTimeoutS(params, redacted),
    loginTimeoutS,
    secrets: [password, keyPass].filter((secret): secret is string => Boolean(secret)),
    redacted,
  };
}

/** The largest private key file read (a PEM key is a few KB). */
const MAX_PRIVATE_KEY_BYTES = 1024 * 1024;

/**
 * Registers the private key the driver will read: the whole PEM text and each line of its
 * body, so no part of it is printed should a message ever quote it. A key that cannot be
 * read is the driver's to report; one that is not a regular file of at most 1 MB (a
 * device, a named pipe) is refused here, before the driver reads it without bound.
 */
function registerPrivateKey(path: string | undefined, redacted: string): void {
  if (!path) return;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return;
  }
  if (!info.isFile || info.size > MAX_PRIVATE_KEY_BYTES) {
    throw new DataSourceError(
      `${redacted}: SNOWFLAKE_PRIVATE_KEY_PATH must name a key file (a regular file of at ` +
        "most 1 MB)",
      2,
    );
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return;
  }
  registerSecret(text);
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith("-----")) registerSecret(line);
  }
}

let sdk: Promise<SnowflakeSdk> | undefined;

/**
 * The driver, loaded on first use. Platform detection is turned off before the import
 * (it probes cloud metadata addresses otherwise); logging is off and its file, should
 * one be written, goes to the temporary directory, never the working directory.
 */
export function loadSnowflakeSdk(): Promise<SnowflakeSdk> {
  sdk ??= (async () => {
    Deno.env.set("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true");
    const module = await import("snowflake-sdk");
    const loaded = ((module as { default?: SnowflakeSdk }).default ?? module) as SnowflakeSdk;
    loaded.configure({
      logLevel: "OFF",
      logFilePath: join(tmpdir(), "kontra-snowflake-sdk.log"),
      additionalLogToConsole: false,
    });
    return loaded;
  })();
  return sdk;
}

/** Opens a table (named in the URI) or a `query:` over the database the URI names. */
export async function openSnowflake(
  uri: string,
  options: { env: Environment; query?: string },
): Promise<SqlSource> {
  const config = snowflakeConfig(uri, options.env);
  const label = config.redacted;
  if (options.query === undefined && config.path.length !== 3) {
    throw new DataSourceError(
      `${label}: name a table (snowflake://account/database/schema/table) or give a query:`,
      2,
    );
  }
  if (options.query !== undefined && config.path.length === 3) {
    throw new DataSourceError(
      `${label}: a query: datasource names the database (and schema) only`,
      2,
    );
  }
  // Checked before connecting: unqualified names in a query: resolve in this namespace.
  const refused = snowflakeDialect.guard.refuseRelation(config.path);
  if (refused) throw new KontractError(`datasource: ${refused}`);
  const client = await SnowflakeClient.connect(config);
  return await openSqlSource(
    client,
    label,
    options.query,
    () => openTable(client, config.path, label),
    QUERY_OPTIONS,
  );
}

/** One logged-in session. */
export class SnowflakeClient implements SqlClient {
  readonly dialect = snowflakeDialect;
  readonly #connection: Connection;
  readonly #config: SnowflakeConfig;

  private constructor(connection: Connection, config: SnowflakeConfig) {
    this.#connection = connection;
    this.#config = config;
  }

  /**
   * Logs in within `loginTimeoutS` in all; any failure is a DataSourceError (exit 3)
   * without secrets.
   */
  static async connect(config: SnowflakeConfig): Promise<SnowflakeClient> {
    const snowflake = await loadSnowflakeSdk();
    let connection: Connection | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      connection = snowflake.createConnection(config.options);
      const loggedIn = new Promise<void>((resolve, reject) =>
        connection!.connect((error) => error ? reject(error) : resolve())
      );
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LoginTimeout(config.loginTimeoutS)),
          config.loginTimeoutS * 1000,
        );
      });
      loggedIn.catch(() => {}); // settled by the race; a late failure is not unhandled
      await Promise.race([loggedIn, deadline]);
    } catch (error) {
      // Stop the driver's own retries: nothing may outlive the deadline.
      if (error instanceof LoginTimeout) connection?.destroy(() => {});
      throw new DataSourceError(
        `${config.redacted}: cannot connect: ${messageOf(error, config.secrets)}`,
        3,
      );
    } finally {
      clearTimeout(timer);
    }
    return new SnowflakeClient(connection, config);
  }

  run(sql: string, params: SqlValue[]): Promise<ClientResult> {
    return new Promise((resolve, reject) => {
      this.#connection.execute({
        sqlText: sql,
        binds: params,
        rowMode: "array",
        parameters: this.#parameters(),
        complete: (error, statement, rows) => {
          if (error) return reject(this.#error(error));
          resolve({
            columns: columnsOf(statement),
            rows: (rows ?? []) as unknown[][],
            roundTrips: 1,
          });
        },
      });
    });
  }

  async *stream(sql: string, params: SqlValue[], batchRows: number): AsyncIterable<unknown[][]> {
    let statement!: RowStatement;
    await new Promise<void>((resolve, reject) => {
      statement = this.#connection.execute({
        sqlText: sql,
        binds: params,
        rowMode: "array",
        streamResult: true,
        // Numbers as text: 64-bit integers and NUMBER(38) stay exact.
        fetchAsString: ["Number"],
        parameters: this.#parameters(),
        complete: (error) => error ? reject(this.#error(error)) : resolve(),
      }) as RowStatement;
    });
    let batch: unknown[][] = [];
    try {
      for await (const row of statement.streamRows()) {
        batch.push(row as unknown[]);
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      throw this.#error(error);
    }
    if (batch.length > 0) yield batch;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#connection.destroy(() => resolve()));
  }

  #parameters(): Record<string, number> {
    return {
      STATEMENT_TIMEOUT_IN_SECONDS: Math.max(1, Math.round(this.#config.statementTimeoutS)),
      MULTI_STATEMENT_COUNT: 1,
    };
  }

  #error(error: unknown): KontraError {
    return snowflakeError(error, this.#config);
  }
}

/** Logging in took longer than `login_timeout`. */
class LoginTimeout extends Error {
  constructor(seconds: number) {
    super(`no answer within ${seconds} s (raise it with ?login_timeout=SECONDS)`);
    this.name = "LoginTimeout";
  }
}

/** A driver error as a Kontra error: one line, secrets scrubbed, the exit code by its SQL state. */
export function snowflakeError(
  error: unknown,
  config: Pick<SnowflakeConfig, "redacted" | "secrets" | "statementTimeoutS">,
): KontraError {
  if (error instanceof KontraError) return error;
  const { code, sqlState } = error as { code?: unknown; sqlState?: unknown };
  const message = messageOf(error, config.secrets);
  const at = `${config.redacted}: `;
  const state = typeof sqlState === "string" ? sqlState : "";
  if (code === "000630" || code === 630) {
    return new DataSourceError(
      `${at}statement timed out after ${config.statementTimeoutS}s (raise it with ?statement_timeout=SECONDS)`,
      3,
    );
  }
  if (state === "42501") return new DataSourceError(`${at}${message}`, 3);
  if (/^(42|22|0A)/.test(state)) return new KontractError(`${at}query failed: ${message}`);
  // Driver errors without a SQL state are network trouble.
  if (state === "") return new DataSourceError(`${at}cannot reach Snowflake: ${message}`, 3);
  return new DataSourceError(`${at}query failed: ${message}`, 3);
}

/** Finds the table (exact names first, then Snowflake's upper-case folding). */
async function openTable(
  client: SnowflakeClient,
  path: string[],
  label: string,
): Promise<OpenedRelation> {
  const [, schema, name] = path;
  const catalog = new LoggedSqlAccess(client, { relation: "" });
  let result;
  try {
    result = await catalog.query(
      `SELECT CURRENT_DATABASE() AS "db", TABLE_SCHEMA AS "s", TABLE_NAME AS "t",
         COLUMN_NAME AS "c", DATA_TYPE AS "type", NUMERIC_SCALE AS "scale"
       FROM INFORMATION_SCHEMA.COLUMNS
       WHERE TABLE_SCHEMA IN (?, ?) AND TABLE_NAME IN (?, ?)
       ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
      [schema, schema.toUpperCase(), name, name.toUpperCase()],
    );
  } catch (error) {
    if (!(error instanceof KontractError)) throw error;
    throw new DataSourceError(`${label}: database not found or not readable: ${error.message}`, 2);
  }
  const columns = result.rows.map(([database, tableSchema, tableName, column, type, scale]) => ({
    table: [String(database), String(tableSchema), String(tableName)],
    name: String(column),
    dtype: polarsType(String(type), Number(scale)),
  }));
  return tableFromCatalog(
    client,
    catalog,
    columns,
    { schema, table: name },
    `${label}: table not found (or not readable by this role)`,
  );
}

/** A `query:` datasource's CTE and the Polars names of its result types. */
const QUERY_OPTIONS: QueryOptions = {
  polarsType: (type) => type === "decimal" ? "Decimal" : polarsType(type, 0),
};

/** A result's columns; `fixed` with a scale becomes `decimal`. */
function columnsOf(statement: unknown): { name: string; type: string }[] {
  const columns = (statement as RowStatement | undefined)?.getColumns?.() ?? [];
  return columns.map((column) => {
    const type = column.getType();
    return {
      name: column.getName(),
      type: type === "fixed" && column.getScale() > 0 ? "decimal" : type,
    };
  });
}

/** Snowflake types (catalog DATA_TYPE or result types) as Polars type names. */
export function polarsType(type: string, scale: number): string {
  const upper = type.toUpperCase();
  if (["NUMBER", "FIXED", "DECIMAL", "NUMERIC", "INT", "INTEGER", "BIGINT"].includes(upper)) {
    return scale > 0 ? "Decimal" : "Int64";
  }
  if (["FLOAT", "REAL", "DOUBLE", "FLOAT4", "FLOAT8"].includes(upper)) return "Float64";
  if (["TEXT", "VARCHAR", "STRING", "CHAR", "CHARACTER"].includes(upper)) return "String";
  if (upper === "BOOLEAN") return "Bool";
  if (upper === "DATE") return "Date";
  if (upper === "TIME") return "Time";
  if (upper.startsWith("TIMESTAMP")) return "Datetime";
  if (upper === "BINARY") return "Binary";
  if (upper === "ARRAY") return "List";
  return "Object";
}

/** A driver error's message on one line, secrets scrubbed. */
function messageOf(error: unknown, secrets: string[]): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n").map((part) => part.trim()).filter(Boolean).join(" ");
  return scrub(line || "unknown error", secrets);
}
