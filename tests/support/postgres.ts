/**
 * The PostgreSQL server tests run against: `KONTRA_TEST_PG_URL` when set (e.g.
 * `postgres://postgres@127.0.0.1:5432/test`), else 127.0.0.1:5432, database `test`, as
 * user `postgres` (then `root`). Each test file works in its own schema with a unique
 * name and drops it afterwards.
 *
 * Without a reachable server the tests are skipped with a plain message, except under
 * `CI=true`, where they run (and fail): CI must never skip them.
 * @module
 */
import postgres from "postgres";
import type { DataFrame } from "nodejs-polars";
import { timestampsAsText, zoneOf } from "./timestamps_as_text.ts";

/** A connection for fixtures and the base URI sources are opened with. */
export interface TestPostgres {
  /** `postgres://user@host:port/database`, no table. */
  url: string;
  sql: postgres.Sql;
}

const CANDIDATES = Deno.env.get("KONTRA_TEST_PG_URL")
  ? [Deno.env.get("KONTRA_TEST_PG_URL")!]
  : ["postgres://postgres@127.0.0.1:5432/test", "postgres://root@127.0.0.1:5432/test"];

async function probe(): Promise<TestPostgres | undefined> {
  for (const url of CANDIDATES) {
    const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 3 });
    try {
      await sql`SELECT 1`;
      return { url: url.replace(/\/+$/, ""), sql };
    } catch {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
  return undefined;
}

/** The server, or undefined when none answers. */
export const testPostgres: TestPostgres | undefined = await probe();

/** Test options that skip (with a message) when there is no server, outside CI only. */
export function pgTest(name: string): { name: string; ignore: boolean } {
  const skip = testPostgres === undefined && Deno.env.get("CI") !== "true";
  if (skip) console.log(`skipping "${name}": no PostgreSQL at ${CANDIDATES.join(" or ")}`);
  return { name, ignore: skip };
}

/** The server, or a failure naming where it was looked for (under CI). */
export function requirePostgres(): TestPostgres {
  if (!testPostgres) {
    throw new Error(`PostgreSQL is required under CI=true; none at ${CANDIDATES.join(" or ")}`);
  }
  return testPostgres;
}

/** A fresh schema with a unique name, dropped (with everything in it) on dispose. */
export async function tempSchema(
  pg: TestPostgres,
): Promise<{ name: string } & AsyncDisposable> {
  const name = `kontra_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await pg.sql.unsafe(`CREATE SCHEMA "${name}"`);
  return {
    name,
    [Symbol.asyncDispose]: async () => {
      await pg.sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    },
  };
}

const PG_TYPES: Record<string, string> = {
  Int64: "bigint",
  Int32: "integer",
  Int16: "smallint",
  Float64: "double precision",
  Float32: "real",
  String: "text",
  Utf8: "text",
  Bool: "boolean",
  Date: "date",
};

/** Creates `<schema>.<table>` typed like the frame and inserts its rows. */
export async function loadFrame(
  pg: TestPostgres,
  schema: string,
  table: string,
  frame: DataFrame,
): Promise<void> {
  const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const types = frame.dtypes.map((dtype) => {
    const variant = String(dtype.variant);
    // Datetime: instants (a time zone) as timestamptz, wall-clock times as timestamp.
    const type = variant === "Datetime"
      ? (zoneOf(dtype) ? "timestamptz" : "timestamp")
      : PG_TYPES[variant];
    if (!type) throw new Error(`no PostgreSQL type for ${dtype}`);
    return type;
  });
  const columns = frame.columns.map((name, index) => `${ident(name)} ${types[index]}`);
  await pg.sql.unsafe(`CREATE TABLE ${ident(schema)}.${ident(table)} (${columns.join(", ")})`);
  // Timestamps as text to the microsecond (a JS Date keeps milliseconds), instants in UTC.
  const rows = timestampsAsText(frame, "+00").rows();
  if (rows.length === 0) return;
  // Timestamp text is cast by the server: postgres.js would pass it through a JS Date.
  const placeholder = (at: number, c: number) =>
    types[c].startsWith("timestamp") ? `CAST($${at}::text AS ${types[c]})` : `$${at}`;
  const placeholders = rows.map((row, r) =>
    `(${row.map((_, c) => placeholder(r * row.length + c + 1, c)).join(", ")})`
  );
  await pg.sql.unsafe(
    `INSERT INTO ${ident(schema)}.${ident(table)} VALUES ${placeholders.join(", ")}`,
    rows.flat() as postgres.ParameterOrJSON<never>[],
  );
}
