/** The scan tier: one pass for row-local rules, partitioned passes for duplicates. */
import pl from "nodejs-polars";
import { assertEquals } from "../support/assert.ts";
import { countDuplicates, countInOnePass, rowsPerPartition } from "../../src/engine/scan.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";

Deno.test("duplicates are exact whatever the number of hash partitions", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const scan = () => pl.scanParquet(parquet);
  for (const [column, expected] of [["email", 2], ["age", 4], ["country", 3], ["id", 0]] as const) {
    for (const rowsPerPartition of [100, 3, 1]) {
      const { count, passes } = countDuplicates(scan, column, 10, rowsPerPartition);
      assertEquals(count, expected, `${column} with ${rowsPerPartition} rows per partition`);
      assertEquals(passes, Math.ceil(10 / rowsPerPartition));
    }
  }
});

Deno.test("duplicates on a larger column agree with a direct count", () => {
  // 0..49_999 then 0..9_999 again: 10_000 values repeat once each.
  const values = pl.concat([
    pl.DataFrame({ v: pl.intRange(0, 50_000, 1, pl.Int64, true) }),
    pl.DataFrame({ v: pl.intRange(0, 10_000, 1, pl.Int64, true) }),
  ]);
  const { count } = countDuplicates(() => values.lazy(), "v", 60_000, 7_000);
  assertEquals(count, 10_000);
});

Deno.test("strings get smaller duplicate partitions than fixed-width types", () => {
  assertEquals(rowsPerPartition("String") < rowsPerPartition("Int64"), true);
  assertEquals(rowsPerPartition("Date"), rowsPerPartition("Float64"));
});

Deno.test("one pass counts every predicate and the rows; no requests read nothing", () => {
  const frame = peopleFrame().lazy();
  const pass = countInOnePass(frame, [
    { key: "nulls", predicate: pl.col("email").isNull() },
    { key: "old", predicate: pl.col("age").gt(pl.lit(25).cast(pl.Int32)) },
  ], true);
  assertEquals(Object.fromEntries(pass.counts), { nulls: 2, old: 5 });
  assertEquals(pass.rows, 10);
  assertEquals(pass.passes, 1);
  assertEquals(countInOnePass(frame, [], false).passes, 0);
});
