/**
 * Every rule against counts known by construction, on Parquet and CSV, with the
 * metadata tier on and off: all tiers must give the same numbers.
 */
import { assertEquals } from "../support/assert.ts";
import { validate } from "../../mod.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import pl from "nodejs-polars";

/** [rule, params, expected failed_count] on `peopleFrame()`, the same for both formats. */
const CASES: [string, Record<string, unknown>, number][] = [
  ["not_null", { column: "email" }, 2],
  ["not_null", { column: "country" }, 1],
  ["not_null", { column: "age" }, 2],
  ["not_null", { column: "id" }, 0],
  ["unique", { column: "email" }, 2], // a@x.io three times; "" counts as a value
  ["unique", { column: "id" }, 0],
  ["unique", { column: "age" }, 4],
  ["unique", { column: "score" }, 2],
  ["unique", { column: "country" }, 3], // "de" and "DE" differ
  ["allowed_values", { column: "country", values: ["US", "DE", "FR"] }, 3],
  ["allowed_values", { column: "age", values: [20, 30] }, 2],
  ["allowed_values", { column: "age", values: ["20", 30, "abc"] }, 2],
  ["allowed_values", { column: "active", values: [true] }, 2],
  ["allowed_values", { column: "score", values: [1.5, 2.5] }, 5],
  ["allowed_values", { column: "email", values: [] }, 8],
  ["regex", { column: "email", pattern: "@" }, 2],
  ["regex", { column: "email", pattern: "^[a-z]+@" }, 3],
  ["regex", { column: "country", pattern: "本" }, 8],
  ["regex", { column: "country", pattern: "^\\p{Han}+$" }, 8],
  ["dtype", { column: "id", type: "int" }, 0],
  ["dtype", { column: "id", type: "string" }, 10],
  ["dtype", { column: "email", type: "utf8" }, 0],
  ["dtype", { column: "score", type: "numeric" }, 0],
  ["dtype", { column: "score", type: "float64" }, 0],
  ["dtype", { column: "active", type: "boolean" }, 0],
  ["min_rows", { threshold: 5 }, 0],
  ["min_rows", { threshold: 15 }, 5],
  ["max_rows", { threshold: 8 }, 2],
  ["max_rows", { threshold: 10 }, 0],
  ["custom_sql_check", { sql: "SELECT * FROM {table} WHERE age > 50" }, 1],
  ["custom_sql_check", { sql: "SELECT email FROM {table} GROUP BY email HAVING count(*) > 1" }, 2],
  ["not_null", { column: "no_such_column" }, 10],
];

function kontractOf(cases: typeof CASES, datasource: string) {
  return {
    name: "people",
    datasource,
    rules: cases.map(([name, params], index) => ({ name, params, id: `r${index}` })),
  };
}

for (const format of ["parquet", "csv"] as const) {
  for (const metadata of [true, false]) {
    Deno.test(`every rule counts exactly on ${format} (metadata tier ${metadata ? "on" : "off"})`, async () => {
      await using dir = await tempDir();
      const files = writeBoth(peopleFrame(), dir.path, "people");
      const result = await validate(kontractOf(CASES, files[format]), { metadata });
      const counts = result.results.map((r) => [r.rule, r.column ?? "", r.failed_count]);
      const expected = CASES.map(([rule, params, count]) => [rule, params.column ?? "", count]);
      assertEquals(counts, expected);
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
