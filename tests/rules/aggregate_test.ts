/**
 * `aggregate` on every tier (Parquet footers, Parquet scan, CSV, S3, PostgreSQL, the
 * Snowflake test server, MariaDB), with statistics known by construction, then its
 * metadata answers (`--explain`), its DuckDB pass on files, `when:` and bad params.
 *
 * The frame: the events frame (tests/support/events_frame.ts: `day` 2023-12-31 …
 * 2024-03-01 with one NULL) and
 *
 * | id | age  | score | name | grp | never |
 * |----|------|-------|------|-----|-------|
 * | 1  | 30   | 1.5   | b    | x   | NULL  |
 * | 2  | 40   | 2.5   | a    | x   | NULL  |
 * | 3  | 30   | NULL  | c    | y   | NULL  |
 * | 4  | NULL | 4.0   | a    | y   | NULL  |
 * | 5  | 20   | 0.5   | NULL | x   | NULL  |
 * | 6  | 60   | 3.5   | B    | y   | NULL  |
 * | 7  | 40   | NULL  | é    | x   | NULL  |
 * | 8  | 60   | 2.5   | a    | y   | NULL  |
 *
 * - age (Int64): 7 values 20, 30, 30, 40, 40, 60, 60: min 20, max 60, sum 280, mean 40,
 *   median 40, 4 distinct, null_ratio 1/8; sample stddev √(1400/6);
 *   where grp = 'x': 30, 40, 20, 40: sum 130, mean 32.5, median 35 (the mean of 30 and
 *   40), 3 distinct, no NULL (null_ratio 0); where grp = 'y': 30, NULL, 60, 60: min 30,
 *   median 60, null_ratio 1/4; where grp = 'z': no rows, so no statistic but the
 *   distinct count; where id = 1: one value, so no sample stddev;
 * - score (Float64): 6 values 0.5, 1.5, 2.5, 2.5, 3.5, 4.0: sum 14.5, mean 14.5/6,
 *   median 2.5 (an even count: the mean of 2.5 and 2.5), 5 distinct, null_ratio 2/8;
 * - name (String): min "B" (byte order: upper case first), max "é", 5 distinct;
 * - never (Float64, all NULL): no mean, no min; null_ratio 1; 0 distinct.
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";
import { explain, KontractError, validate } from "../../mod.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { tempDir, writeBoth } from "../support/fixtures.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";

function aggregateFrame(): DataFrame {
  return eventsFrame().select("id", "day").withColumns(
    pl.Series("age", [30, 40, 30, null, 20, 60, 40, 60]).cast(pl.Int64),
    pl.Series("score", [1.5, 2.5, null, 4.0, 0.5, 3.5, null, 2.5]).cast(pl.Float64),
    pl.Series("name", ["b", "a", "c", "a", null, "B", "é", "a"]).cast(pl.String),
    pl.Series("grp", ["x", "x", "y", "y", "x", "y", "x", "y"]).cast(pl.String),
    pl.Series("never", [null, null, null, null, null, null, null, null]).cast(pl.Float64),
  );
}

/** The sample standard deviation (n − 1) of `values`. */
function sampleStddev(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

const AGES = [20, 30, 30, 40, 40, 60, 60];
const SCORES = [0.5, 1.5, 2.5, 2.5, 3.5, 4.0];

const stat = (column: string, statName: string, bounds: { min?: unknown; max?: unknown }) => ({
  rule: "aggregate",
  params: { column, stat: statName, ...bounds },
});

const cases: TierCase[] = [
  // Integers, every stat, a bound met exactly (inclusive) and one missed.
  { ...stat("age", "min", { min: 20 }), failed: 0, measured: 20 },
  { ...stat("age", "min", { min: 21 }), failed: 1, measured: 20 },
  { ...stat("age", "max", { max: 60 }), failed: 0, measured: 60 },
  { ...stat("age", "max", { min: 0, max: 59 }), failed: 1, measured: 60 },
  { ...stat("age", "sum", { min: 280, max: 280 }), failed: 0, measured: 280 },
  { ...stat("age", "sum", { max: 279 }), failed: 1, measured: 280 },
  { ...stat("age", "mean", { min: 40, max: 40 }), failed: 0, measured: 40 },
  { ...stat("age", "mean", { max: 39.5 }), failed: 1, measured: 40 },
  { ...stat("age", "median", { min: 40, max: 40 }), failed: 0, measured: 40 },
  { ...stat("age", "median", { min: 41 }), failed: 1, measured: 40 },
  { ...stat("age", "stddev", { min: 15, max: 16 }), failed: 0, measured: sampleStddev(AGES) },
  { ...stat("age", "stddev", { max: 15 }), failed: 1, measured: sampleStddev(AGES) },
  { ...stat("age", "count_distinct", { min: 4, max: 4 }), failed: 0, measured: 4 },
  { ...stat("age", "count_distinct", { min: 5 }), failed: 1, measured: 4 },
  { ...stat("age", "null_ratio", { max: 0.125 }), failed: 0, measured: 0.125 },
  { ...stat("age", "null_ratio", { max: 0.1 }), failed: 1, measured: 0.125 },
  // Floats: an even count's median, a float sum and mean.
  { ...stat("score", "sum", { min: 14.5, max: 14.5 }), failed: 0, measured: 14.5 },
  { ...stat("score", "mean", { min: 2.4, max: 2.5 }), failed: 0, measured: 14.5 / 6 },
  { ...stat("score", "median", { min: 2.5, max: 2.5 }), failed: 0, measured: 2.5 },
  { ...stat("score", "stddev", { max: 1 }), failed: 1, measured: sampleStddev(SCORES) },
  { ...stat("score", "min", { min: 0.5 }), failed: 0, measured: 0.5 },
  { ...stat("score", "count_distinct", { max: 5 }), failed: 0, measured: 5 },
  { ...stat("score", "null_ratio", { min: 0.25, max: 0.25 }), failed: 0, measured: 0.25 },
  // Text: byte order ("B" < "a" < "é"), distinct values byte for byte.
  { ...stat("name", "min", { min: "B" }), failed: 0, measured: "B" },
  { ...stat("name", "min", { min: "a" }), failed: 1, measured: "B" },
  { ...stat("name", "max", { max: "z" }), failed: 1, measured: "é" },
  { ...stat("name", "count_distinct", { min: 5, max: 5 }), failed: 0, measured: 5 },
  // Dates: bounds read as dates.
  { ...stat("day", "min", { min: "2023-12-31" }), failed: 0 },
  { ...stat("day", "max", { max: "2024-02-29" }), failed: 1 },
  // No value: no statistic, the rule fails; the NULL share and distinct count exist.
  // (`never` is text on CSV, so the numeric stats take no rows of `age` instead.)
  { ...stat("age", "mean", { min: 0 }), when: "grp = 'z'", failed: 1, measured: null },
  { ...stat("age", "min", { min: 0 }), when: "grp = 'z'", failed: 1, measured: null },
  { ...stat("age", "median", { min: 0 }), when: "grp = 'z'", failed: 1, measured: null },
  { ...stat("age", "sum", { min: 0 }), when: "grp = 'z'", failed: 1, measured: null },
  { ...stat("age", "stddev", { min: 0 }), when: "id = 1", failed: 1, measured: null },
  { ...stat("age", "null_ratio", { max: 1 }), when: "grp = 'z'", failed: 1, measured: null },
  { ...stat("never", "null_ratio", { min: 1 }), failed: 0, measured: 1 },
  { ...stat("never", "count_distinct", { max: 0 }), failed: 0, measured: 0 },
  // when: only the rows of one group.
  { ...stat("age", "sum", { min: 130, max: 130 }), when: "grp = 'x'", failed: 0, measured: 130 },
  { ...stat("age", "mean", { max: 32 }), when: "grp = 'x'", failed: 1, measured: 32.5 },
  { ...stat("age", "median", { min: 35, max: 35 }), when: "grp = 'x'", failed: 0, measured: 35 },
  { ...stat("age", "median", { min: 60, max: 60 }), when: "grp = 'y'", failed: 0, measured: 60 },
  { ...stat("age", "count_distinct", { max: 3 }), when: "grp = 'x'", failed: 0, measured: 3 },
  { ...stat("age", "null_ratio", { max: 0 }), when: "grp = 'x'", failed: 0, measured: 0 },
  { ...stat("age", "null_ratio", { min: 0.25 }), when: "grp = 'y'", failed: 0, measured: 0.25 },
  { ...stat("age", "max", { max: 40 }), when: "grp = 'x'", failed: 0, measured: 40 },
  { ...stat("age", "min", { min: 30 }), when: "grp = 'y'", failed: 0, measured: 30 },
];

testEveryTier("aggregate", aggregateFrame, cases);

// Timestamps, bounds read as instants (`at_utc`) or wall times (`at`), to the microsecond.
testEveryTier("aggregate timestamps", () => eventsFrame(), [
  { ...stat("at_utc", "min", { min: "2023-12-31T23:00:00Z" }), failed: 0 },
  { ...stat("at_utc", "min", { min: "2024-01-01T00:00:00+01:00" }), failed: 0 },
  { ...stat("at_utc", "min", { min: "2023-12-31T23:00:00.000001Z" }), failed: 1 },
  {
    ...stat("at_utc", "max", { max: "2024-03-01 06:00:00" }),
    failed: 0,
    measured: "2024-03-01 06:00:00",
  },
  { ...stat("at", "max", { max: "2024-03-01 05:59:59.999999" }), failed: 1 },
  { ...stat("at", "max", { max: "2024-01-31 23:59:59.999999" }), when: "id < 8", failed: 1 },
  { ...stat("at", "max", { max: "2024-02-01" }), when: "id < 8", failed: 0 },
], { skip: { csv: "CSV holds timestamps as text: its min and max compare as text" } });

/** The Kontract of one aggregate rule over `datasource`. */
function kontractOf(datasource: string, params: Record<string, unknown>, when?: string) {
  return {
    name: "aggregate",
    datasource,
    rules: [{ name: "aggregate", params, ...(when ? { when } : {}) }],
  };
}

Deno.test("aggregate: footer statistics answer min, max and null_ratio on Parquet", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(aggregateFrame(), dir.path, "data");
  const answers = [
    [{ column: "age", stat: "min", min: 20 }, 20],
    [{ column: "age", stat: "max", max: 60 }, 60],
    [{ column: "score", stat: "null_ratio", max: 0.25 }, 0.25],
    [{ column: "name", stat: "max", max: "é" }, "é"],
    [{ column: "never", stat: "min", min: 0 }, null],
  ] as const;
  for (const [params, value] of answers) {
    const result = await validate(kontractOf(parquet, params));
    const [rule] = result.results;
    assertEquals(
      [rule.rule_id, rule.execution_source, rule.measured_value],
      ["DATASET:aggregate", "metadata", value],
      JSON.stringify(params),
    );
    const explained = await explain(kontractOf(parquet, params));
    assertEquals(explained.rules[0].tier, "metadata");
    assert(explained.rules[0].how.startsWith("footer statistics"), explained.rules[0].how);
    // Nothing but the footers is read.
    assertEquals(explained.reads.map((read) => read.tier), ["metadata"]);
  }
  // A condition is never answered from the footers.
  const limited = await validate(
    kontractOf(parquet, { column: "age", stat: "min", min: 30 }, "grp = 'y'"),
  );
  assertEquals(limited.results[0].execution_source, "scan");
  assertEquals(limited.results[0].measured_value, 30);
});

Deno.test("aggregate: median and count_distinct are a DuckDB pass of their own on files", async () => {
  await using dir = await tempDir();
  const { parquet, csv } = writeBoth(aggregateFrame(), dir.path, "data");
  for (const datasource of [parquet, csv]) {
    for (const statName of ["median", "count_distinct"]) {
      const explained = await explain(
        kontractOf(datasource, { column: "age", stat: statName, min: 0 }),
      );
      assertEquals(explained.rules[0].tier, "sql");
      const pass = explained.reads.find((read) => read.what.startsWith(`${statName} of age`));
      assert(pass, `${datasource}: ${JSON.stringify(explained.reads)}`);
      assert(pass.what.includes("in DuckDB"), pass.what);
    }
  }
});

Deno.test("aggregate: the message says the statistic and the bound it misses", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(aggregateFrame(), dir.path, "data");
  const run = async (params: Record<string, unknown>) =>
    (await validate(kontractOf(parquet, params), { metadata: false })).results[0].message;
  assertEquals(
    await run({ column: "age", stat: "mean", max: 39.5 }),
    "mean of age is 40, above the maximum 39.5",
  );
  assertEquals(
    await run({ column: "age", stat: "sum", min: 300 }),
    "sum of age is 280, below the minimum 300",
  );
  assertEquals(
    await run({ column: "age", stat: "median", min: 10, max: 50 }),
    "median of age is 40, within [10, 50]",
  );
  assertEquals(
    await run({ column: "never", stat: "mean", min: 0 }),
    "no mean of never (no non-null value), expected at least 0",
  );
  assertEquals(
    await run({ column: "day", stat: "max", max: "2024-02-29" }),
    'max of day is "2024-03-01", above the maximum "2024-02-29"',
  );
});

Deno.test("aggregate: several in one Kontract need ids (a duplicate id is a Kontract error)", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(aggregateFrame(), dir.path, "data");
  const rules = [
    { name: "aggregate", params: { column: "age", stat: "min", min: 0 } },
    { name: "aggregate", params: { column: "age", stat: "max", max: 100 } },
  ];
  await assertRejectsWith(
    validate({ name: "two", datasource: parquet, rules }),
    KontractError,
    /duplicate rule id "DATASET:aggregate"/,
    2,
  );
  const named = await validate({
    name: "two",
    datasource: parquet,
    rules: rules.map((rule, index) => ({ ...rule, id: `age_${index}` })),
  });
  assertEquals(named.results.map((rule) => [rule.rule_id, rule.passed]), [
    ["age_0", true],
    ["age_1", true],
  ]);
});

Deno.test("aggregate: bad params are Kontract errors naming file:line:col", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(aggregateFrame(), dir.path, "data");
  const bad: [string, string][] = [
    ["{ column: age, stat: mean }", "needs min, max or both"],
    ["{ column: age, stat: average, min: 1 }", "stat"],
    ["{ column: age, stat: mean, min: 5, max: 1 }", "min (5) is greater than max (1)"],
    ["{ column: age, stat: mean, min: '5' }", "mean is a number: min must be a number"],
    ["{ column: age, stat: sum, min: 1, extra: 2 }", "extra"],
  ];
  for (const [params, expected] of bad) {
    const path = `${dir.path}/bad.yml`;
    await Deno.writeTextFile(
      path,
      `name: bad\ndatasource: ${parquet}\nrules:\n  - name: aggregate\n    params: ${params}\n`,
    );
    const error = await assertRejectsWith(validate(path), KontractError, /./, 2);
    // The file as a label (relative to the working directory when that is shorter).
    assert.match(error.message, /bad\.yml:5:\d+: rules\[0\]\.params/);
    assert(error.message.includes(expected), error.message);
  }
  // Checked against the column's type before any row is read.
  const typed: [Record<string, unknown>, string][] = [
    [{ column: "name", stat: "mean", min: 1 }, "it needs a numeric column"],
    [{ column: "day", stat: "min", min: "soon" }, "min "],
    [{ column: "day", stat: "min", min: "2024-02-01", max: "2024-01-01" }, "greater than max"],
    [{ column: "name", stat: "max", max: 5 }, "is a number"],
  ];
  for (const [params, expected] of typed) {
    const error = await assertRejectsWith(
      validate(kontractOf(parquet, params)),
      KontractError,
      /aggregate/,
      2,
    );
    assert(error.message.includes(expected), error.message);
  }
});
