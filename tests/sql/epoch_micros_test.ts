/**
 * `Dialect.epochMicros` on real engines: a date, a wall-clock timestamp and an instant
 * become the same microsecond counts on DuckDB, PostgreSQL and MariaDB, whatever the
 * session's time zone (the Snowflake dialect runs in freshness_tiers_test.ts).
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { postgresDialect } from "../../src/databases/postgres/dialect.ts";
import { mysqlDialect } from "../../src/databases/mysql/dialect.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import type { Dialect } from "../../src/sql/dialect.ts";
import { assertEquals } from "../support/assert.ts";
import { mysqlTest, requireMysql } from "../support/mysql.ts";
import { pgTest, requirePostgres } from "../support/postgres.ts";

/** 2024-03-01T00:00:00Z and 06:00:00.123456 that day, in microseconds. */
const MIDNIGHT = 1_709_251_200_000_000;
const SIX = MIDNIGHT + 6 * 3_600_000_000 + 123_456;

/** The select list: each literal through `epochMicros`, and a NULL. */
function items(
  dialect: Dialect,
  literals: { date: string; naive: string; instant: string; nullType: string },
): string {
  return [
    dialect.epochMicros(literals.date, { dtype: "Date" }),
    dialect.epochMicros(literals.naive, { dtype: "Datetime" }),
    dialect.epochMicros(literals.instant, { dtype: "Datetime", timeZone: "UTC" }),
    dialect.epochMicros(`CAST(NULL AS ${literals.nullType})`, { dtype: "Datetime" }),
  ].map((expression, index) => `${expression} AS c${index}`).join(", ");
}

const EXPECTED = [MIDNIGHT, SIX, SIX, null];

const numbers = (row: unknown[]) => row.map((value) => value === null ? null : Number(value));

Deno.test("epochMicros: DuckDB, in a session far from UTC", async () => {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    await connection.run("SET TimeZone = 'America/Los_Angeles'");
    const sql = items(duckdb, {
      date: "DATE '2024-03-01'",
      naive: "TIMESTAMP '2024-03-01 06:00:00.123456'",
      instant: "TIMESTAMPTZ '2024-03-01 07:00:00.123456+01'",
      nullType: "TIMESTAMP",
    });
    const reader = await connection.runAndReadAll(`SELECT ${sql}`);
    assertEquals(numbers(reader.getRows()[0]), EXPECTED);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
});

Deno.test(pgTest("epochMicros: PostgreSQL, in a session far from UTC"), async () => {
  const { sql } = requirePostgres();
  const query = items(postgresDialect, {
    date: "DATE '2024-03-01'",
    naive: "TIMESTAMP '2024-03-01 06:00:00.123456'",
    instant: "TIMESTAMPTZ '2024-03-01 07:00:00.123456+01'",
    nullType: "timestamp",
  });
  const [row] = await sql.begin(async (tx) => {
    await tx.unsafe("SET LOCAL TIME ZONE 'America/New_York'");
    return await tx.unsafe(`SELECT ${query}`).values();
  });
  assertEquals(numbers(row as unknown[]), EXPECTED);
});

Deno.test(mysqlTest("epochMicros: MySQL/MariaDB, in Kontra's UTC session"), async () => {
  const mysql = requireMysql();
  // A TIMESTAMP reads in the session's zone, which Kontra's session sets to UTC.
  const query = items(mysqlDialect, {
    date: "DATE '2024-03-01'",
    naive: "CAST('2024-03-01 06:00:00.123456' AS DATETIME(6))",
    instant: "CAST('2024-03-01 06:00:00.123456' AS DATETIME(6))",
    nullType: "DATETIME",
  });
  const [row] = await mysql.query(`SELECT ${query}`);
  assertEquals(numbers(row), EXPECTED);
});
