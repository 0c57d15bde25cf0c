/**
 * `conditional_not_null`, and `unique` limited by `when:`, on every tier (Parquet with and
 * without footers, CSV, S3, PostgreSQL, the Snowflake test server, MariaDB), quarantine
 * included; every duplicates engine (DuckDB's bitmap, hash and GROUP BY passes on the
 * source or on a local copy, Polars' partitioned passes), the fail-fast SQL form, and
 * the Kontract errors of a bad `when`. Counts by construction on `peopleFrame()`:
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
import pl from "nodejs-polars";
import { KontractError, validate } from "../../mod.ts";
import { countDuplicates } from "../../src/engine/scan.ts";
import { duplicatedValues } from "../../src/engine/measures/duplicates.ts";
import { compileCondition } from "../../src/rules/condition_compile.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { testEveryTier } from "../support/every_tier.ts";
import { peopleFrame, tempDir, writeBoth, writeText } from "../support/fixtures.ts";
import { loadFrame as loadMysql, mysqlTest, requireMysql, tempDatabase } from "../support/mysql.ts";
import {
  loadFrame as loadPostgres,
  pgTest,
  requirePostgres,
  tempSchema,
} from "../support/postgres.ts";
import { startS3Server } from "../support/s3_server.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

testEveryTier("conditional_not_null and unique with when:", peopleFrame, [
  // US and DE rows 1, 2, 4, 7, 9: row 7's email is NULL.
  {
    rule: "conditional_not_null",
    params: { column: "email", when: "country IN ('US', 'DE')" },
    failed: 1,
  },
  // Rows 2 and 7 (not active) and 9, 10 (score above 3): ages 30, 20, 99, 30.
  {
    rule: "conditional_not_null",
    params: { column: "age", when: "active = false OR score > 3" },
    failed: 0,
  },
  // Emails from "b" up, byte order: b@x.io, ünï@x.io, bad, c@x.io (rows 2, 6, 8, 10):
  // row 8's age is NULL. ("B…" or "a…" would not be; MySQL's collation must not fold.)
  { rule: "conditional_not_null", params: { column: "age", when: "email >= 'b'" }, failed: 1 },
  // The params' condition AND the rule's when: scores ≥ 1.5 (rows 1, 2, 3, 7, 8, 9, 10)
  // with a NULL or "bad" email (rows 3, 7, 8): rows 3 and 8 have no age.
  {
    rule: "conditional_not_null",
    params: { column: "age", when: "score >= 1.5" },
    when: "email IS NULL OR email = 'bad'",
    failed: 2,
  },
  // No row matches: nothing to check.
  { rule: "conditional_not_null", params: { column: "country", when: "id > 100" }, failed: 0 },
  // Active rows 1, 3, 5, 6, 8, 9, 10: ages 20, 20, 30, 99, 30 (two NULLs): 5 − 3 = 2, and
  // the four rows of 20 and 30 are quarantined (an Int32: DuckDB's bitmap).
  { rule: "unique", params: { column: "age" }, when: "active = true", failed: 2, quarantined: 4 },
  // US and DE rows 1, 2, 4, 7, 9: scores 1.5, 2.5, NULL, 2.5, 4: one repeat (rows 2 and 7;
  // a Float64: DuckDB's GROUP BY).
  {
    rule: "unique",
    params: { column: "score" },
    when: "country = 'US' OR country = 'DE'",
    failed: 1,
    quarantined: 2,
  },
  // Ages 30 and up: rows 2, 4, 6, 9, 10 → false, NULL, true, true, true: 4 − 2 = 2; the
  // three true rows are quarantined, row 2's false is alone.
  { rule: "unique", params: { column: "active" }, when: "age >= 30", failed: 2, quarantined: 3 },
  // Rows 1, 2, 9, 10: a@x.io twice (rows 1 and 9). Row 5 holds a@x.io too but does not
  // match: it is neither counted nor quarantined (a String: DuckDB's hash pass).
  {
    rule: "unique",
    params: { column: "email" },
    when: "id <= 2 OR id >= 9",
    failed: 1,
    quarantined: 2,
  },
  // Scores below 2: rows 1, 3, 5, 6 → US, NULL, FR, 日本: no repeat.
  { rule: "unique", params: { column: "country" }, when: "score < 2", failed: 0 },
  // No row matches.
  { rule: "unique", params: { column: "email" }, when: "age > 1000", failed: 0 },
]);

/** A Time column takes Polars' partitioned passes (DuckDB might compare it otherwise). */
function timesFrame(): pl.DataFrame {
  // By construction: group a holds 10:00 twice, 11:00 once and a NULL; group b holds
  // 10:00 once and 12:00 twice.
  const seconds = [36_000, 36_000, 39_600, null, 36_000, 43_200, 43_200];
  return pl.DataFrame([
    pl.Series("id", [1, 2, 3, 4, 5, 6, 7]).cast(pl.Int64),
    pl.Series("at", seconds.map((s) => s === null ? null : s * 1e9)).cast(pl.Int64).cast(pl.Time),
    pl.Series("grp", ["a", "a", "a", "a", "b", "b", "b"], pl.Utf8),
  ]);
}

const TIME_RULES = [
  // Group a: 10:00 ×2, 11:00: one repeat, rows 1 and 2.
  { name: "unique", id: "a", params: { column: "at" }, when: "grp = 'a'" },
  // Group b: 12:00 ×2: rows 6 and 7 (row 5's 10:00 repeats only across groups).
  { name: "unique", id: "b", params: { column: "at" }, when: "grp != 'a'" },
  // Every row: 10:00 ×3, 12:00 ×2: 6 − 3 = 3.
  { name: "unique", id: "all", params: { column: "at" } },
];

Deno.test("unique with when: on a Time column: Polars' passes, local and S3 (a copy)", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(timesFrame(), dir.path, "times");
  const server = await startS3Server();
  try {
    await server.createBucket("lake");
    await server.putFile("lake", "times.parquet", parquet);
    {
      for (const datasource of [parquet, "s3://lake/times.parquet"]) {
        const result = await validate({ name: "t", datasource, rules: TIME_RULES }, {
          env: server.env(),
        });
        assertEquals(
          result.results.map((r) => [r.rule_id, r.failed_count, r.status]),
          [["a", 1, "failed"], ["b", 1, "failed"], ["all", 3, "failed"]],
          datasource,
        );
        const action = await result.quarantine({ location: `${dir.path}/q${datasource.length}` });
        assertEquals(action.status, "succeeded", action.message);
        const manifest = JSON.parse(await Deno.readTextFile(`${action.location}_manifest.json`));
        assertEquals(manifest.rows_per_rule, { a: 2, b: 2, all: 5 }, datasource);
      }
    }
  } finally {
    await server.close();
  }
});

Deno.test("Polars' duplicate passes honour the condition, in one partition and in many", () => {
  // By construction: v repeats "a" (rows 0, 2, 8) and "f" (rows 10, 11); keep holds on
  // rows 0, 1, 2, 3, 4, 10: of those, only "a" repeats (rows 0 and 2).
  const frame = pl.DataFrame({
    v: ["a", "b", "a", null, "c", "b", null, "d", "a", "e", "f", "f"],
    keep: [true, true, true, true, true, false, null, false, false, false, true, null],
  });
  const columns = new Map([
    ["v", { name: "v", dtype: "String" }],
    ["keep", { name: "keep", dtype: "Bool" }],
  ]);
  const where = compileCondition("keep = TRUE", columns).polars();
  for (const partitionRows of [1_000, 2]) {
    assertEquals(
      duplicatedValues(() => frame.lazy(), "v", frame.height, partitionRows, where)
        .toArray(),
      ["a"],
    );
    assertEquals(
      countDuplicates(() => frame.lazy(), "v", frame.height, partitionRows, where).count,
      1,
    );
  }
});

/** Fail-fast (`tally: false`): the EXISTS form stops at the first repeat among matching rows. */
async function checkFailFast(datasource: string, env: Record<string, string>): Promise<void> {
  const result = await validate({
    name: "fail-fast",
    datasource,
    rules: [
      // Rows 1 and 9 repeat a@x.io: found, the count a lower bound of 1.
      {
        name: "unique",
        id: "found",
        params: { column: "email" },
        when: "id >= 9 OR id = 1",
        tally: false,
      },
      // US rows 1, 4, 7: a@x.io, "", NULL: no repeat, though a@x.io repeats elsewhere.
      {
        name: "unique",
        id: "none",
        params: { column: "email" },
        when: "country = 'US'",
        tally: false,
      },
    ],
  }, { env });
  assertEquals(
    result.results.map((r) => [r.rule_id, r.failed_count, r.passed]),
    [["found", 1, false], ["none", 0, true]],
    datasource,
  );
}

Deno.test(pgTest("unique with when: fail-fast on PostgreSQL"), async () => {
  const postgres = requirePostgres();
  await using schema = await tempSchema(postgres);
  await loadPostgres(postgres, schema.name, "people", peopleFrame());
  await checkFailFast(`${postgres.url}/${schema.name}.people`, {});
});

Deno.test(mysqlTest("unique with when: fail-fast on MariaDB"), async () => {
  const mysql = requireMysql();
  await using db = await tempDatabase(mysql);
  await loadMysql(mysql, db.name, "people", peopleFrame());
  await checkFailFast(`${db.url}/people`, {});
});

Deno.test("unique with when: fail-fast on the Snowflake test server", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    await checkFailFast(sf.tableUri("people"), sf.env);
  });
});

Deno.test("conditional_not_null: a bad when is a Kontract error naming file:line:col", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const kontract = (when: string) =>
    writeText(
      dir.path,
      "k.yml",
      [
        "name: k",
        `datasource: ${parquet}`,
        "rules:",
        "  - name: conditional_not_null",
        `    params: { column: email, when: ${JSON.stringify(when)} }`,
        "",
      ].join("\n"),
    );
  // A syntax error: at load, with the character.
  await assertRejectsWith(
    validate(await kontract("country = ")),
    KontractError,
    /k\.yml:5:\d+: rules\[0\]\.params\.when: expected a value after "=", found the end at character 11/,
    2,
  );
  // A column the data lacks, and a value the column cannot hold: when planned.
  const unknown = await assertRejectsWith(
    validate(await kontract("contry = 'DE'")),
    KontractError,
    /column "contry" not found in the data \(did you mean "country"\?\)/,
    2,
  );
  assert.match(unknown.message, /k\.yml:4:\d+/);
  await assertRejectsWith(
    validate(await kontract("age = 'abc'")),
    KontractError,
    /'abc' \(at character 7\) cannot be compared with column "age" of type Int32/,
    2,
  );
  // Params are strict.
  await assertRejectsWith(
    validate(await kontract("")),
    KontractError,
    /rules\[0\]\.params\.when/,
    2,
  );
});
