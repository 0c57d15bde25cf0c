/** The metadata tier: Parquet footers answer exactly, or not at all. */
import pl from "nodejs-polars";
import { assertEquals } from "../support/assert.ts";
import { localRangeReader, readParquetStats } from "../../src/sources/parquet_footer.ts";
import { validate } from "../../mod.ts";
import { peopleFrame, tempDir } from "../support/fixtures.ts";
import { multiples, usersFrame } from "../../scripts/users_data.ts";

Deno.test("footer statistics sum over row groups and read only the footer", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/groups.parquet`;
  const frame = pl.concat(Array.from({ length: 20 }, () => peopleFrame()));
  frame.lazy().sinkParquet(path, { rowGroupSize: 30 }).collectSync();
  const reader = await localRangeReader(path);
  const stats = await readParquetStats([reader]);
  assertEquals(stats.rows, 200);
  assertEquals(stats.nullCount("email"), 40);
  assertEquals(stats.nullCount("id"), 0);
  assertEquals(stats.nullCount("missing"), undefined);
  assertEquals(stats.rowGroups! > 1, true, "several row groups");
  assertEquals(stats.bytesRead! <= reader.size, true);
});

Deno.test("without null_count statistics, not_null falls back to the scan with the same count", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/nostats.parquet`;
  peopleFrame().lazy().sinkParquet(path, { statistics: false }).collectSync();
  const stats = await readParquetStats([await localRangeReader(path)]);
  assertEquals(stats.nullCount("email"), undefined);
  const result = await validate({
    name: "nostats",
    datasource: path,
    rules: [{ name: "not_null", params: { column: "email" } }],
  });
  assertEquals(result.results[0].failed_count, 2);
  assertEquals(result.results[0].execution_source, "scan");
});

Deno.test("timings report phases, passes, bytes and peak memory only when asked", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/people.parquet`;
  peopleFrame().writeParquet(path);
  const kontract = {
    name: "t",
    datasource: path,
    rules: [{ name: "unique", params: { column: "email" } }],
  };
  assertEquals((await validate(kontract)).document.stats, undefined);
  const stats = (await validate(kontract, { timings: true })).document.stats!;
  assertEquals(stats.scan_passes, 2); // strings: hashes, then the repeated hashes' values
  assertEquals(stats.rows_scanned, 10);
  assertEquals(stats.peak_rss_bytes > 10_000_000, true);
  assertEquals(typeof stats.phases_ms.duplicates, "number");
  assertEquals(stats.bytes_read! > 0, true);
});

Deno.test("doubled null counts from Polars' writer are not trusted: the scan counts instead", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/big.parquet`;
  // 300k users: nodejs-polars' writeParquet records 2,844 NULLs for age's 1,422
  // (a NULL at every multiple of 211) in this dictionary-encoded column.
  usersFrame(0, 300_000).writeParquet(path, { compression: "zstd" });
  const result = await validate({
    name: "doubled",
    datasource: path,
    rules: [{ name: "not_null", params: { column: "age" } }],
  });
  assertEquals(result.results[0].failed_count, multiples(211, 300_000));
  assertEquals(result.results[0].execution_source, "scan");
});
