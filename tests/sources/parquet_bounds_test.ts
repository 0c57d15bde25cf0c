/**
 * Column bounds from Parquet footers (`DatasetStats.bounds`): real files written by Polars
 * and DuckDB, read through the same footer path local and S3 datasets use. Every
 * expected bound is the min/max of the values written, computed by hand in the comments.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { FileMetaData } from "hyparquet";
import pl, { type DataFrame } from "nodejs-polars";
import type { DatasetStats } from "../../src/core/dataset.ts";
import { compareBoundValues, footerBounds } from "../../src/sources/parquet_bounds.ts";
import { localRangeReader, readParquetStats } from "../../src/sources/parquet_footer.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";

const DAY_US = 86_400_000_000;
/** 2024-01-01 as days since 1970-01-01. */
const JAN_1 = 19_723;
/** 2024-01-01T00:00:00 as microseconds since 1970-01-01T00:00:00. */
const JAN_1_US = JAN_1 * DAY_US;

async function statsOf(...paths: string[]): Promise<DatasetStats> {
  return await readParquetStats(await Promise.all(paths.map((path) => localRangeReader(path))));
}

/** Timestamps at `offsets` microseconds after 2024-01-01 (null stays null), naive µs. */
function timestamps(name: string, offsets: (number | null)[]) {
  return pl.Series(name, offsets.map((us) => us === null ? null : String(JAN_1_US + us)))
    .cast(pl.Int64).cast(pl.Datetime("us"));
}

Deno.test("bounds: Polars ints, floats, text, booleans, dates and datetimes of every unit", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/all.parquet`;
  const ts = timestamps("ts", [3_600_000_000, null, 1_500, 90 * DAY_US]);
  pl.DataFrame({
    i32: pl.Series("i32", [5, null, -7, 12]).cast(pl.Int32),
    i64: pl.Series("i64", ["9007199254740991", "-3", null, "0"]).cast(pl.Int64),
    huge: pl.Series("huge", ["9007199254740993", "1", "2", "3"]).cast(pl.Int64),
    u8: pl.Series("u8", [200, 3, null, 9]).cast(pl.UInt8),
    f64: pl.Series("f64", [1.5, -2.25, null, Infinity]),
    f32: pl.Series("f32", [0.5, 8, -1, null]).cast(pl.Float32),
    text: ["pear", null, "apple", "Zebra"],
    unicode: ["\uFFEE", "😀", "z", null],
    flag: [true, null, true, true],
    date: pl.Series("date", [JAN_1 + 31, null, JAN_1, JAN_1 + 366]).cast(pl.Int32).cast(pl.Date),
  }).withColumns(
    ts,
    ts.cast(pl.Datetime("ms")).alias("ts_ms"),
    ts.cast(pl.Datetime("ns")).alias("ts_ns"),
    ts.cast(pl.Datetime("us", "UTC")).alias("ts_utc"),
    ts.cast(pl.Datetime("ns", "UTC")).alias("ts_ns_utc"),
  ).writeParquet(path);
  const stats = await statsOf(path);
  assertEquals(stats.bounds!("i32"), { min: -7, max: 12 });
  assertEquals(stats.bounds!("i64"), { min: -3, max: Number.MAX_SAFE_INTEGER });
  // 2^53 + 1 has no exact JS number: no bounds rather than a rounded one.
  assertEquals(stats.bounds!("huge"), undefined);
  assertEquals(stats.bounds!("u8"), { min: 3, max: 200 });
  assertEquals(stats.bounds!("f64"), { min: -2.25, max: Infinity });
  assertEquals(stats.bounds!("f32"), { min: -1, max: 8 });
  // Byte order: "Z" (0x5A) < "a" < "p".
  assertEquals(stats.bounds!("text"), { min: "Zebra", max: "pear" });
  // Code point (UTF-8 byte) order: z < U+FFEE < U+1F600, though JS's `<` puts 😀 first.
  assertEquals(stats.bounds!("unicode"), { min: "z", max: "😀" });
  assertEquals(stats.bounds!("flag"), { min: true, max: true });
  assertEquals(stats.bounds!("date"), { min: JAN_1, max: JAN_1 + 366 });
  // 1.5 ms is not whole milliseconds: the ms column holds 1 ms after midnight instead.
  assertEquals(stats.bounds!("ts_ms"), { min: JAN_1_US + 1_000, max: JAN_1_US + 90 * DAY_US });
  for (const column of ["ts", "ts_ns", "ts_utc", "ts_ns_utc"]) {
    assertEquals(stats.bounds!(column), { min: JAN_1_US + 1_500, max: JAN_1_US + 90 * DAY_US });
  }
});

Deno.test("bounds: none where a NaN, a sub-microsecond nanosecond or long text hides the exact value", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/inexact.parquet`;
  pl.DataFrame({
    // Polars writes no min/max for a float column holding NaN.
    nan: [1, NaN, 3],
    ns: pl.Series("ns", [`${BigInt(JAN_1_US) * 1000n + 1n}`, `${BigInt(JAN_1_US) * 1000n}`, null])
      .cast(pl.Int64).cast(pl.Datetime("ns")),
    // Polars cuts text statistics to 64 bytes and says nothing: 61+ bytes are not trusted.
    long: ["a", "c".repeat(61), "b"],
    // 60 bytes exactly is trusted (no writer cuts below 61: see UNFLAGGED_TEXT_BYTES).
    sixty: ["a", "b".repeat(60), null],
    short: ["a", "b", "c"],
  }).writeParquet(path);
  const stats = await statsOf(path);
  assertEquals(stats.bounds!("nan"), undefined);
  assertEquals(stats.bounds!("ns"), undefined);
  assertEquals(stats.bounds!("long"), undefined);
  assertEquals(stats.bounds!("sixty"), { min: "a", max: "b".repeat(60) });
  assertEquals(stats.bounds!("short"), { min: "a", max: "c" });
  assertEquals(stats.bounds!("missing"), undefined);
});

Deno.test("bounds: all-NULL columns have none; NULL row groups and files are skipped", async () => {
  await using dir = await tempDir();
  const frame = (values: (number | null)[]): DataFrame =>
    pl.DataFrame({
      v: pl.Series("v", values).cast(pl.Int64),
      none: pl.Series("none", values.map(() => null)).cast(pl.Int64),
    });
  // Three row groups of 2 rows: [NULL, NULL], [4, NULL], [9, -1].
  const groups = `${dir.path}/groups.parquet`;
  frame([null, null, 4, null, 9, -1]).lazy()
    .sinkParquet(groups, { rowGroupSize: 2, maintainOrder: true }).collectSync();
  const stats = await statsOf(groups);
  assertEquals(stats.rowGroups, 3);
  assertEquals(stats.bounds!("v"), { min: -1, max: 9 });
  assertEquals(stats.bounds!("none"), undefined);
  // Files: one all NULL, two with values; bounds combine over the files with values.
  const paths = [[null, null], [3, 40], [-8, null]].map((values, index) => {
    const path = `${dir.path}/part-${index}.parquet`;
    frame(values).writeParquet(path);
    return path;
  });
  const combined = await statsOf(...paths);
  assertEquals(combined.bounds!("v"), { min: -8, max: 40 });
  assertEquals(combined.bounds!("none"), undefined);
});

Deno.test("bounds: files of one column in different units and widths combine exactly", async () => {
  await using dir = await tempDir();
  const ts = timestamps("ts", [0, 5 * DAY_US]);
  const first = `${dir.path}/ms.parquet`;
  const second = `${dir.path}/ns.parquet`;
  pl.DataFrame({ ts: ts.cast(pl.Datetime("ms")), n: pl.Series("n", [1, 2]).cast(pl.Int32) })
    .writeParquet(first);
  pl.DataFrame({
    ts: timestamps("ts", [-DAY_US, 2]).cast(pl.Datetime("ns")),
    n: pl.Series("n", ["-5", "3"]).cast(pl.Int64),
  }).writeParquet(second);
  const stats = await statsOf(first, second);
  assertEquals(stats.bounds!("ts"), { min: JAN_1_US - DAY_US, max: JAN_1_US + 5 * DAY_US });
  assertEquals(stats.bounds!("n"), { min: -5, max: 3 });
  // Text across files: code point order decides, not UTF-16 (U+FFEE < U+1F600).
  const a = `${dir.path}/a.parquet`;
  const b = `${dir.path}/b.parquet`;
  pl.DataFrame({ s: ["😀"] }).writeParquet(a);
  pl.DataFrame({ s: ["\uFFEE"] }).writeParquet(b);
  assertEquals((await statsOf(a, b)).bounds!("s"), { min: "\uFFEE", max: "😀" });
});

Deno.test("bounds: DuckDB files, with the exact-value flags it writes", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/duck.parquet`;
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    await connection.run(`COPY (SELECT * FROM (VALUES
        ('a', DATE '2024-01-01', TIMESTAMP_NS '2024-01-01 10:00:00.123456', TIMESTAMPTZ '2024-01-01 10:00:00+02', 1.5::DOUBLE, 'NaN'::DOUBLE, repeat('b', 5000), TIMESTAMP_NS '2024-01-01 00:00:00.000000001'),
        ('zz', DATE '2024-02-01', TIMESTAMP_NS '2024-01-01 10:00:00', NULL, 2.5, 1.0, 'a', NULL)
      ) t(s, d, ts, tz, f, f_nan, long, ns)) TO '${path}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  const stats = await statsOf(path);
  assertEquals(stats.bounds!("s"), { min: "a", max: "zz" });
  assertEquals(stats.bounds!("d"), { min: JAN_1, max: JAN_1 + 31 });
  const ten = JAN_1_US + 10 * 3_600_000_000;
  assertEquals(stats.bounds!("ts"), { min: ten, max: ten + 123_456 });
  // 10:00 at +02:00 is 08:00 UTC.
  assertEquals(stats.bounds!("tz"), { min: ten - 7_200_000_000, max: ten - 7_200_000_000 });
  assertEquals(stats.bounds!("f"), { min: 1.5, max: 2.5 });
  assertEquals(stats.bounds!("f_nan"), undefined);
  // DuckDB truncates the 5000-byte max and says so (is_max_value_exact: false).
  assertEquals(stats.bounds!("long"), undefined);
  assertEquals(stats.bounds!("ns"), undefined);
});

/** A one-row-group footer of one column, as hyparquet reads it. */
function footer(
  element: Record<string, unknown>,
  statistics: Record<string, unknown> | undefined,
  createdBy = "parquet-mr version 1.13.1",
): FileMetaData {
  return {
    version: 1,
    created_by: createdBy,
    num_rows: 10n,
    metadata_length: 0,
    schema: [{ name: "root", num_children: 1 }, { name: "c", ...element }],
    row_groups: [{
      num_rows: 10n,
      total_byte_size: 0n,
      columns: [{
        file_offset: 0n,
        meta_data: {
          type: element.type,
          encodings: ["PLAIN"],
          path_in_schema: ["c"],
          codec: "UNCOMPRESSED",
          num_values: 10n,
          total_uncompressed_size: 0n,
          total_compressed_size: 0n,
          data_page_offset: 0n,
          statistics,
        },
      }],
    }],
  } as unknown as FileMetaData;
}

const trusted = () => true;

Deno.test("bounds: writers and fields that do not prove them", () => {
  const double = { type: "DOUBLE" };
  const text = { type: "BYTE_ARRAY", converted_type: "UTF8" };
  const bounds = (metadata: FileMetaData) => footerBounds([metadata], trusted)("c");
  // parquet-mr and Arrow skip NaNs when they write float statistics.
  assertEquals(bounds(footer(double, { min_value: 1, max_value: 2, null_count: 0n })), undefined);
  assertEquals(
    bounds(footer(double, { min_value: 1, max_value: 2, null_count: 0n }, "Polars")),
    { min: 1, max: 2 },
  );
  // Only the deprecated fields (signed byte order in old writers): not used.
  assertEquals(bounds(footer(text, { min: "a", max: "b", null_count: 0n })), undefined);
  assertEquals(
    bounds(footer(text, { min_value: "a", max_value: "b", is_max_value_exact: false })),
    undefined,
  );
  assertEquals(
    bounds(footer(text, { min_value: "a", max_value: "b".repeat(100), is_max_value_exact: true })),
    { min: "a", max: "b".repeat(100) },
  );
  // Text that was cut inside a UTF-8 sequence decodes with a replacement character.
  assertEquals(bounds(footer(text, { min_value: "a", max_value: "b\uFFFD" })), undefined);
  // No statistics at all, or none but a null count below the rows.
  assertEquals(bounds(footer(text, undefined)), undefined);
  assertEquals(bounds(footer(text, { null_count: 3n })), undefined);
  // INT96 timestamps and decimals have no exact bound.
  assertEquals(bounds(footer({ type: "INT96" }, { min_value: 1, max_value: 2 })), undefined);
  assertEquals(
    bounds(footer({ type: "INT64", converted_type: "DECIMAL", scale: 2, precision: 10 }, {
      min_value: 1,
      max_value: 2,
    })),
    undefined,
  );
  // An all-NULL row group counts as empty only when its null count is trusted.
  const empty = footer(text, { null_count: 10n });
  assertEquals(
    footerBounds([empty, footer(text, { min_value: "a", max_value: "b" })], trusted)("c"),
    {
      min: "a",
      max: "b",
    },
  );
  assertEquals(
    footerBounds([empty, footer(text, { min_value: "a", max_value: "b" })], () => false)("c"),
    undefined,
  );
});

Deno.test("compareBoundValues orders numbers, booleans and text by code point", () => {
  assert.ok(compareBoundValues(-1, 2) < 0);
  assert.ok(compareBoundValues(false, true) < 0);
  assert.ok(compareBoundValues("b", "ab") > 0);
  assert.ok(compareBoundValues("a", "ab") < 0);
  assertEquals(compareBoundValues("😀", "😀"), 0);
  assert.ok(compareBoundValues("\uFFEE", "😀") < 0);
});
