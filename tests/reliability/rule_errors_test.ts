/**
 * One broken rule never hides the others. What can be checked against the schema before
 * any row is read is a Kontract error naming the rule's `file:line:col` (exit 2): a rule
 * on a column type it cannot check, user SQL that does not bind (a column typo), a
 * Polars predicate that cannot be planned for the column. What can only fail while
 * running gives THAT rule `status: "error"` and a one-line reason; the other rules keep
 * their results and the run exits 3. Every case checks the exit code, the one-line
 * message, the other rules' results and that nothing is left in TMPDIR.
 */
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import pl from "nodejs-polars";
import { z } from "zod";
import { DuckDBInstance } from "@duckdb/node-api";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import { REPO, type Run, runCli, runCliHermetic } from "../support/cli.ts";
import { loadFrame, pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";
import { defineRule, KontractError, registerRule, validate } from "../../mod.ts";
import { liveTempDirs } from "../../src/core/temp_dirs.ts";
import type { ResultDocument, RuleResult } from "../../src/report/result.ts";
import { renderTerminal } from "../../src/report/terminal.ts";
import { renderAnnotations, renderSummary } from "../../src/integrations/github.ts";
import { assetCheckMessages } from "../../src/integrations/dagster_pipes.ts";
import { exitCodeFor } from "../../src/report/fail_on.ts";

// A rule whose predicate Polars plans on any column but that fails on a value that is not
// an integer: it can only fail while running.
registerRule(defineRule({
  name: "kontra_test_strict_int",
  scope: "column",
  params: z.strictObject({ column: z.string() }),
  measure: ({ column }) => ({
    kind: "violations",
    polars: () => pl.col(column).cast(pl.Int64, true).lt(pl.lit(0).cast(pl.Int64)),
    sql: (dialect) => `CAST(${dialect.ident(column)} AS bigint) < 0`,
  }),
  describe: ({ column }, { failed }) => `${failed} negative values in ${column}`,
}));

// A rule whose predicate Polars cannot plan on a non-text column (str.* on an integer).
registerRule(defineRule({
  name: "kontra_test_starts_with_a",
  scope: "column",
  params: z.strictObject({ column: z.string() }),
  measure: ({ column }) => ({
    kind: "violations",
    polars: () => pl.col(column).str.startsWith("a").not(),
    sql: (dialect) => `${dialect.ident(column)} NOT LIKE 'a%'`,
  }),
  describe: ({ column }, { failed }) => `${failed} values of ${column} do not start with a`,
}));

// A rule whose own code throws while building its predicate.
registerRule(defineRule({
  name: "kontra_test_throws",
  scope: "column",
  params: z.strictObject({ column: z.string() }),
  measure: () => ({
    kind: "violations",
    polars: () => {
      throw new Error("no predicate for you");
    },
    sql: () => "1 = 1",
  }),
  describe: () => "never",
}));

/** The people dataset (10 rows; counts known by construction) in a fresh directory. */
function people(dir: string): { parquet: string; csv: string } {
  return writeBoth(peopleFrame(), dir, "people");
}

/** Writes `kontract.yml` into `dir`: the rules as YAML flow lines, one per rule. */
async function kontractFile(dir: string, datasource: string, rules: string[]): Promise<string> {
  const path = join(dir, "kontract.yml");
  await Deno.writeTextFile(
    path,
    ["name: t", `datasource: ${datasource}`, "rules:", ...rules.map((r) => `  - ${r}`), ""]
      .join("\n"),
  );
  return path;
}

/**
 * Where rule `index` (0-based) of a file written by {@linkcode kontractFile} is, as a
 * regular expression: `kontract.yml:<line>:5`, after the directory when the path is shown
 * relative to another working directory.
 */
function at(index: number): string {
  return `\\bkontract\\.yml:${4 + index}:5`;
}

/** The CLI in `dir` with its own TMPDIR (see `runCliHermetic`). */
const kontra = runCliHermetic;

/** A Kontract error: exit 2, one `kontra: ` line, nothing on stdout. */
function assertKontractError(run: Run, message: RegExp): void {
  assertEquals(run.code, 2, run.stderr);
  assertEquals(run.stdout, "");
  assert.match(run.stderr, /^kontra: [^\n]+\n$/, run.stderr);
  assert.match(run.stderr, message);
}

function statuses(results: RuleResult[]): [string, string | undefined, number][] {
  return results.map((result) => [result.rule_id, result.status, result.failed_count]);
}

/** The schema 1.0 JSON schema, compiled. */
async function schemaCheck(): Promise<(document: unknown) => boolean> {
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false });
  return ajv.compile(JSON.parse(await Deno.readTextFile(join(REPO, "schema/result-1.0.json"))));
}

// ------------------------------------------------------------- before any row is read

Deno.test("files: a column typo in custom_sql_check is exit 2 at the rule's file:line:col", async () => {
  await using dir = await tempDir();
  people(dir.path);
  for (const data of ["people.parquet", "people.csv"]) {
    const path = await kontractFile(dir.path, data, [
      "{ name: not_null, params: { column: email } }",
      `{ name: custom_sql_check, id: typo, params: { sql: "SELECT * FROM {table} WHERE emial = 'x'" } }`,
      "{ name: min_rows, params: { threshold: 1 } }",
    ]);
    assertKontractError(
      await kontra(dir.path, ["validate", path]),
      new RegExp(
        `^kontra: ${at(1)}: typo: query failed: Binder Error: Referenced column "emial" not found`,
      ),
    );
  }
});

Deno.test("files: user SQL is bound before the scan: a typo stops a run whose scan would fail", async () => {
  // The strict-int rule would fail mid-scan; the typo is reported first, as a Kontract error.
  await using dir = await tempDir();
  const { parquet } = people(dir.path);
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: parquet,
      rules: [
        { name: "kontra_test_strict_int", params: { column: "email" } },
        { name: "custom_sql_check", id: "typo", params: { sql: "SELECT nope FROM {table}" } },
      ],
    }, { metadata: false }),
    KontractError,
    /^<kontract>: typo: query failed: Binder Error: Referenced column "nope" not found/,
    2,
  );
  assertEquals(liveTempDirs(), []);
});

Deno.test("regex and allowed_values on List, Struct and Binary columns are exit 2, naming the rule", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "nested.parquet");
  const duck = await DuckDBInstance.create(":memory:");
  const connection = await duck.connect();
  await connection.run(
    `COPY (SELECT range AS id, [range, 1] AS tags, {'a': range} AS pair, ('x' || range)::BLOB AS raw
      FROM range(5)) TO '${file}'`,
  );
  connection.closeSync();
  duck.closeSync();
  const cases: [string, string, string][] = [
    ["regex", "tags", "List"],
    ["regex", "pair", "Struct"],
    ["regex", "raw", "Binary"],
    ["allowed_values", "tags", "List"],
    ["allowed_values", "pair", "Struct"],
    ["allowed_values", "raw", "Binary"],
  ];
  for (const [rule, column, type] of cases) {
    const params = rule === "regex" ? `pattern: "^1"` : "values: [1]";
    const path = await kontractFile(dir.path, "nested.parquet", [
      "{ name: not_null, params: { column: id } }",
      `{ name: ${rule}, params: { column: ${column}, ${params} } }`,
    ]);
    const problem = `${
      at(1)
    }: COL:${column}:${rule}: ${rule} cannot check column "${column}" of type ${type}`;
    await assertRejectsWith(validate(path), KontractError, new RegExp(problem), 2);
    if (column === "tags") {
      // The CLI says the same, and --explain refuses it too.
      for (const extra of [[], ["--explain"]]) {
        assertKontractError(
          await kontra(dir.path, ["validate", path, ...extra]),
          new RegExp(`^kontra: ${problem}`),
        );
      }
    }
  }
  assertEquals(liveTempDirs(), []);
});

Deno.test("a predicate Polars cannot plan for the column's type is exit 2 before the scan", async () => {
  await using dir = await tempDir();
  const { parquet, csv } = people(dir.path);
  for (const datasource of [parquet, csv]) {
    for (const metadata of [true, false]) {
      await assertRejectsWith(
        validate({
          name: "t",
          datasource,
          rules: [
            { name: "not_null", params: { column: "email" } },
            { name: "kontra_test_starts_with_a", params: { column: "age" } },
          ],
        }, { metadata }),
        KontractError,
        /^<kontract>: COL:age:kontra_test_starts_with_a: .*(str|String)/,
        2,
      );
    }
  }
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: parquet,
      rules: [{ name: "kontra_test_throws", params: { column: "age" } }],
    }),
    KontractError,
    /^<kontract>: COL:age:kontra_test_throws: no predicate for you$/,
    2,
  );
});

// ------------------------------------------------------------------ while running

Deno.test("a rule that fails mid-scan errors alone; the other rules keep their counts", async () => {
  await using dir = await tempDir();
  const { parquet, csv } = people(dir.path);
  const others = [
    { name: "not_null", params: { column: "email" } },
    { name: "unique", params: { column: "email" } },
    { name: "regex", params: { column: "email", pattern: "@" } },
    { name: "allowed_values", params: { column: "country", values: ["US", "DE"] } },
    { name: "regex", params: { column: "age", pattern: "^[23]" } },
    { name: "min_rows", params: { threshold: 5 } },
  ];
  for (const datasource of [parquet, csv]) {
    for (const metadata of [true, false]) {
      const healthy = await validate({ name: "t", datasource, rules: others }, { metadata });
      const broken = await validate({
        name: "t",
        datasource,
        rules: [
          others[0],
          { name: "kontra_test_strict_int", params: { column: "email" } },
          ...others.slice(1),
        ],
      }, { metadata, timings: true });
      const expected = statuses(healthy.results);
      expected.splice(1, 0, ["COL:email:kontra_test_strict_int", "error", 0]);
      assertEquals(statuses(broken.results), expected);
      const error = broken.results[1];
      assert.match(error.error!, /conversion .*failed|cannot|strict/i, error.error);
      assert.ok(!error.error!.includes("\n"));
      assertEquals([error.passed, error.failed_count_exact], [false, false]);
      assertEquals(error.message, `could not be checked: ${error.error}`);
      assertEquals(broken.summary.errors, 1);
      assertEquals(broken.summary.rules, 7);
      assertEquals(
        broken.summary.passed + broken.summary.failed + broken.summary.errors!,
        broken.summary.rules,
      );
      assertEquals(broken.passed, false);
      // Bounded search: the failed pass, one per column its rules read, one per rule of
      // the column that failed (email: 4 rules), then the duplicates count.
      assert.ok(broken.document.stats!.scan_passes <= 1 + 1 + 4 + 4 + 4, "bounded reruns");
    }
  }
  assertEquals(liveTempDirs(), []);
});

Deno.test("CLI: a SELECT failing on some row errors its rule, exit 3, one stderr line per rule", async () => {
  await using dir = await tempDir();
  people(dir.path);
  const path = await kontractFile(dir.path, "people.parquet", [
    "{ name: not_null, params: { column: id } }",
    `{ name: custom_sql_check, id: cast, params: { sql: "SELECT * FROM {table} WHERE CAST(email AS INTEGER) > 1" } }`,
    "{ name: not_null, params: { column: email }, severity: warning }",
    "{ name: unique, params: { column: email } }",
  ]);
  const rich = await kontra(dir.path, ["validate", path]);
  assertEquals(rich.code, 3, rich.stderr);
  assert.match(
    rich.stderr,
    new RegExp(
      `^kontra: ${at(1)}: cast: could not be checked: query failed: Conversion Error: ` +
        `Could not convert string '[^']*' to INT32[^\\n]*\\n$`,
    ),
  );
  assert.match(rich.stdout, /^ERROR\s+cast\s+blocking\s+-\s+sql\s+could not be checked: /m);
  assert.match(rich.stdout, /^PASS\s+COL:id:not_null/m);
  assert.match(rich.stdout, /^WARN\s+COL:email:not_null\s+warning\s+2\s/m);
  assert.match(rich.stdout, /^FAIL\s+COL:email:unique\s+blocking\s+2\s/m);
  assert.match(rich.stdout, /^✘ ERROR {2}1\/4 rules passed; 1 could not be checked; failures: /m);

  // --fail-on never does not hide it; JSON is valid against schema 1.0.
  const json = await kontra(dir.path, ["validate", path, "-o", "json", "--fail-on", "never"]);
  assertEquals(json.code, 3);
  const document = JSON.parse(json.stdout) as ResultDocument;
  assert.ok((await schemaCheck())(document));
  assertEquals(statuses(document.results), [
    ["COL:id:not_null", "passed", 0],
    ["cast", "error", 0],
    ["COL:email:not_null", "failed", 2],
    ["COL:email:unique", "failed", 2],
  ]);
  assertEquals(document.summary, {
    rules: 4,
    passed: 1,
    failed: 2,
    blocking_failures: 1,
    warning_failures: 1,
    info_failures: 0,
    errors: 1,
  });

  // GitHub: an ::error annotation for the errored rule, an ERROR row in the summary.
  const github = await kontra(dir.path, ["validate", path, "-o", "github"]);
  assertEquals(github.code, 3);
  assert.match(
    github.stdout,
    /^::error file=kontract\.yml,title=Kontra%3A cast could not be checked::query failed: Conversion Error/m,
  );
  assert.match(github.stdout, /^\| ⛔ ERROR \| `cast` \| blocking \| - \| sql \|/m);
});

Deno.test("reports: rich, GitHub, Dagster Pipes and the exit code show an errored rule", () => {
  const errored: RuleResult = {
    rule_id: "COL:tags:regex",
    rule: "regex",
    column: "tags",
    severity: "warning",
    passed: false,
    status: "error",
    failed_count: 0,
    failed_count_exact: false,
    message: "could not be checked: boom",
    execution_source: "scan",
    error: "boom",
  };
  const passed: RuleResult = {
    ...errored,
    rule_id: "COL:id:not_null",
    rule: "not_null",
    status: "passed",
    passed: true,
    failed_count_exact: true,
    message: "ok",
    severity: "blocking",
  };
  delete passed.error;
  const document: ResultDocument = {
    schema_version: "1.0",
    kontract: { name: "k", fingerprint: "f" },
    dataset: { uri: "d.parquet", rows: 3 },
    passed: true,
    summary: {
      rules: 2,
      passed: 1,
      failed: 0,
      blocking_failures: 0,
      warning_failures: 0,
      info_failures: 0,
      errors: 1,
    },
    results: [passed, errored],
  };
  const text = renderTerminal(document, { color: false });
  assert.match(text, /^ERROR +COL:tags:regex +warning +- +scan +could not be checked: boom$/m);
  assert.match(text, /^✘ ERROR {2}1\/2 rules passed; 1 could not be checked$/m);
  assert.match(renderTerminal(document, { color: false, quiet: true }), /^ERROR /m);
  assertEquals(
    renderAnnotations(document, "k.yml"),
    "::error file=k.yml,title=Kontra%3A COL%3Atags%3Aregex could not be checked::boom (warning)\n",
  );
  assert.match(renderSummary(document), /: ⛔ error\n[\s\S]*· 1 could not be checked\n/);
  const [, check] = assetCheckMessages(document, "users");
  const params = check.params as { passed: boolean; severity: string; metadata: object };
  assertEquals([params.passed, params.severity], [false, "ERROR"]);
  assert.deepEqual(
    (params.metadata as Record<string, unknown>).error,
    { raw_value: "boom", type: "text" },
  );
  // Errors exit 3 whatever --fail-on says; a summary without `errors` is as before.
  for (const failOn of ["blocking", "warning", "never"] as const) {
    assertEquals(exitCodeFor(document.summary, failOn), 3);
  }
  assertEquals(exitCodeFor({ ...document.summary, errors: undefined }, "never"), 0);
});

// --------------------------------------------------------------------- databases

Deno.test(
  pgTest("PostgreSQL: a typo is exit 2 at the rule's line; a run-time failure errors its rule"),
  async () => {
    const pg = requirePostgres();
    await using schema = await tempSchema(pg);
    await loadFrame(pg, schema.name, "people", peopleFrame());
    await using dir = await tempDir();
    const table = `${pg.url}/${schema.name}.people`;
    const typo = await kontractFile(dir.path, table, [
      "{ name: not_null, params: { column: email } }",
      `{ name: custom_sql_check, id: typo, params: { sql: "SELECT * FROM {table} WHERE emial = 'x'" } }`,
    ]);
    await assertRejectsWith(
      validate(typo, { env: {} }),
      KontractError,
      new RegExp(`${at(1)}: typo: .*column "emial" does not exist$`),
      2,
    );
    const path = await kontractFile(dir.path, table, [
      "{ name: not_null, params: { column: email } }",
      `{ name: custom_sql_check, id: zero, params: { sql: "SELECT * FROM {table} WHERE 10 / (age - age) > 1" } }`,
      `{ name: regex, params: { column: email, pattern: "\\\\p{Han}" } }`,
      "{ name: unique, params: { column: email } }",
      `{ name: regex, params: { column: age, pattern: "^[23]" } }`,
    ]);
    const run = await runCli(["validate", path, "-o", "json"], { env: {} });
    assertEquals(run.code, 3, run.stderr);
    const document = JSON.parse(run.stdout) as ResultDocument;
    assertEquals(statuses(document.results), [
      ["COL:email:not_null", "failed", 2],
      ["zero", "error", 0],
      ["COL:email:regex", "error", 0],
      ["COL:email:unique", "failed", 2],
      ["COL:age:regex", "failed", 2],
    ]);
    assertEquals(document.results[1].error, "division by zero");
    assert.match(document.results[2].error!, /^invalid regular expression/);
    const lines = run.stderr.split("\n").filter((line) => line.includes("could not be checked"));
    assertEquals(lines.length, 2);
    assert.match(lines[0], new RegExp(`^kontra: .*${at(1)}: zero: could not be checked: division`));
    assert.match(
      lines[1],
      new RegExp(`^kontra: .*${at(2)}: COL:email:regex: could not be checked`),
    );
  },
);

Deno.test("Snowflake: a typo is exit 2 naming the rule; a run-time failure errors its rule", async () => {
  await using dir = await tempDir();
  const { parquet } = people(dir.path);
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    const typo = await kontractFile(dir.path, sf.tableUri("people"), [
      "{ name: not_null, params: { column: email } }",
      `{ name: custom_sql_check, id: typo, params: { sql: "SELECT * FROM {table} WHERE emial = 'x'" } }`,
    ]);
    await assertRejectsWith(
      validate(typo, { env: sf.env }),
      KontractError,
      new RegExp(`${at(1)}: typo: .*SQL compilation error`),
      2,
    );
    const result = await validate({
      name: "t",
      datasource: sf.tableUri("people"),
      rules: [
        { name: "not_null", params: { column: "email" } },
        {
          name: "custom_sql_check",
          id: "cast",
          params: { sql: "SELECT * FROM {table} WHERE CAST(email AS INTEGER) > 1" },
        },
        { name: "regex", params: { column: "age", pattern: "^[23]" } },
      ],
    }, { env: sf.env });
    assertEquals(statuses(result.results), [
      ["COL:email:not_null", "failed", 2],
      ["cast", "error", 0],
      ["COL:age:regex", "failed", 2],
    ]);
    assert.ok(!result.results[1].error!.includes("\n"));
  });
});
