/**
 * The MySQL/MariaDB server tests run against: `KONTRA_TEST_MYSQL_URL` when set (e.g.
 * `mysql://root@127.0.0.1:3306/test`), else root at 127.0.0.1:3306, database `test`.
 * Each test works in its own database with a unique name and drops it afterwards, so
 * test files may run in parallel.
 *
 * Without a reachable server the tests are skipped with a plain message, unless
 * `KONTRA_REQUIRE_MYSQL` is set (or `CI=true`): then they run, and fail.
 * @module
 */
import mysql from "mysql2";
import type { Connection } from "mysql2";
import type { DataFrame } from "nodejs-polars";
import { timestampsAsText, zoneOf } from "./timestamps_as_text.ts";

/** A connection for fixtures and the base URI sources are opened with. */
export interface TestMysql {
  /** `mysql://user@host:port`, no database. */
  server: string;
  /** Runs fixture SQL (mysql2's own escaping: the session keeps backslash escapes). */
  query(sql: string, values?: unknown[]): Promise<unknown[][]>;
}

const URL_TEXT = Deno.env.get("KONTRA_TEST_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306/test";

function connect(): Connection {
  const url = new URL(URL_TEXT);
  return mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    charset: "UTF8MB4_GENERAL_CI",
    connectTimeout: 3_000,
    rowsAsArray: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
}

async function probe(): Promise<TestMysql | undefined> {
  const connection = connect();
  connection.on("error", () => {});
  const query = (sql: string, values: unknown[] = []) =>
    new Promise<unknown[][]>((resolve, reject) =>
      connection.query(
        { sql, values },
        (error: unknown, rows: unknown) =>
          error ? reject(error) : resolve(Array.isArray(rows) ? rows as unknown[][] : []),
      )
    );
  try {
    // mysql2 escapes values with backslashes: the session must read them that way.
    // UTC: TIMESTAMP values are written and read as UTC, as Kontra's session reads them.
    await query("SET SESSION sql_mode = 'STRICT_ALL_TABLES', time_zone = '+00:00'");
  } catch {
    connection.destroy();
    return undefined;
  }
  const url = new URL(URL_TEXT);
  return { server: `mysql://${url.username}@${url.host}`, query };
}

/** The server, or undefined when none answers. */
export const testMysql: TestMysql | undefined = await probe();

const REQUIRED = Deno.env.get("KONTRA_REQUIRE_MYSQL") !== undefined ||
  Deno.env.get("CI") === "true";

/** Test options that skip (with a message) when there is no server and none is required. */
export function mysqlTest(name: string): { name: string; ignore: boolean } {
  const skip = testMysql === undefined && !REQUIRED;
  if (skip) console.log(`skipping "${name}": no MySQL/MariaDB at ${URL_TEXT}`);
  return { name, ignore: skip };
}

/** The server, or a failure naming where it was looked for. */
export function requireMysql(): TestMysql {
  if (!testMysql) throw new Error(`MySQL/MariaDB is required; none at ${URL_TEXT}`);
  return testMysql;
}

/** A fresh utf8mb4 database with a unique name, dropped (with its tables) on dispose. */
export async function tempDatabase(
  my: TestMysql,
): Promise<{ name: string; url: string } & AsyncDisposable> {
  const name = `kontra_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await my.query(
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`,
  );
  return {
    name,
    url: `${my.server}/${name}`,
    [Symbol.asyncDispose]: async () => {
      await my.query(`DROP DATABASE IF EXISTS \`${name}\``);
    },
  };
}

const MYSQL_TYPES: Record<string, string> = {
  Int64: "bigint",
  Int32: "int",
  Int16: "smallint",
  Float64: "double",
  Float32: "float",
  String: "text",
  Utf8: "text",
  Bool: "boolean",
  Date: "date",
};

/** A name in backticks, for fixture SQL. */
export function ident(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/** Creates `<database>.<table>` typed like the frame and inserts its rows. */
export async function loadFrame(
  my: TestMysql,
  database: string,
  table: string,
  frame: DataFrame,
): Promise<void> {
  const columns = frame.columns.map((name, index) => {
    const dtype = frame.dtypes[index];
    const variant = String(dtype.variant);
    // Datetime: instants (a time zone) as TIMESTAMP (NULL allowed explicitly: MySQL's
    // first TIMESTAMP column may default to NOT NULL), wall-clock times as DATETIME.
    const type = variant === "Datetime"
      ? (zoneOf(dtype) ? "timestamp(6) NULL" : "datetime(6)")
      : MYSQL_TYPES[variant];
    if (!type) throw new Error(`no MySQL type for ${dtype}`);
    return `${ident(name)} ${type}`;
  });
  const target = `${ident(database)}.${ident(table)}`;
  await my.query(`CREATE TABLE ${target} (${columns.join(", ")})`);
  // Timestamps as text to the microsecond; the session's time zone is UTC (see probe).
  const rows = timestampsAsText(frame, "").rows();
  if (rows.length === 0) return;
  const placeholders = rows.map((row) => `(${row.map(() => "?").join(", ")})`);
  await my.query(`INSERT INTO ${target} VALUES ${placeholders.join(", ")}`, rows.flat());
}
