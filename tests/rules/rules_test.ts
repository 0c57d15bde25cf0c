/**
 * Every rule against counts known by construction, on Parquet and CSV, with the
 * metadata tier on and off: all tiers must give the same numbers.
 */
import { assertEquals } from "../support/assert.ts";
import { validate } from "../../mod.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import pl from "nodejs-polars";
import { expectedCounts, kontractOf, RULE_CASES } from "../support/rule_cases.ts";

for (const format of ["parquet", "csv"] as const) {
  for (const metadata of [true, false]) {
    Deno.test(`every rule counts exactly on ${format} (metadata tier ${metadata ? "on" : "off"})`, async () => {
      await using dir = await tempDir();
      const files = writeBoth(peopleFrame(), dir.path, "people");
      const result = await validate(kontractOf(RULE_CASES, files[format]), { metadata });
      const counts = result.results.map((r) => [r.rule, r.column ?? "", r.failed_count]);
      assertEquals(counts, expectedCounts(RULE_CASES));
      assertEquals(result.document.dataset.rows, 10);
    });
  }
}

Deno.test("a missing column fails with the row count and names the column", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const result = await validate({
    name: "drift",
    datasource: parquet,
    rules: [{ name: "unique", params: { column: "emial" } }],
  });
  const [rule] = result.results;
  assertEquals(rule.passed, false);
  assertEquals(rule.failed_count, 10);
  assertEquals(rule.message, 'column "emial" not found in the data (did you mean "email"?)');
  assertEquals(result.passed, false);
});

Deno.test("tiers: Parquet footers answer not_null, row counts and dtype; CSV needs a scan", async () => {
  await using dir = await tempDir();
  const files = writeBoth(peopleFrame(), dir.path, "people");
  const rules = [
    { name: "not_null", params: { column: "email" } },
    { name: "min_rows", params: { threshold: 1 } },
    { name: "dtype", params: { column: "id", type: "int" } },
    { name: "unique", params: { column: "id" } },
    { name: "custom_sql_check", params: { sql: "SELECT * FROM {table} WHERE id < 0" } },
  ];
  const tiers = async (datasource: string, metadata = true) =>
    (await validate({ name: "t", datasource, rules }, { metadata })).results.map((r) =>
      r.execution_source
    );
  assertEquals(await tiers(files.parquet), ["metadata", "metadata", "metadata", "scan", "sql"]);
  assertEquals(await tiers(files.parquet, false), ["scan", "scan", "metadata", "scan", "sql"]);
  assertEquals(await tiers(files.csv), ["scan", "scan", "metadata", "scan", "sql"]);
});

Deno.test("exact dtype names distinguish widths", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const result = await validate({
    name: "widths",
    datasource: parquet,
    rules: [
      { name: "dtype", params: { column: "age", type: "int32" }, id: "a" },
      { name: "dtype", params: { column: "age", type: "int64" }, id: "b" },
      { name: "dtype", params: { column: "age", type: "uint32" }, id: "c" },
      { name: "dtype", params: { column: "score", type: "float32" }, id: "d" },
    ],
  });
  assertEquals(result.results.map((r) => r.failed_count), [0, 10, 10, 10]);
  assertEquals(result.results[1].message, "age is Int32, expected int64");
});

Deno.test("empty datasets: a 0-row Parquet file, a header-only CSV and a 0-byte CSV", async () => {
  await using dir = await tempDir();
  const parquet = `${dir.path}/empty.parquet`;
  pl.DataFrame({ id: pl.Series("id", [], pl.Int64), email: pl.Series("email", [], pl.Utf8) })
    .writeParquet(parquet);
  const headerOnly = `${dir.path}/header.csv`;
  await Deno.writeTextFile(headerOnly, "id,email\n");
  const zeroBytes = `${dir.path}/zero.csv`;
  await Deno.writeTextFile(zeroBytes, "");
  const rules = [
    { name: "not_null", params: { column: "id" } },
    { name: "unique", params: { column: "email" } },
    { name: "regex", params: { column: "email", pattern: "@" } },
    { name: "min_rows", params: { threshold: 1 } },
    { name: "max_rows", params: { threshold: 0 } },
  ];
  for (const datasource of [parquet, headerOnly]) {
    const result = await validate({ name: "empty", datasource, rules });
    assertEquals(result.results.map((r) => [r.failed_count, r.passed]), [
      [0, true],
      [0, true],
      [0, true],
      [1, false],
      [0, true],
    ]);
    assertEquals(result.document.dataset.rows, 0);
  }
  const zero = await validate({ name: "empty", datasource: zeroBytes, rules });
  // No columns at all: column rules report the missing column (0 rows fail, still a failure).
  assertEquals(zero.results.map((r) => [r.failed_count, r.passed]), [
    [0, false],
    [0, false],
    [0, false],
    [1, false],
    [0, true],
  ]);
});

Deno.test("only blocking failures fail the run", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const rule = (severity: string) => ({
    name: "not_null",
    params: { column: "email" },
    severity,
    id: severity,
  });
  const soft = await validate({
    name: "s",
    datasource: parquet,
    rules: [rule("warning"), rule("info")],
  });
  assertEquals(soft.passed, true);
  assertEquals(soft.summary, {
    rules: 2,
    passed: 0,
    failed: 2,
    blocking_failures: 0,
    warning_failures: 1,
    info_failures: 1,
  });
  const hard = await validate({ name: "h", datasource: parquet, rules: [rule("blocking")] });
  assertEquals(hard.passed, false);
  assertEquals(hard.summary.blocking_failures, 1);
});

Deno.test("a CSV Kontract with only dataset and duplicate rules still counts every row", async () => {
  await using dir = await tempDir();
  const { csv } = writeBoth(peopleFrame(), dir.path, "people");
  const result = await validate({
    name: "rows",
    datasource: csv,
    rules: [
      { name: "min_rows", params: { threshold: 12 } },
      { name: "unique", params: { column: "email" } },
    ],
  });
  assertEquals(result.document.dataset.rows, 10);
  assertEquals(result.results.map((r) => r.failed_count), [2, 2]);
});
