/**
 * `when:` and `tolerance:` on every tier, with counts known by construction on
 * `peopleFrame()` (tests/support/fixtures.ts):
 *
 * | id | email    | country | age  | score | active |
 * |----|----------|---------|------|-------|--------|
 * | 1  | a@x.io   | US      | 20   | 1.5   | true   |
 * | 2  | b@x.io   | DE      | 30   | 2.5   | false  |
 * | 3  | NULL     | NULL    | NULL | 1.5   | true   |
 * | 4  | ""       | US      | 40   | NULL  | NULL   |
 * | 5  | a@x.io   | FR      | 20   | 0     | true   |
 * | 6  | ünï@x.io | 日本    | 30   | -1    | true   |
 * | 7  | NULL     | US      | 20   | 2.5   | false  |
 * | 8  | bad      | de      | NULL | 3     | true   |
 * | 9  | a@x.io   | DE      | 99   | 4     | true   |
 * | 10 | c@x.io   | ""      | 30   | 5     | true   |
 */
import { assertEquals, assertRejectsWith } from "../support/assert.ts";
import { KontractError, validate } from "../../mod.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import { testEveryTier } from "../support/every_tier.ts";

testEveryTier("when: and tolerance:", peopleFrame, [
  // US rows 1, 4, 7: only 7's email is NULL ("" is a value).
  { rule: "not_null", params: { column: "email" }, when: "country = 'US'", failed: 1 },
  // Active rows 1, 3, 5, 6, 8, 9, 10: row 3.
  { rule: "not_null", params: { column: "email" }, when: "active = true", failed: 1 },
  // Rows 2, 4, 7 (row 4's active is NULL): row 7.
  {
    rule: "not_null",
    params: { column: "email" },
    when: "active = false OR active IS NULL",
    failed: 1,
  },
  // Not US/DE: 5, 6, 8, 10 (row 3's NULL country makes the condition NULL: left out). Row 8.
  {
    rule: "not_null",
    params: { column: "age" },
    when: "NOT (country IN ('US', 'DE'))",
    failed: 1,
  },
  // Rows 6–10: "bad" has no @ (row 7 is NULL: not regex's business).
  { rule: "regex", params: { column: "email", pattern: "@" }, when: "id > 5", failed: 1 },
  // Scores ≥ 2.5: rows 2, 7, 8, 9, 10 → DE, US, de, DE, "": "de" and "" are not allowed.
  {
    rule: "allowed_values",
    params: { column: "country", values: ["US", "DE"] },
    when: "score >= 2.5",
    failed: 2,
  },
  // Active rows' emails: a@x.io ×3, ünï@x.io, bad, c@x.io (row 3 NULL): 6 − 4 = 2; the three
  // a@x.io rows are quarantined.
  {
    rule: "unique",
    params: { column: "email" },
    when: "active = true",
    failed: 2,
    quarantined: 3,
  },
  // Ages below 35: rows 1, 2, 5, 6, 7, 10 → US, DE, FR, 日本, US, "": one repeat (US ×2).
  { rule: "unique", params: { column: "country" }, when: "age < 35", failed: 1, quarantined: 2 },
  // A column compared with a column: id < age on rows 1, 2, 4, 5, 6, 7, 9, 10; row 4's score is NULL.
  { rule: "not_null", params: { column: "score" }, when: "id < age", failed: 1 },
  // A quoted quote matches no row.
  { rule: "not_null", params: { column: "email" }, when: "country = 'it''s'", failed: 0 },
  // Tolerances: 2 NULL emails of 10 rows.
  {
    rule: "not_null",
    params: { column: "email" },
    tolerance: { max_failed: 2 },
    failed: 2,
    passed: true,
  },
  {
    rule: "not_null",
    params: { column: "email" },
    tolerance: { max_failed: 1 },
    failed: 2,
    passed: false,
  },
  {
    rule: "not_null",
    params: { column: "email" },
    tolerance: { max_failed_ratio: 0.2 },
    failed: 2,
    passed: true,
  },
  {
    rule: "not_null",
    params: { column: "email" },
    tolerance: { max_failed_ratio: 0.19 },
    failed: 2,
    passed: false,
  },
  // The ratio is of the rows `when` selects: 1 of the 3 US rows.
  {
    rule: "not_null",
    params: { column: "email" },
    when: "country = 'US'",
    tolerance: { max_failed_ratio: 0.34 },
    failed: 1,
    passed: true,
  },
  {
    rule: "not_null",
    params: { column: "email" },
    when: "country = 'US'",
    tolerance: { max_failed_ratio: 0.3 },
    failed: 1,
    passed: false,
  },
  // 2 duplicates of the 7 active rows: 0.2857.
  {
    rule: "unique",
    params: { column: "email" },
    when: "active = true",
    tolerance: { max_failed_ratio: 0.25 },
    failed: 2,
    quarantined: 3,
  },
  {
    rule: "unique",
    params: { column: "email" },
    when: "active = true",
    tolerance: { max_failed_ratio: 0.3 },
    failed: 2,
    passed: true,
  },
  // Dataset rules take a tolerance too: 5 rows short of 15, and one row over 50.
  {
    rule: "min_rows",
    params: { threshold: 15 },
    tolerance: { max_failed: 5 },
    failed: 5,
    passed: true,
  },
  {
    rule: "custom_sql_check",
    params: { sql: "SELECT * FROM {table} WHERE age > 50" },
    tolerance: { max_failed: 1 },
    failed: 1,
    passed: true,
  },
]);

Deno.test("a result carries its condition, tolerance, checked rows and ratio", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const result = await validate({
    name: "t",
    datasource: parquet,
    rules: [
      {
        name: "not_null",
        params: { column: "email" },
        when: "country = 'US'",
        tolerance: { max_failed_ratio: 0.5 },
      },
      { name: "not_null", params: { column: "age" }, tolerance: { max_failed: 1 } },
    ],
  });
  const [scoped, counted] = result.results;
  assertEquals(scoped.when, "country = 'US'");
  assertEquals(scoped.tolerance, { max_failed_ratio: 0.5 });
  assertEquals([scoped.checked_rows, scoped.failed_ratio], [3, 1 / 3]);
  assertEquals(scoped.passed, true);
  assertEquals(
    scoped.message,
    "1 NULL values in email (within tolerance: at most 50% of checked rows) where country = 'US'",
  );
  assertEquals([counted.checked_rows, counted.failed_ratio, counted.passed], [10, 0.2, false]);
  assertEquals(result.passed, false);
});

Deno.test("Kontract errors: a bad when: or tolerance: names the file, line and column", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const kontract = async (rule: string) => {
    const path = `${dir.path}/k.yml`;
    await Deno.writeTextFile(path, `name: k\ndatasource: ${parquet}\nrules:\n${rule}\n`);
    return path;
  };
  const refused = async (rule: string, pattern: RegExp) => {
    await assertRejectsWith(validate(await kontract(rule)), KontractError, pattern, 2);
  };
  await refused(
    '  - { name: not_null, params: { column: email }, when: "country = " }',
    /k\.yml:4:\d+: rules\[0\]\.when: .*character/,
  );
  await refused(
    "  - { name: not_null, params: { column: email }, when: \"contry = 'US'\" }",
    /k\.yml:4:5: COL:email:not_null: when: .*contry.*country/,
  );
  await refused(
    '  - { name: dtype, params: { column: email, type: string }, when: "id > 1" }',
    /k\.yml:4:5: COL:email:dtype: when: does not apply to dtype/,
  );
  await refused(
    '  - { name: min_rows, params: { threshold: 1 }, when: "id > 1" }',
    /k\.yml:4:\d+: rules\[0\]\.when: when: applies to rules that read a column/,
  );
  await refused(
    "  - { name: not_null, params: { column: email }, tolerance: { max_failed: -1 } }",
    /k\.yml:4:\d+: rules\[0\]\.tolerance\.max_failed: /,
  );
  await refused(
    "  - { name: not_null, params: { column: email }, tolerance: { max_failed_ratio: 1.5 } }",
    /k\.yml:4:\d+: rules\[0\]\.tolerance\.max_failed_ratio: /,
  );
  await refused(
    "  - { name: not_null, params: { column: email }, tolerance: {} }",
    /k\.yml:4:\d+: rules\[0\]\.tolerance: give exactly one of max_failed and max_failed_ratio/,
  );
});
