/**
 * Opening a MySQL/MariaDB connection the way every Kontra statement needs it, within
 * Kontra's own deadline (`connect_timeout`, default 10 s, for the handshake and the
 * session setup together):
 *
 * - `SET SESSION TRANSACTION READ ONLY`: every statement is its own read-only
 *   transaction, so the server refuses writes whatever the SQL says;
 * - the statement timeout: `max_statement_time` (seconds) on MariaDB,
 *   `max_execution_time` (milliseconds) on MySQL, told apart by the server's version;
 * - `sql_mode` = {@linkcode SQL_MODE}: NO_BACKSLASH_ESCAPES, so a string literal only
 *   doubles `'` (dialect.ts) and a backslash in a regular expression reaches it as
 *   written; ONLY_FULL_GROUP_BY, so a custom SELECT that groups loosely fails instead of
 *   counting rows the server picked at random; no ANSI_QUOTES, no PIPES_AS_CONCAT
 *   (`"` and `||` mean what MySQL's defaults say; the guard refuses both anyway);
 * - `time_zone = '+00:00'`: TIMESTAMP columns read as UTC; utf8mb4 as the connection's
 *   character set (the handshake's collation).
 *
 * Plus the bits mysql2 needs to be told: no LOAD DATA LOCAL (`-LOCAL_FILES`), no
 * client-side formatting of values (`queryFormat`), values as exact text.
 * @module
 */
import type { Connection, ConnectionOptions, FieldPacket } from "npm:mysql2@3.24.6";
import { unavailableError } from "../../core/errors.ts";
import type { Dialect, SqlValue } from "../../sql/dialect.ts";
import type { MysqlConfig } from "./config.ts";
import { mysqlError } from "./errors.ts";

/** The session's sql_mode; see the module comment for why each part. */
export const SQL_MODE = "NO_BACKSLASH_ESCAPES,ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES";

/** The part of mysql2 a session needs (the module, loaded by the caller). */
interface Driver {
  createConnection(options: ConnectionOptions): Connection;
}

/** A connected, set-up session, or a DataSourceError (exit 3) within the deadline. */
export async function openSession(driver: Driver, config: MysqlConfig): Promise<Connection> {
  const connection = driver.createConnection(connectionOptions(config));
  // Errors outside a statement (the server closing an idle connection) must not crash
  // the process; the next statement reports them.
  connection.on("error", () => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        unavailableError(
          `${config.redacted}: cannot connect: no MySQL answer within ${config.connectTimeoutS} s ` +
            "(raise it with ?connect_timeout=SECONDS)",
        ),
      );
    }, config.connectTimeoutS * 1000);
  });
  const setUp = (async () => {
    await new Promise<void>((resolve, reject) =>
      connection.connect((error: unknown) => error ? reject(error) : resolve())
    );
    for (const statement of sessionStatements(config, serverVersion(connection))) {
      await new Promise<void>((resolve, reject) =>
        connection.query(statement, (error: unknown) => error ? reject(error) : resolve())
      );
    }
  })();
  setUp.catch(() => {}); // settled by the race; a late failure is not unhandled
  try {
    await Promise.race([setUp, deadline]);
    return connection;
  } catch (error) {
    connection.destroy();
    (connection as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
    throw mysqlError(error, config, "connect");
  } finally {
    clearTimeout(timer);
  }
}

/** The statements that set a session up, for the server `version` names. */
export function sessionStatements(
  config: Pick<MysqlConfig, "statementTimeoutS">,
  version: string,
): string[] {
  const timeout = /mariadb/i.test(version)
    ? `max_statement_time = ${config.statementTimeoutS}`
    : `max_execution_time = ${Math.max(1, Math.round(config.statementTimeoutS * 1000))}`;
  return [
    `SET SESSION sql_mode = '${SQL_MODE}', time_zone = '+00:00', ${timeout}`,
    "SET SESSION TRANSACTION READ ONLY",
  ];
}

function serverVersion(connection: Connection): string {
  // The handshake's version string (MariaDB's says `…-MariaDB…`): no statement needed.
  const handshake = (connection as unknown as { _handshakePacket?: { serverVersion?: unknown } })
    ._handshakePacket;
  return String(handshake?.serverVersion ?? "");
}

function connectionOptions(config: MysqlConfig): ConnectionOptions {
  // Every option is given, so mysql2 reads nothing from the process environment.
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password ?? "",
    database: config.database,
    charset: "UTF8MB4_GENERAL_CI",
    // A second later than Kontra's own deadline, whose message says how to raise it.
    connectTimeout: Math.round(config.connectTimeoutS * 1000) + 1000,
    ssl: sslOptions(config.ssl),
    multipleStatements: false,
    flags: ["-LOCAL_FILES", "-MULTI_STATEMENTS"],
    rowsAsArray: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    // mysql2's own value formatting escapes with backslashes: never used.
    queryFormat: (sql: string) => sql,
    trace: false,
    enableKeepAlive: true,
  } as ConnectionOptions;
}

function sslOptions(mode: MysqlConfig["ssl"]): ConnectionOptions["ssl"] {
  switch (mode) {
    case "disabled":
      return undefined;
    case "required":
      return { rejectUnauthorized: false };
    case "verify_ca":
      // mysql2 checks the host name only when asked (verifyIdentity).
      return { rejectUnauthorized: true, verifyIdentity: false };
    case "verify_identity":
      return { rejectUnauthorized: true, verifyIdentity: true };
  }
}

/**
 * `sql` with each `?` outside quotes and comments replaced by the literal of the next
 * parameter. Only Kontra's own statements carry parameters.
 */
export function bindParams(sql: string, params: readonly SqlValue[], dialect: Dialect): string {
  if (params.length === 0) return sql;
  let out = "";
  let next = 0;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    const end = skipQuotedOrComment(sql, index);
    if (end > index) {
      out += sql.slice(index, end);
      index = end;
      continue;
    }
    if (char === "?") {
      if (next >= params.length) throw new Error("more placeholders than parameters");
      out += dialect.literal(params[next++]);
    } else {
      out += char;
    }
    index++;
  }
  if (next !== params.length) throw new Error("more parameters than placeholders");
  return out;
}

/** The end of the quoted text or comment starting at `index`, or `index` when none does. */
function skipQuotedOrComment(sql: string, index: number): number {
  const char = sql[index];
  if (char === "'" || char === '"' || char === "`") {
    let at = index + 1;
    while (at < sql.length) {
      if (sql[at] === char) {
        if (sql[at + 1] !== char) return at + 1;
        at++;
      }
      at++;
    }
    return sql.length;
  }
  if (sql.startsWith("/*", index)) {
    const close = sql.indexOf("*/", index + 2);
    return close < 0 ? sql.length : close + 2;
  }
  if (char === "#" || sql.startsWith("-- ", index)) {
    const close = sql.indexOf("\n", index);
    return close < 0 ? sql.length : close + 1;
  }
  return index;
}

/** Result-column type ids (protocol MYSQL_TYPE_*) as information_schema names them. */
const TYPE_IDS: Record<number, string> = {
  0: "decimal",
  1: "tinyint",
  2: "smallint",
  3: "int",
  4: "float",
  5: "double",
  6: "null",
  7: "timestamp",
  8: "bigint",
  9: "mediumint",
  10: "date",
  11: "time",
  12: "datetime",
  13: "year",
  14: "date",
  15: "varchar",
  16: "bit",
  245: "json",
  246: "decimal",
  247: "enum",
  248: "set",
  249: "text",
  250: "text",
  251: "text",
  252: "text",
  253: "varchar",
  254: "char",
  255: "geometry",
};

/** Binary (charset 63) twins of the text types. */
const BINARY_TWINS: Record<string, string> = { text: "blob", varchar: "varbinary", char: "binary" };
const UNSIGNED_FLAG = 32;
const BINARY_CHARSET = 63;

/**
 * A result column's type, written like information_schema's COLUMN_TYPE (`int unsigned`,
 * `tinyint(1)`, `varbinary`), for catalog.ts's `polarsType`.
 */
export function columnTypeName(field: FieldPacket): string {
  const id = field.columnType ?? field.type ?? -1;
  let name = TYPE_IDS[id] ?? `type:${id}`;
  if (field.characterSet === BINARY_CHARSET && name in BINARY_TWINS) name = BINARY_TWINS[name];
  if (name === "tinyint" && field.columnLength === 1) return "tinyint(1)";
  const flags = typeof field.flags === "number" ? field.flags : 0;
  return flags & UNSIGNED_FLAG ? `${name} unsigned` : name;
}
