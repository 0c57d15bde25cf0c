/**
 * `schema` and `column_count` on every tier (Parquet with footers on and off, CSV, S3,
 * PostgreSQL, the Snowflake test server, MySQL/MariaDB): the same problems counted from
 * each source's own schema. Then drift across files, messages, and bad params.
 */
import pl from "nodejs-polars";
import { KontractError, validate } from "../../mod.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";

// peopleFrame's columns, in order: id (Int64), email, country (text), age (Int32),
// score (Float64), active (Bool). Types by family, as every source types them alike.
const SCHEMA_CASES: TierCase[] = [
  {
    rule: "schema",
    params: {
      columns: { id: "int", email: "string", country: "string", age: "int", score: "float" },
      mode: "contains",
    },
    failed: 0,
  },
  // A list keeps the order; `null` or a bare name takes any type.
  {
    rule: "schema",
    params: {
      columns: ["id", { email: "string" }, "country", "age", { score: "numeric" }, "active"],
      mode: "ordered",
    },
    failed: 0,
  },
  { rule: "schema", params: { columns: { active: null, id: null, age: "int" } }, failed: 3 },
  // email mistyped, nickname missing; country, age, score, active unexpected: 6.
  {
    rule: "schema",
    params: { columns: { id: "int", email: "int", nickname: "string" } },
    failed: 6,
  },
  // Ordered: the same six columns, id and email swapped: both out of order.
  {
    rule: "schema",
    params: { columns: ["email", "id", "country", "age", "score", "active"], mode: "ordered" },
    failed: 2,
  },
  // Contains: extra columns are fine, a case-different name is not the column.
  { rule: "schema", params: { columns: { Id: null }, mode: "contains" }, failed: 1 },
  { rule: "column_count", params: { min: 6, max: 6 }, failed: 0 },
  { rule: "column_count", params: { min: 8 }, failed: 2 },
  { rule: "column_count", params: { max: 2 }, failed: 4 },
];

testEveryTier("schema and column_count", peopleFrame, SCHEMA_CASES);

Deno.test("schema names each problem; column_count says the count", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const result = await validate({
    name: "people",
    datasource: parquet,
    rules: [
      { name: "schema", params: { columns: { id: "string", emial: "string", country: null } } },
      { name: "schema", id: "ordered", params: { columns: ["email", "id"], mode: "ordered" } },
      { name: "column_count", params: { min: 1, max: 3 } },
    ],
  }, { actions: false });
  const [mistyped, ordered, count] = result.results;
  assertEquals(mistyped.rule_id, "DATASET:schema");
  assertEquals(mistyped.failed_count, 6);
  assertEquals(
    mistyped.message,
    "schema (exact) differs: id is Int64, expected string; missing emial (did you mean email?); " +
      "unexpected email; unexpected age; unexpected score; unexpected active",
  );
  assert.match(ordered.message, /email out of order \(column 2, expected 1\)/);
  assert.match(ordered.message, /id out of order \(column 1, expected 2\)/);
  assertEquals(count.message, "6 columns, expected 1 to 3");
  assertEquals(count.failed_count, 3);
  assertEquals(count.execution_source, "metadata");
});

Deno.test("schema: a column that drifted across files is a problem, and counts once", async () => {
  await using dir = await tempDir();
  const frame = pl.DataFrame({ id: [1, 2], name: ["a", "b"] });
  frame.writeParquet(`${dir.path}/part-1.parquet`);
  frame.drop("name").withColumn(pl.lit(7).alias("extra")).writeParquet(
    `${dir.path}/part-2.parquet`,
  );
  const result = await validate({
    name: "drift",
    datasource: `${dir.path}/*.parquet`,
    rules: [
      { name: "schema", params: { columns: { id: "int", name: "string" } } },
      { name: "column_count", params: { max: 3 } },
    ],
  }, { actions: false });
  const [schema, count] = result.results;
  // name drifted (missing from part-2); extra drifted and is unexpected.
  assertEquals(schema.failed_count, 3);
  assert.match(schema.message, /name/);
  assert.match(schema.message, /unexpected extra/);
  assertEquals(count.failed_count, 0);
  assertEquals(count.message, "3 columns, at most 3");
});

Deno.test("bad schema and column_count params are Kontract errors naming the field", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ name: "schema", params: { columns: {} } }, /columns.*lists no column/],
    [{ name: "schema", params: { columns: [] } }, /columns.*lists no column/],
    [{ name: "schema", params: { columns: { id: "integer64" } } }, /columns.id.*unknown type/],
    [{ name: "schema", params: { columns: ["id", "id"] } }, /lists id twice/],
    [{ name: "schema", params: { columns: ["id"], mode: "loose" } }, /mode/],
    [{ name: "schema", params: { columns: [{ id: "int", age: "int" }] } }, /one `name: type`/],
    [{ name: "column_count", params: {} }, /needs min, max or both/],
    [{ name: "column_count", params: { min: 3, max: 2 } }, /min \(3\) is greater than max \(2\)/],
    [{ name: "column_count", params: { min: -1 } }, /min.*0 or more/],
    [
      { name: "schema", params: { columns: ["id"] }, when: "id = 1" },
      /rules\[0\]\.when: .*read a column/,
    ],
  ];
  for (const [rule, message] of bad) {
    await assertRejectsWith(
      validate({ name: "bad", datasource: parquet, rules: [rule] }, { actions: false }),
      KontractError,
      message,
      2,
    );
  }
});
