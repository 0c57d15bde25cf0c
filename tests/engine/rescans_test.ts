/**
 * The passes after the single one: duplicates in DuckDB (spilling) agree with Polars on
 * every type they take, sources expensive to read again are copied once, and every
 * temporary directory is gone afterwards.
 */
import { existsSync } from "node:fs";
import pl from "nodejs-polars";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import { startS3Server } from "../support/s3_server.ts";
import {
  bitmapSql,
  countDuplicatesInDuckdb,
  duckdbComparable,
  duplicatesSql,
} from "../../src/engine/duckdb_duplicates.ts";
import { copyLocally } from "../../src/engine/local_copy.ts";
import { liveTempDirs } from "../../src/core/temp_dirs.ts";
import { vetDuckdbSql } from "../../src/engine/duckdb_session.ts";
import { countDuplicates, measureRescans } from "../../src/engine/scan.ts";
import { capabilitiesOf } from "../../src/engine/capabilities.ts";
import { rescanPasses } from "../../src/engine/plan.ts";
import type { PlannedRule } from "../../src/engine/plan_model.ts";
import type { SqlCountRequest } from "../../src/engine/duckdb_sql.ts";
import type { ColumnInfo } from "../../src/core/dataset.ts";
import { DataSourceError, KontractError, validate } from "../../mod.ts";
import type { DuckdbTable, Source } from "../../src/sources/source.ts";

// This process's own temporary directories (not the shared TMPDIR, where other runs
// come and go): each is on the list from the moment it is made until it is removed.
const temporaries = () => {
  const live = liveTempDirs().sort();
  for (const path of live) assert(existsSync(path), `${path} is on the list only while it exists`);
  return live;
};
const hooks = {
  time: <T>(_phase: string, work: () => Promise<T>) => work(),
};

function parquetTable(path: string): DuckdbTable {
  return {
    from: `read_parquet('${path}')`,
    allowedPaths: [path],
    exactTypes: true,
    release: () => Promise.resolve(),
  };
}

Deno.test("DuckDB counts duplicates as Polars does, NULLs, NaN, -0.0 and empty strings included", async () => {
  await using dir = await tempDir();
  const frame = peopleFrame().withColumns(
    pl.Series("f", [0.0, -0.0, NaN, NaN, 1.5, null, 2, 3, 4, 5]).alias("f"),
    pl.Series("d", [1, 1, 2, null, 3, 3, 3, 4, 5, 6]).cast(pl.Int32).cast(pl.Date).alias("d"),
  );
  const path = `${dir.path}/frame.parquet`;
  frame.writeParquet(path);
  const schema = frame.schema;
  const columns = frame.columns.map((name) => ({ name, dtype: String(schema[name].variant) }));
  assert.ok(columns.every((column) => duckdbComparable(column.dtype)), JSON.stringify(columns));
  const inDuckdb = await countDuplicatesInDuckdb(
    parquetTable(path),
    columns.map((column) => ({ key: column.name, column })),
  );
  for (const column of columns) {
    const polars = countDuplicates(() => pl.scanParquet(path), column.name, 10, 3).count;
    assertEquals(inDuckdb.counts.get(column.name), polars, column.name);
  }
  assertEquals(inDuckdb.counts.get("email"), 2);
  assertEquals(inDuckdb.counts.get("f"), 2);
  assertEquals(inDuckdb.counts.get("d"), 3);
  // Two passes for integers (range, bitmap) and strings (hashes, repeated values), one
  // for the other types.
  assertEquals(inDuckdb.passes, 2 * 2 + 4 + 2 * 2);
  assertEquals((await countDuplicatesInDuckdb(parquetTable(path), [])).passes, 0);
  assertEquals(duckdbComparable("Time") || duckdbComparable("List"), false);
  assert.match(duplicatesSql("t", { name: "e", dtype: "String" }), /hash\("e"\)/);
});

Deno.test("integers: a bitmap of their range when it is small, else a GROUP BY", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/ints.parquet`;
  pl.DataFrame({
    small: pl.Series("small", [-5, -5, 3, null, 0, 3, 3]).cast(pl.Int16),
    wide: pl.Series("wide", [0, 2 ** 50, 2 ** 50, null, 7, 7, -(2 ** 52)]).cast(pl.Int64),
    none: pl.Series("none", [null, null, null, null, null, null, null]).cast(pl.Int32),
  }).writeParquet(path);
  const found = await countDuplicatesInDuckdb(
    parquetTable(path),
    ["small", "wide", "none"].map((name) => ({
      key: name,
      column: { name, dtype: name === "small" ? "Int16" : name === "wide" ? "Int64" : "Int32" },
    })),
  );
  assertEquals(Object.fromEntries(found.counts), { small: 3, wide: 2, none: 0 });
  assert.match(bitmapSql("t", { name: "v", dtype: "Int64" }, "-1", "9"), /bitstring_agg/);
});

Deno.test("past its memory limit DuckDB spills to a private directory, removed afterwards", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/many.parquet`;
  const rows = 300_000;
  const many = pl.DataFrame({ i: pl.intRange(0, rows, 1, pl.Int64, true) }).select(
    pl.format("value-{}-{}", pl.col("i"), pl.col("i").modulo(pl.lit(1000).cast(pl.Int64))).alias(
      "s",
    ),
  );
  pl.concat([many, pl.DataFrame({ s: ["value-7-7", "value-7-7", "value-8-8"] })]).writeParquet(
    path,
  );
  const before = temporaries();
  const found = await countDuplicatesInDuckdb(
    parquetTable(path),
    [{ key: "s", column: { name: "s", dtype: "String" } }],
    { memoryLimit: "20MB" },
  );
  assertEquals(found.counts.get("s"), 3);
  assertEquals(temporaries(), before);
  await assertRejectsWith(
    countDuplicatesInDuckdb(parquetTable(`${dir.path}/missing.parquet`), [
      { key: "s", column: { name: "s", dtype: "String" } },
    ]),
    DataSourceError,
    /duplicates count failed/,
    3,
  );
  assertEquals(temporaries(), before);
});

Deno.test("a local copy is a Parquet file for DuckDB and Polars, removed on release and on error", async () => {
  await using dir = await tempDir();
  const { csv } = writeBoth(peopleFrame(), dir.path, "people");
  const before = temporaries();
  const copy = await copyLocally(pl.scanCSV(csv).select("email", "age"));
  assertEquals(copy.table.exactTypes, true);
  assertEquals(copy.scan(["age"]).collectSync().height, 10);
  const found = await countDuplicatesInDuckdb(copy.table, [
    { key: "email", column: { name: "email", dtype: "String" } },
    { key: "age", column: { name: "age", dtype: "Int64" } },
  ]);
  assertEquals([found.counts.get("email"), found.counts.get("age")], [2, 4]);
  await copy.release();
  assertEquals(temporaries(), before);
  await assertRejectsWith(
    copyLocally(pl.scanCSV(csv).select("no_such_column")),
    DataSourceError,
    /local copy failed/,
    3,
  );
  assertEquals(temporaries(), before);
});

/** A source over a frame that is expensive to read again, counting its scans. */
function frameSource(frame: pl.DataFrame, extra: Partial<Source> = {}) {
  const scans: string[][] = [];
  const source: Source = {
    uri: "memory://frame",
    schema: () => Promise.resolve({ columns: [] }),
    scan: (columns) => {
      scans.push(columns);
      return frame.lazy().select(...columns.map((name) => pl.col(name)));
    },
    ...extra,
  };
  return { source, scans };
}

/** The planner's passes for these duplicates and queries on `source`, run. */
function rescan(
  source: Source,
  duplicates: { key: string; column: ColumnInfo }[],
  queries: SqlCountRequest[],
) {
  const capabilities = capabilitiesOf(source);
  if (capabilities.kind !== "files") throw new Error(`expected files, got ${capabilities.kind}`);
  const planned = (id: string, column?: ColumnInfo) =>
    ({
      instance: { id },
      measure: { kind: "duplicates" },
      column,
      reads: column ? [column.name] : [],
      tier: "scan",
      missingColumn: false,
      countsScope: false,
    }) as unknown as PlannedRule;
  const passes = rescanPasses(
    capabilities,
    duplicates.map(({ key, column }) => planned(key, column)),
    queries.map(({ key }) => planned(key)),
  );
  return measureRescans({ ...capabilities, uri: source.uri }, { passes, queries, rows: 10 }, hooks);
}

Deno.test("sources expensive to read again are read once more: one copy of the columns", async () => {
  const frame = peopleFrame();
  const { source, scans } = frameSource(frame);
  const before = temporaries();
  const measured = await rescan(source, [
    { key: "email", column: { name: "email", dtype: "String" } },
    { key: "age", column: { name: "age", dtype: "Int32" } },
    // A type DuckDB is not trusted with: Polars' partitioned passes, over the copy.
    { key: "score", column: { name: "score", dtype: "Time" } },
  ], []);
  assertEquals(Object.fromEntries(measured.counts), { email: 2, age: 4, score: 2 });
  assertEquals(scans, [["email", "age", "score"]]);
  assertEquals(temporaries(), before);
  await assertRejectsWith(
    rescan(source, [], [{ key: "q", label: "q", sql: await vetDuckdbSql("SELECT 1", "q") }]),
    KontractError,
    /custom_sql_check is not available/,
    2,
  );
  // A source that cannot be scanned has no rescans to plan: only its schema is known.
  const { source: unscannable } = frameSource(frame, { scan: undefined });
  assertEquals(capabilitiesOf(unscannable).kind, "schema_only");
  assertEquals((await rescan(source, [], [])).passes, 0);
});

Deno.test("cheap sources are read again directly; CSV is copied for DuckDB's duplicates", async () => {
  await using dir = await tempDir();
  const files = writeBoth(peopleFrame(), dir.path, "people");
  const rules = [
    { name: "unique", params: { column: "email" } },
    { name: "unique", params: { column: "age" } },
    { name: "unique", params: { column: "score" } },
    { name: "custom_sql_check", params: { sql: "SELECT * FROM {table} WHERE age > 25" } },
  ];
  for (const datasource of [files.parquet, files.csv]) {
    const result = await validate({ name: "t", datasource, rules }, { timings: true });
    assertEquals(result.results.map((rule) => rule.failed_count), [2, 4, 2, 5], datasource);
    const phases = Object.keys(result.document.stats!.phases_ms);
    // Parquet: DuckDB reads the file itself; CSV: DuckDB would type it differently.
    assertEquals(phases.includes("local_copy"), true);
    assertEquals(result.document.stats!.scan_passes, datasource.endsWith(".csv") ? 7 : 5);
  }
});

Deno.test("S3 without user SQL: the unique columns are copied once, never read per partition", async () => {
  await using dir = await tempDir();
  const server = await startS3Server();
  try {
    await server.createBucket("lake");
    const path = `${dir.path}/dups.parquet`;
    const rows = 200_000;
    pl.DataFrame({ i: pl.intRange(0, rows, 1, pl.Int64, true) }).select(
      pl.col("i").modulo(pl.lit(150_000).cast(pl.Int64)).alias("n"),
      pl.format("v{}", pl.col("i").modulo(pl.lit(190_000).cast(pl.Int64))).alias("s"),
      pl.col("i").cast(pl.Float64).alias("x"),
    ).writeParquet(path);
    await server.putFile("lake", "dups/a.parquet", path);
    await server.putFile("lake", "dups/b.parquet", path);
    const size = (await Deno.stat(path)).size * 2;
    const saved = Object.fromEntries(
      Object.keys(server.env()).map((key) => [key, Deno.env.get(key)]),
    );
    for (const [key, value] of Object.entries(server.env())) Deno.env.set(key, value);
    const before = temporaries();
    try {
      server.resetBytes();
      const result = await validate({
        name: "dups",
        datasource: "s3://lake/dups/",
        rules: [
          { name: "unique", params: { column: "n" } },
          { name: "unique", params: { column: "s" } },
        ],
      }, { timings: true });
      assertEquals(result.results.map((rule) => rule.failed_count), [250_000, 210_000]);
      // Footers, then ONE read of the two columns (x is never read).
      assert.ok(server.bytesSent() < size, `${server.bytesSent()} of ${size}`);
      assertEquals(result.document.stats!.scan_passes, 1 + 2 + 2);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) Deno.env.delete(key);
        else Deno.env.set(key, value);
      }
    }
    assertEquals(temporaries(), before);
  } finally {
    await server.close();
  }
});
