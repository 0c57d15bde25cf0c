/**
 * Every source says which timestamp columns hold instants (a time zone) and which hold
 * wall-clock times (`ColumnInfo.timeZone`), and a file's timestamp unit
 * (`ColumnInfo.timeUnit`): Parquet (footer and Polars' own reading), CSV (text, no
 * timestamps), PostgreSQL, MySQL/MariaDB and Snowflake, tables and `query:` datasources.
 */
import pl from "nodejs-polars";
import { openSource } from "../../src/open_source.ts";
import type { ColumnInfo } from "../../src/core/dataset.ts";
import type { Environment } from "../../src/core/environment.ts";
import { assertEquals } from "../support/assert.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { tempDir, writeBoth } from "../support/fixtures.ts";
import { loadFrame as loadMysql, mysqlTest, requireMysql, tempDatabase } from "../support/mysql.ts";
import {
  loadFrame as loadPostgres,
  pgTest,
  requirePostgres,
  tempSchema,
} from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

/** The timestamp columns of a source's schema, with what it says about them. */
async function timestamps(
  uri: string,
  env: Environment = {},
  query?: string,
): Promise<Partial<ColumnInfo>[]> {
  const source = await openSource(uri, { baseDir: Deno.cwd(), env, query });
  try {
    return (await source.schema()).columns
      .filter((column) => column.dtype === "Datetime")
      .map(({ name, timeZone, timeUnit }) => ({
        name,
        ...(timeZone === undefined ? {} : { timeZone }),
        ...(timeUnit === undefined ? {} : { timeUnit }),
      }));
  } finally {
    await source.close?.();
  }
}

// eventsFrame: at and until are wall-clock times, at_utc and until_utc instants (UTC).
const ZONES = [
  { name: "at" },
  { name: "at_utc", timeZone: "UTC" },
  { name: "until" },
  { name: "until_utc", timeZone: "UTC" },
];

Deno.test("Parquet files give each timestamp's time zone and unit; CSV has no timestamps", async () => {
  await using dir = await tempDir();
  const { parquet, csv } = writeBoth(eventsFrame(), dir.path, "events");
  const micros = ZONES.map((zone) => ({ ...zone, timeUnit: "us" as const }));
  assertEquals(await timestamps(parquet), micros);
  // Many files: the union of their schemas keeps both too.
  writeBoth(eventsFrame(), dir.path, "events2");
  assertEquals(await timestamps(`${dir.path}/*.parquet`), micros);
  assertEquals(await timestamps(csv), []);
  // Other units and zones, as Polars reads them.
  const other = `${dir.path}/units.parquet`;
  pl.DataFrame({ x: [0, 1] }).select(
    pl.col("x").cast(pl.Int64).cast(pl.Datetime("ms")).alias("ms"),
    pl.col("x").cast(pl.Int64).cast(pl.Datetime("ns", "UTC")).alias("ns_utc"),
  ).writeParquet(other);
  assertEquals(await timestamps(other), [
    { name: "ms", timeUnit: "ms" },
    { name: "ns_utc", timeZone: "UTC", timeUnit: "ns" },
  ]);
});

const pg = pgTest("PostgreSQL: timestamptz holds instants, timestamp wall-clock times");
Deno.test(pg, async () => {
  const postgres = requirePostgres();
  await using schema = await tempSchema(postgres);
  await loadPostgres(postgres, schema.name, "events", eventsFrame());
  assertEquals(await timestamps(`${postgres.url}/${schema.name}.events`), ZONES);
  const query = `SELECT at, at_utc, until, until_utc FROM "${schema.name}".events`;
  assertEquals(await timestamps(postgres.url, {}, query), ZONES);
});

const my = mysqlTest("MySQL: TIMESTAMP holds instants, DATETIME wall-clock times");
Deno.test(my, async () => {
  const mysql = requireMysql();
  await using db = await tempDatabase(mysql);
  await loadMysql(mysql, db.name, "events", eventsFrame());
  assertEquals(await timestamps(`${db.url}/events`), ZONES);
  const query = `SELECT at, at_utc, until, until_utc FROM \`${db.name}\`.events`;
  assertEquals(await timestamps(db.url, {}, query), ZONES);
});

Deno.test("Snowflake: TIMESTAMP_LTZ/TZ hold instants, TIMESTAMP_NTZ wall-clock times", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("events", parquet);
    assertEquals(await timestamps(sf.tableUri("events"), sf.env), ZONES);
  });
});
