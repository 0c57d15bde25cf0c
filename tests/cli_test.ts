/**
 * The `kontra` CLI end to end: the real process, its exit codes, stdout and stderr.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import pl from "nodejs-polars";
import { type ResultDocument, ResultDocumentModel } from "../src/report/result.ts";
import { VERSION } from "../src/core/version.ts";
import {
  assertOneLineError,
  REPO,
  type Run,
  runCliProcess,
  runDeno,
  STACK_LINE,
} from "./support/cli.ts";
import { fiveUsers, withTempDir, writeText } from "./support/fixtures.ts";

const SCHEMA_FILE = join(REPO, "schema/result-1.0.json");
/** Terminal escape sequences start with this. */
const ESC = "\x1b[";

// ---------------------------------------------------------------- helpers

/** Runs `deno run -A cli.ts …args` with this process's variables and NO_COLOR set. */
function kontra(args: string[]): Promise<Run> {
  return runCliProcess(args, { env: { ...Deno.env.toObject(), NO_COLOR: "1" } });
}

/**
 * Five users. By construction: email has 1 NULL and 1 duplicate ("a@x.io" twice),
 * country has 1 value outside [US, DE, FR] ("XX"), 2 rows have id > 3.
 */
function writeUsers(dir: string): string {
  const path = join(dir, "users.parquet");
  fiveUsers({ country: ["US", "DE", "US", "FR", "XX"] }).writeParquet(path);
  return path;
}

/** Seven clean users as CSV, for `--data`. */
function writeCleanCsv(dir: string): string {
  const path = join(dir, "clean.csv");
  pl.DataFrame({
    id: [1, 2, 3, 4, 5, 6, 7],
    email: ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io", "g@x.io"],
  }).writeCSV(path);
  return path;
}

/** Every rule passes on users.parquet: 4 rules. */
const PASSING = `name: passing
datasource: users.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: unique
    params: { column: id }
  - name: regex
    params: { column: email, pattern: '@x\\.io$' }
  - name: min_rows
    params: { threshold: 5 }
`;

/** One blocking, two warning and one info failure on users.parquet: 5 rules. */
const FAILING = `name: failing
datasource: users.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: not_null
    params: { column: email }
  - name: unique
    params: { column: email }
    severity: warning
  - name: allowed_values
    params: { column: country, values: [US, DE, FR] }
    severity: info
    context: { owner: data-eng, tier: 2 }
  - name: custom_sql_check
    params: { sql: "SELECT * FROM {table} WHERE id > 3" }
    severity: warning
`;

/** Only warnings fail: the run passes. */
const WARNINGS_ONLY = `name: warnings
datasource: users.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: unique
    params: { column: email }
    severity: warning
`;

/** Writes users.parquet and a Kontract named `name` into `dir`; returns the Kontract's path. */
async function setUp(dir: string, kontract: string, name = "kontract.yml"): Promise<string> {
  writeUsers(dir);
  return await writeText(dir, name, kontract);
}

/** The subset of JSON schema that schema/result-1.0.json uses. */
interface JsonSchema {
  type?: "object" | "array" | "string" | "boolean" | "integer" | "number";
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
}

/** Keywords `schemaErrors` checks, plus annotations that need no check. */
const UNDERSTOOD_KEYWORDS = new Set([
  ...["type", "const", "enum", "minimum", "maximum", "required", "properties"],
  ...["additionalProperties", "propertyNames", "items", "$id", "$schema", "title"],
]);

const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  object: (value) => value !== null && typeof value === "object" && !Array.isArray(value),
  array: Array.isArray,
  string: (value) => typeof value === "string",
  boolean: (value) => typeof value === "boolean",
  integer: Number.isInteger,
  number: (value) => typeof value === "number",
};

/** Every place where `value` breaks `schema`, as `$.path: problem`. */
function schemaErrors(value: unknown, schema: JsonSchema, path = "$"): string[] {
  if (schema.type && !TYPE_CHECKS[schema.type](value)) return [`${path}: not ${schema.type}`];
  const errors: string[] = [];
  if ("const" in schema && value !== schema.const) errors.push(`${path}: not ${schema.const}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: not in enum`);
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: too small`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: too big`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) =>
      errors.push(...schemaErrors(item, schema.items!, `${path}[${index}]`))
    );
  }
  if (TYPE_CHECKS.object(value)) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) errors.push(`${path}.${key}: required`);
    }
    for (const [key, item] of Object.entries(object)) {
      const property = schema.properties?.[key];
      const extra = schema.additionalProperties;
      if (property) errors.push(...schemaErrors(item, property, `${path}.${key}`));
      else if (extra === false) errors.push(`${path}.${key}: not allowed`);
      else if (typeof extra === "object") {
        errors.push(...schemaErrors(item, extra, `${path}.${key}`));
      }
    }
  }
  return errors;
}

/** All keywords used anywhere in a schema (not counting property names). */
function keywordsOf(schema: JsonSchema): string[] {
  const nested = [
    ...Object.values(schema.properties ?? {}),
    ...[schema.items, schema.propertyNames].filter((item) => item !== undefined),
    ...(typeof schema.additionalProperties === "object" ? [schema.additionalProperties] : []),
  ];
  return [...Object.keys(schema), ...nested.flatMap(keywordsOf)];
}

/** The checked-in schema; generated by `deno task schema` if it is missing. */
async function loadSchema(): Promise<JsonSchema> {
  try {
    await Deno.stat(SCHEMA_FILE);
  } catch {
    const generated = await runDeno(["task", "schema"], { env: Deno.env.toObject() });
    assert.equal(generated.code, 0, generated.stderr);
  }
  return JSON.parse(await Deno.readTextFile(SCHEMA_FILE));
}

// ---------------------------------------------------------------- exit 0 and 1, rich output

Deno.test("exit 0: a passing Kontract prints a PASS row per rule and the verdict", async () => {
  await withTempDir(async (dir) => {
    const run = await kontra(["validate", await setUp(dir, PASSING)]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^Kontra · passing {2}users\.parquet · 5 rows\n/);
    assert.match(run.stdout, /^STATUS +RULE +SEVERITY +FAILED +TIER +MESSAGE$/m);
    assert.match(
      run.stdout,
      /^PASS +COL:id:not_null +blocking +0 +metadata +id has no NULL values$/m,
    );
    assert.match(run.stdout, /^PASS +COL:id:unique +blocking +0 +scan +id values are unique$/m);
    assert.match(run.stdout, /^PASS +COL:email:regex +blocking +0 +scan /m);
    assert.match(
      run.stdout,
      /^PASS +DATASET:min_rows +blocking +0 +metadata +5 rows, at least 5$/m,
    );
    assert.match(run.stdout, /\n✔ PASSED {2}4\/4 rules passed\n$/);
    assert.doesNotMatch(run.stdout, /^(FAIL|WARN|INFO) /m);
  });
});

Deno.test("exit 1: a blocking failure; every failing severity has its own status", async () => {
  await withTempDir(async (dir) => {
    const run = await kontra(["validate", await setUp(dir, FAILING)]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^PASS +COL:id:not_null +blocking +0 /m);
    assert.match(
      run.stdout,
      /^FAIL +COL:email:not_null +blocking +1 +metadata +1 NULL values in email$/m,
    );
    assert.match(run.stdout, /^WARN +COL:email:unique +warning +1 +scan /m);
    assert.match(run.stdout, /^INFO +COL:country:allowed_values +info +1 +scan /m);
    assert.match(run.stdout, /^WARN +DATASET:custom_sql_check +warning +2 +sql /m);
    assert.match(
      run.stdout,
      /\n✘ FAILED {2}1\/5 rules passed; failures: 1 blocking, 2 warning, 1 info\n$/,
    );
  });
});

Deno.test("exit 0: failing warnings alone do not fail the run", async () => {
  await withTempDir(async (dir) => {
    const run = await kontra(["validate", await setUp(dir, WARNINGS_ONLY)]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^WARN +COL:email:unique +warning +1 /m);
    assert.match(run.stdout, /✔ PASSED {2}1\/2 rules passed; failures: 1 warning\n$/);
  });
});

Deno.test("no ANSI escapes when NO_COLOR is set or stdout is not a terminal", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, FAILING);
    const withNoColor = await kontra(["validate", path]);
    const env = Deno.env.toObject();
    delete env.NO_COLOR;
    const piped = await runDeno(["run", "-A", "cli.ts", "validate", path], { env });
    assert.equal(piped.code, 1);
    assert.ok(!withNoColor.stdout.includes(ESC));
    assert.ok(!withNoColor.stderr.includes(ESC));
    assert.ok(!piped.stdout.includes(ESC));
    assert.equal(piped.stdout, withNoColor.stdout);
  });
});

Deno.test("--quiet prints only the failing rules and the verdict", async () => {
  await withTempDir(async (dir) => {
    const run = await kontra(["validate", await setUp(dir, FAILING), "--quiet"]);
    assert.equal(run.code, 1);
    const lines = run.stdout.trimEnd().split("\n");
    assert.deepEqual(lines.map((line) => line.split(/\s+/)[0]), [
      "STATUS",
      "FAIL",
      "WARN",
      "INFO",
      "WARN",
      "",
      "✘",
    ]);
    assert.doesNotMatch(run.stdout, /PASS|Kontra ·|COL:id:not_null/);

    const passing = await kontra(["validate", await setUp(dir, PASSING, "passing.yml"), "-q"]);
    assert.equal(passing.code, 0);
    assert.equal(passing.stdout, "✔ PASSED  4/4 rules passed\n");
  });
});

Deno.test("--data overrides the Kontract's datasource, relative to the working directory", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING.replace("users.parquet", "absent.parquet"));
    const data = relative(REPO, writeCleanCsv(dir));
    const run = await kontra(["validate", path, "--data", data, "--output-format", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const document = JSON.parse(run.stdout) as ResultDocument;
    assert.deepEqual(document.dataset, { uri: data, rows: 7 });
    assert.deepEqual(document.results.map((result) => result.failed_count), [0, 0, 0, 0]);

    const withoutOverride = await kontra(["validate", path]);
    assertOneLineError(withoutOverride, 2, /^kontra: absent\.parquet: file not found\n$/);
  });
});

Deno.test("--env-file supplies ${VAR}s; without it the unset variable is an exit-2 error", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING.replace("users.parquet", "${KONTRA_CLI_TEST_DATA}"));
    const envFile = join(dir, "vars.env");
    await Deno.writeTextFile(envFile, "KONTRA_CLI_TEST_DATA=users.parquet\n");
    const run = await kontra(["validate", path, "--env-file", envFile, "-q"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "✔ PASSED  4/4 rules passed\n");

    const unset = await kontra(["validate", path]);
    assertOneLineError(
      unset,
      2,
      /:2:13: datasource: environment variable KONTRA_CLI_TEST_DATA is not set\n$/,
    );
  });
});

// ---------------------------------------------------------------- exit 2 and 3: one-line errors

/** Each case writes what it needs into `dir` and returns the CLI arguments. */
const USAGE_ERRORS: {
  name: string;
  args: (dir: string) => Promise<string[]>;
  message: (dir: string) => RegExp;
}[] = [
  {
    name: "bad YAML",
    args: async (dir) => ["validate", await setUp(dir, "name: a\nrules: []\nname: b\n")],
    message: (dir) =>
      new RegExp(
        `^kontra: ${relative(REPO, join(dir, "kontract.yml"))}:3:1: invalid YAML: Map keys`,
      ),
  },
  {
    name: "an unknown rule",
    args: async (dir) => [
      "validate",
      await setUp(dir, "name: t\ndatasource: users.parquet\nrules:\n  - name: not_nul\n"),
    ],
    message: () => /:4:11: rules\[0\]\.name: unknown rule "not_nul" \(did you mean "not_null"\?\)/,
  },
  {
    name: "bad params",
    args: async (dir) => [
      "validate",
      await setUp(dir, PASSING.replace(", pattern: '@x\\.io$'", "")),
    ],
    message: () => /:9:13: rules\[2\]\.params\.pattern: required\n$/,
  },
  {
    name: "an invalid regex",
    args: async (dir) => ["validate", await setUp(dir, PASSING.replace("@x\\.io$", "(x"))],
    message: () => /rules\[2\]\.params\.pattern: not a valid regular expression\n$/,
  },
  {
    name: "a missing data file",
    args: async (dir) => ["validate", await setUp(dir, PASSING), "--data", join(dir, "no.csv")],
    message: (dir) => new RegExp(`^kontra: ${join(dir, "no.csv")}: file not found\n$`),
  },
  {
    name: "an unsupported data file type",
    args: async (dir) => {
      await Deno.writeTextFile(join(dir, "users.json"), "[]");
      return ["validate", await setUp(dir, PASSING), "--data", join(dir, "users.json")];
    },
    message: (dir) => new RegExp(`^kontra: ${join(dir, "users.json")}: .*\\.parquet or \\.csv`),
  },
  {
    name: "an unknown option",
    args: async (dir) => ["validate", await setUp(dir, PASSING), "--bogus"],
    message: () => /^kontra: unknown option '--bogus'\n$/,
  },
  {
    name: "an invalid output format",
    args: async (dir) => ["validate", await setUp(dir, PASSING), "--output-format", "xml"],
    message: () =>
      /^kontra: option .*'xml' is invalid\. Allowed choices are rich, json, github\.\n$/,
  },
  {
    name: "a missing datasource",
    args: async (dir) => ["validate", await setUp(dir, "name: t\nrules: []\n")],
    message: (dir) =>
      new RegExp(`^kontra: ${join(dir, "kontract.yml")}: datasource: required \\(or pass data\\)`),
  },
  {
    name: "a missing Kontract file",
    args: (dir) => Promise.resolve(["validate", join(dir, "nowhere.yml")]),
    message: (dir) =>
      new RegExp(`^kontra: ${relative(REPO, join(dir, "nowhere.yml"))}: file not found\n$`),
  },
  {
    name: "a missing Kontract argument",
    args: () => Promise.resolve(["validate"]),
    message: () => /^kontra: missing required argument 'kontract'\n$/,
  },
  {
    name: "an unknown command",
    args: () => Promise.resolve(["check"]),
    message: () => /^kontra: unknown command 'check'\n$/,
  },
];

for (const { name, args, message } of USAGE_ERRORS) {
  Deno.test(`exit 2 with one line on stderr: ${name}`, async () => {
    await withTempDir(async (dir) => {
      assertOneLineError(await kontra(await args(dir)), 2, message(dir));
    });
  });
}

Deno.test("exit 2: no command prints the usage on stderr", async () => {
  const run = await kontra([]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^Usage: kontra /);
  assert.doesNotMatch(run.stderr, /outputHelp|kontra: /);
});

Deno.test("exit 3: a corrupt Parquet file is one line without a stack; --debug adds one", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING.replace("users.parquet", "x.parquet"));
    await Deno.writeFile(join(dir, "x.parquet"), crypto.getRandomValues(new Uint8Array(512)));
    const run = await kontra(["validate", path]);
    assertOneLineError(run, 3, /^kontra: x\.parquet: cannot read Parquet: damaged file, /);

    const debug = await kontra(["validate", path, "--debug"]);
    assert.equal(debug.code, 3);
    assert.equal(debug.stderr.split("\n")[0], run.stderr.trimEnd());
    assert.match(debug.stderr, /DataSourceError: x\.parquet: cannot read Parquet/);
    assert.match(debug.stderr, STACK_LINE);
  });
});

// ---------------------------------------------------------------- JSON output

Deno.test("--output-format json prints only the document, byte-identical across runs", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, FAILING);
    const first = await kontra(["validate", path, "--output-format", "json"]);
    const second = await kontra(["validate", path, "-o", "json"]);
    assert.equal(first.code, 1);
    assert.equal(first.stderr, "");
    assert.equal(second.stdout, first.stdout);
    assert.ok(first.stdout.startsWith("{\n") && first.stdout.endsWith("}\n"));

    const document = ResultDocumentModel.parse(JSON.parse(first.stdout));
    assert.deepEqual(Object.keys(document), [
      "schema_version",
      "kontract",
      "dataset",
      "passed",
      "summary",
      "results",
    ]);
    assert.equal(document.schema_version, "1.0");
    assert.equal(document.kontract.name, "failing");
    assert.match(document.kontract.fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(document.dataset, { uri: "users.parquet", rows: 5 });
    assert.equal(document.passed, false);
    assert.deepEqual(document.summary, {
      rules: 5,
      passed: 1,
      failed: 4,
      blocking_failures: 1,
      warning_failures: 2,
      info_failures: 1,
    });
    assert.deepEqual(
      document.results.map((r) => [r.rule_id, r.failed_count, r.passed, r.execution_source]),
      [
        ["COL:id:not_null", 0, true, "metadata"],
        ["COL:email:not_null", 1, false, "metadata"],
        ["COL:email:unique", 1, false, "scan"],
        ["COL:country:allowed_values", 1, false, "scan"],
        ["DATASET:custom_sql_check", 2, false, "sql"],
      ],
    );
    assert.deepEqual(document.results[3].context, { owner: "data-eng", tier: 2 });
    assert.equal(document.results[4].column, undefined);
  });
});

Deno.test("the JSON document is valid against schema/result-1.0.json", async () => {
  await withTempDir(async (dir) => {
    const schema = await loadSchema();
    const unknown = keywordsOf(schema).filter((keyword) => !UNDERSTOOD_KEYWORDS.has(keyword));
    assert.deepEqual(unknown, [], "the schema uses keywords this check does not understand");

    const run = await kontra(["validate", await setUp(dir, FAILING), "-o", "json"]);
    const document = JSON.parse(run.stdout);
    assert.deepEqual(schemaErrors(document, schema), []);
    // The required lists are exactly the keys that are always present.
    assert.deepEqual(schema.required, Object.keys(document));
    const column = document.results[0];
    // `status` is always written but optional in the schema: it was added to 1.0 later,
    // and documents without it stay valid.
    assert.deepEqual(
      schema.properties!.results.items!.required,
      Object.keys(column).filter((key) => !["column", "context", "status"].includes(key)),
    );
    // The check is not vacuous: a broken document is caught.
    delete document.summary.failed;
    document.results[0].failed_count = -1;
    document.extra = true;
    assert.deepEqual(schemaErrors(document, schema), [
      "$.summary.failed: required",
      "$.results[0].failed_count: too small",
      "$.extra: not allowed",
    ]);
  });
});

Deno.test("--timings adds a stats block and changes nothing else", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, FAILING);
    const plain = await kontra(["validate", path, "-o", "json"]);
    const timed = await kontra(["validate", path, "-o", "json", "--timings"]);
    assert.equal(timed.code, 1);
    const { stats, ...rest } = JSON.parse(timed.stdout);
    assert.deepEqual(rest, JSON.parse(plain.stdout));
    assert.equal(typeof stats.duration_ms, "number");
    assert.equal(stats.rows_scanned, 5);
    assert.ok(stats.scan_passes >= 1);
    assert.ok(stats.peak_rss_bytes > 0);
    assert.deepEqual(schemaErrors(JSON.parse(timed.stdout), await loadSchema()), []);

    const richPlain = await kontra(["validate", path]);
    const richTimed = await kontra(["validate", path, "--timings"]);
    const [table, timings] = richTimed.stdout.split(/(?=^Timings\n)/m);
    assert.equal(table, richPlain.stdout);
    assert.match(timings, /^Timings\n {2}duration +[\d.]+ m?s\n/);
  });
});

// ---------------------------------------------------------------- help, version, demo

Deno.test("--help and --version exit 0", async () => {
  const help = await kontra(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: kontra \[options\] \[command\]/);
  assert.match(help.stdout, /validate \[options\] <kontract>/);
  assert.equal(help.stderr, "");

  const validateHelp = await kontra(["validate", "--help"]);
  assert.equal(validateHelp.code, 0);
  for (const option of ["--data", "--output-format", "--timings", "--env-file", "--quiet"]) {
    assert.ok(validateHelp.stdout.includes(option), `validate --help lists ${option}`);
  }

  const version = await kontra(["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `${VERSION}\n`);
});

Deno.test("`deno task demo` exits 0 and shows passing and failing (WARN) rules", async () => {
  const demo = await runDeno(["task", "demo"], {
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  });
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /^PASS +\S+/m);
  assert.match(demo.stdout, /^WARN +\S+/m);
  assert.doesNotMatch(demo.stdout, /^FAIL /m);
  assert.match(demo.stdout, /✔ PASSED {2}\d+\/\d+ rules passed; failures: \d+ warning/);
  assert.ok(!demo.stdout.includes(ESC));
});
