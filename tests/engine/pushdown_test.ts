/**
 * Tier equivalence: the same dataset as Parquet (scan and metadata tiers), in PostgreSQL
 * and in the Snowflake test server (sql tier) gives the same failed_count for every rule,
 * exact, and in fail-fast mode (0, or 1 as a lower bound).
 */
import { assert, assertEquals } from "../support/assert.ts";
import { validate } from "../../mod.ts";
import type { Environment } from "../../src/core/environment.ts";
import type { RuleResult } from "../../src/report/result.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import { kontractOf } from "../support/rule_cases.ts";
import { loadFrame, pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

/**
 * [rule, params, expected failed_count] on `peopleFrame()`: rules_test.ts's cases, with
 * regular expressions every engine reads the same way (PostgreSQL and Snowflake have no
 * `\p{…}` classes).
 */
const CASES: [string, Record<string, unknown>, number][] = [
  ["not_null", { column: "email" }, 2],
  ["not_null", { column: "country" }, 1],
  ["not_null", { column: "age" }, 2],
  ["not_null", { column: "id" }, 0],
  ["unique", { column: "email" }, 2],
  ["unique", { column: "id" }, 0],
  ["unique", { column: "age" }, 4],
  ["unique", { column: "score" }, 2],
  ["unique", { column: "country" }, 3],
  ["allowed_values", { column: "country", values: ["US", "DE", "FR"] }, 3],
  ["allowed_values", { column: "age", values: [20, 30] }, 2],
  ["allowed_values", { column: "age", values: ["20", 30, "abc"] }, 2],
  ["allowed_values", { column: "age", values: ["abc", true] }, 8],
  ["allowed_values", { column: "active", values: [true] }, 2],
  ["allowed_values", { column: "active", values: ["true", 1] }, 2],
  ["allowed_values", { column: "score", values: [1.5, 2.5] }, 5],
  ["allowed_values", { column: "score", values: ["1.5", "x"] }, 7],
  ["allowed_values", { column: "email", values: [] }, 8],
  ["allowed_values", { column: "id", values: [1, "2", 3.5, "x"] }, 8],
  ["regex", { column: "email", pattern: "@" }, 2],
  ["regex", { column: "email", pattern: "^[a-z]+@" }, 3],
  ["regex", { column: "email", pattern: "\\.io$" }, 2],
  ["regex", { column: "email", pattern: "^[a-z]+@x\\.io$" }, 3],
  ["regex", { column: "country", pattern: "本" }, 8],
  ["regex", { column: "country", pattern: "^[A-Z]{2}$" }, 3],
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
  ["custom_sql_check", { sql: "SELECT * FROM {table} WHERE id < 0;" }, 0],
  ["not_null", { column: "no_such_column" }, 10],
];

/** Rules whose count a fail-fast run caps at 1. */
const STOPS_EARLY = new Set(["not_null", "unique", "allowed_values", "regex", "custom_sql_check"]);

type Outcome = [string, number, boolean];

function outcomes(results: RuleResult[]): Outcome[] {
  return results.map((r) => [r.rule_id, r.failed_count, r.failed_count_exact]);
}

function expected(failFast: boolean): Outcome[] {
  return CASES.map(([name, params, count], index) => {
    const capped = failFast && STOPS_EARLY.has(name) && params.column !== "no_such_column";
    return [`r${index}`, capped ? Math.min(count, 1) : count, !(capped && count > 0)];
  });
}

async function run(datasource: string, failFast: boolean, env: Environment = {}) {
  return await validate(kontractOf(CASES, datasource), { failFast, env });
}

/** Checks one database source against the expected counts and the Parquet run. */
async function checkDatabase(datasource: string, parquet: string, env: Environment) {
  const files = await run(parquet, false);
  assertEquals(outcomes(files.results), expected(false), "Parquet");
  for (const failFast of [false, true]) {
    const database = await run(datasource, failFast, env);
    assertEquals(outcomes(database.results), expected(failFast), `failFast=${failFast}`);
    assertEquals(database.document.dataset.rows, 10);
    for (const [index, result] of database.results.entries()) {
      const [name, params] = CASES[index];
      const tier = name === "dtype" || params.column === "no_such_column" ? "metadata" : "sql";
      assertEquals(result.execution_source, tier, result.rule_id);
    }
  }
  // Fail-fast per rule (`tally: false`) too.
  const perRule = await validate({
    name: "people",
    datasource,
    rules: [
      { name: "not_null", params: { column: "email" }, tally: false },
      { name: "unique", params: { column: "email" } },
    ],
  }, { env });
  assertEquals(outcomes(perRule.results), [
    ["COL:email:not_null", 1, false],
    ["COL:email:unique", 2, true],
  ]);
  assert.match(perRule.results[0].message, /fail-fast/);
}

Deno.test(
  pgTest("tiers agree: PostgreSQL counts equal Parquet's, exact and fail-fast"),
  async () => {
    const pg = requirePostgres();
    await using dir = await tempDir();
    const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
    await using schema = await tempSchema(pg);
    await loadFrame(pg, schema.name, "people", peopleFrame());
    await checkDatabase(`${pg.url}/${schema.name}.people`, parquet, {});
  },
);

Deno.test("tiers agree: Snowflake counts equal Parquet's, exact and fail-fast", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    await checkDatabase(sf.tableUri("people"), parquet, sf.env);
  });
});

Deno.test(
  pgTest("all rules are ONE statement; --timings shows it, its round trips and time"),
  async () => {
    const pg = requirePostgres();
    await using schema = await tempSchema(pg);
    await loadFrame(pg, schema.name, "people", peopleFrame());
    const result = await validate(kontractOf(CASES, `${pg.url}/${schema.name}.people`), {
      timings: true,
      env: {},
    });
    const stats = result.document.stats!;
    // The catalog lookup, then every rule in one statement.
    assertEquals(stats.sql?.length, 2);
    assert.match(stats.sql![0], /information_schema\.columns/);
    assert.match(stats.sql![1], /^SELECT COUNT\(\*\) AS "n", /);
    assertEquals(stats.sql_round_trips, 3); // catalog (parameters: described first) + 1
    assert.ok(stats.sql_db_ms! > 0);
    assertEquals(stats.scan_passes, 0);
    const plain = await validate(kontractOf(CASES, `${pg.url}/${schema.name}.people`), { env: {} });
    assertEquals(plain.document.stats, undefined);
  },
);

Deno.test("Snowflake: all rules are ONE statement", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    const before = sf.server.requests.length;
    const result = await validate(kontractOf(CASES, sf.tableUri("people")), {
      timings: true,
      env: sf.env,
    });
    const queries = sf.server.requests.slice(before).filter((r) =>
      r.path === "/queries/v1/query-request"
    );
    assertEquals(queries.length, 2); // catalog + the one statement
    assertEquals(result.document.stats?.sql?.length, 2);
    assertEquals(result.document.stats?.sql_round_trips, 2);
    assert.match(queries[1].sqlText!, /REGEXP_INSTR\("email", '\^\[a-z\]\+@x\\\\\.io\$'\) > 0/);
  });
});
