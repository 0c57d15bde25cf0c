/**
 * The CLI through `main(args, io)`, in this process, with a fake `io` that records
 * stdout and stderr and says whether they are terminals.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { z } from "zod";
import { defineRule, registerRule, VERSION } from "../mod.ts";
import { ResultDocumentModel } from "../src/report/result.ts";
import { assertOneLineError, runCli, STACK_LINE } from "./support/cli.ts";
import { fiveUsers, withTempDir, writeText } from "./support/fixtures.ts";

/** Terminal escape sequences start with this. */
const ESC = "\x1b[";
/** An SGR colour code such as `ESC[32m` (built from a string to satisfy no-control-regex). */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g");

// ---------------------------------------------------------------- helpers

/**
 * Writes users.parquet (by construction: email has 1 NULL and 1 duplicate, 2 ids are
 * above 3) and a Kontract next to it; returns the Kontract's path.
 */
async function setUp(dir: string, kontract: string, name = "kontract.yml"): Promise<string> {
  fiveUsers().writeParquet(join(dir, "users.parquet"));
  return await writeText(dir, name, kontract);
}

/** Every rule passes: 3 rules. */
const PASSING = `name: passing
datasource: users.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: unique
    params: { column: id }
  - name: min_rows
    params: { threshold: 5 }
`;

/** One blocking failure, one warning, one info; every tier is used. */
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
  - name: custom_sql_check
    params: { sql: "SELECT * FROM {table} WHERE id > 3" }
    severity: info
`;

/** The exact rich output of PASSING without colour. */
const PASSING_TEXT = `Kontra · passing  users.parquet · 5 rows

STATUS  RULE              SEVERITY  FAILED  TIER      MESSAGE
PASS    COL:id:not_null   blocking       0  metadata  id has no NULL values
PASS    COL:id:unique     blocking       0  scan      id values are unique
PASS    DATASET:min_rows  blocking       0  metadata  5 rows, at least 5

✔ PASSED  3/3 rules passed
`;

/** Removes colour codes, so coloured and plain output can be compared. */
function stripColour(text: string): string {
  return text.replace(COLOUR, "");
}

/** `text` in the given SGR style, as the terminal renderer writes it. */
function painted(code: number, text: string): string {
  return `${ESC}${code}m${text}${ESC}0m`;
}

/** Asserts that some line of `output` starts with `start` and contains `rest`. */
function assertLine(output: string, start: string, rest: string): void {
  assert.ok(
    output.split("\n").some((line) => line.startsWith(start) && line.includes(rest)),
    `no line starting with ${JSON.stringify(start)} containing ${rest} in ${
      JSON.stringify(output)
    }`,
  );
}

/** A rule whose measurement throws a plain (non-Kontra) error, for the exit-3 fallback. */
registerRule(defineRule({
  name: "kontra_cli_test_explodes",
  scope: "dataset",
  params: z.strictObject({}),
  measure: () => {
    throw new TypeError("engine exploded\n  with a second line that must not be printed");
  },
  describe: () => "never described",
}));

// ---------------------------------------------------------------- exit codes

Deno.test("main: exit 0 prints the whole table and the verdict on stdout", async () => {
  await withTempDir(async (dir) => {
    const run = await runCli(["validate", await setUp(dir, PASSING)]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, PASSING_TEXT);
    assert.equal(run.stderr, "");
  });
});

Deno.test("main: exit 1 when a blocking rule fails", async () => {
  await withTempDir(async (dir) => {
    const run = await runCli(["validate", await setUp(dir, FAILING)]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^FAIL +COL:email:not_null +blocking +1 +metadata /m);
    assert.match(run.stdout, /^WARN +COL:email:unique +warning +1 +scan /m);
    assert.match(run.stdout, /^INFO +DATASET:custom_sql_check +info +2 +sql /m);
    assert.match(
      run.stdout,
      /✘ FAILED {2}1\/4 rules passed; failures: 1 blocking, 1 warning, 1 info\n$/,
    );
  });
});

Deno.test("main: exit 2 for Kontract and usage errors, each one line", async () => {
  await withTempDir(async (dir) => {
    const cases: [name: string, args: string[], message: RegExp][] = [
      [
        "bad YAML",
        ["validate", await setUp(dir, "name: [\n", "bad.yml")],
        /bad\.yml:2:1: invalid YAML: /,
      ],
      [
        "unknown rule",
        ["validate", await setUp(dir, "name: t\nrules:\n  - name: uniqe\n", "rule.yml")],
        /rule\.yml:3:11: rules\[0\]\.name: unknown rule "uniqe" \(did you mean "unique"\?\)\n$/,
      ],
      [
        "bad params",
        ["validate", await setUp(dir, PASSING.replace("threshold: 5", "threshold: -5"), "p.yml")],
        /p\.yml:9:26: rules\[2\]\.params\.threshold: Too small: /,
      ],
      [
        "missing data file",
        ["validate", await setUp(dir, PASSING.replace("users.", "gone."), "gone.yml")],
        /^kontra: gone\.parquet: file not found\n$/,
      ],
      [
        "missing datasource",
        ["validate", await setUp(dir, "name: t\n", "nods.yml")],
        /nods\.yml: datasource: required \(or pass data\)\n$/,
      ],
      ["unknown option", ["validate", "k.yml", "--fast"], /^kontra: unknown option '--fast'\n$/],
      ["missing argument", ["validate"], /^kontra: missing required argument 'kontract'\n$/],
    ];
    for (const [name, args, message] of cases) {
      const run = await runCli(args);
      try {
        assertOneLineError(run, 2, message);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
  });
});

Deno.test("main: no command prints the usage on stderr and exits 2", async () => {
  const run = await runCli([]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^Usage: kontra \[options\] \[command\]\n/);
  assert.doesNotMatch(run.stderr, /outputHelp/);
});

Deno.test("main: exit 3 for a corrupt Parquet file; --debug adds the stack", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING.replace("users.parquet", "x.parquet"));
    await Deno.writeFile(join(dir, "x.parquet"), crypto.getRandomValues(new Uint8Array(512)));
    assertOneLineError(await runCli(["validate", path]), 3, /^kontra: x\.parquet: cannot read /);

    const debug = await runCli(["validate", path, "--debug"]);
    assert.equal(debug.code, 3);
    assert.match(debug.stderr, /^kontra: x\.parquet: cannot read [^\n]+\nDataSourceError: /);
    assert.match(debug.stderr, STACK_LINE);
  });
});

Deno.test("main: an unexpected error is exit 3, its first line only; --debug adds the stack", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(
      dir,
      "name: boom\ndatasource: users.parquet\nrules:\n  - name: kontra_cli_test_explodes\n",
    );
    assertOneLineError(await runCli(["validate", path]), 3, /^kontra: engine exploded\n$/);

    const debug = await runCli(["validate", path, "--debug"]);
    assert.equal(debug.code, 3);
    assert.match(debug.stderr, /^kontra: engine exploded\nTypeError: engine exploded\n/);
    assert.match(debug.stderr, STACK_LINE);
  });
});

Deno.test("main: --debug adds the stack to Kontract errors too", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, "name: t\nrules:\n  - name: nope\n");
    const debug = await runCli(["validate", path, "--debug"]);
    assert.equal(debug.code, 2);
    assert.match(debug.stderr, /^kontra: [^\n]+unknown rule "nope"[^\n]*\nKontractError: /);
    assert.match(debug.stderr, STACK_LINE);
  });
});

// ---------------------------------------------------------------- help, version, formats

Deno.test("main: --help, validate --help and --version exit 0 on stdout", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: kontra \[options\] \[command\]/);
  assert.match(help.stdout, /validate \[options\] <kontract> +validate a dataset/);
  assert.equal(help.stderr, "");

  const validateHelp = await runCli(["validate", "-h"]);
  assert.equal(validateHelp.code, 0);
  assert.match(validateHelp.stdout, /--env-file <path>/);
  assert.match(validateHelp.stdout, /--no-metadata/);

  for (const flag of ["--version", "-V"]) {
    const version = await runCli([flag]);
    assert.equal(version.code, 0);
    assert.equal(version.stdout, `${VERSION}\n`);
  }
});

Deno.test("main: json output is only the document, the same across runs", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, FAILING);
    const first = await runCli(["validate", path, "--output-format", "json"]);
    const second = await runCli(["validate", path, "-o", "json"]);
    assert.equal(first.code, 1);
    assert.equal(first.stderr, "");
    assert.equal(first.stdout, second.stdout);
    const document = ResultDocumentModel.parse(JSON.parse(first.stdout));
    assert.equal(document.passed, false);
    assert.deepEqual(document.results.map((result) => result.failed_count), [0, 1, 1, 2]);
    assert.equal(document.stats, undefined);
  });
});

Deno.test("main: --quiet prints only failing rules and the verdict", async () => {
  await withTempDir(async (dir) => {
    const failing = await runCli(["validate", await setUp(dir, FAILING), "--quiet"]);
    assert.equal(failing.code, 1);
    assert.deepEqual(
      failing.stdout.trimEnd().split("\n").map((line) => line.split(/ +/).slice(0, 2).join(" ")),
      [
        "STATUS RULE",
        "FAIL COL:email:not_null",
        "WARN COL:email:unique",
        "INFO DATASET:custom_sql_check",
        "",
        "✘ FAILED",
      ],
    );
    const passing = await runCli(["validate", await setUp(dir, PASSING, "ok.yml"), "-q"]);
    assert.equal(passing.stdout, "✔ PASSED  3/3 rules passed\n");
  });
});

Deno.test("main: --timings adds stats to json and a timings line to rich output", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING);
    const json = await runCli(["validate", path, "-o", "json", "--timings"]);
    const document = ResultDocumentModel.parse(JSON.parse(json.stdout));
    assert.ok(document.stats);
    assert.equal(document.stats.scan_passes >= 1, true);
    assert.equal(typeof document.stats.phases_ms.schema, "number");

    const rich = await runCli(["validate", path, "--timings"]);
    assert.equal(rich.code, 0);
    assert.ok(rich.stdout.startsWith(PASSING_TEXT));
    // A table for people: duration, phases, scan figures, memory; no raw JSON.
    const timings = rich.stdout.slice(PASSING_TEXT.length);
    assert.match(timings, /^Timings\n {2}duration +[\d.]+ m?s\n( {4}\w+ +[\d.]+ m?s\n)+/);
    assert.match(timings, /\n {4}open +[\d.]+ m?s\n {4}schema +[\d.]+ m?s\n/);
    assert.match(timings, /\n {2}rows scanned +5\n {2}scan passes +\d+\n/);
    assert.match(timings, /\n {2}peak memory +[\d.]+ [KMG]B\n$/);
    assert.doesNotMatch(timings, /[{}"]/);
  });
});

Deno.test("main: --data overrides the datasource", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING.replace("users.parquet", "absent.parquet"));
    const csv = join(dir, "six.csv");
    pl.DataFrame({ id: [1, 2, 3, 4, 5, 6] }).writeCSV(csv);
    const run = await runCli(["validate", path, "--data", csv, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).dataset, { uri: csv, rows: 6 });
  });
});

Deno.test("main: --no-metadata answers every row rule by scanning", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING);
    const tiers = async (args: string[]) =>
      JSON.parse((await runCli(["validate", path, "-o", "json", ...args])).stdout).results
        .map((result: { execution_source: string }) => result.execution_source);
    assert.deepEqual(await tiers([]), ["metadata", "scan", "metadata"]);
    assert.deepEqual(await tiers(["--no-metadata"]), ["scan", "scan", "scan"]);
  });
});

// ---------------------------------------------------------------- terminals

Deno.test("main: on a TTY the table is coloured and progress goes to stderr", async () => {
  await withTempDir(async (dir) => {
    const run = await runCli(["validate", await setUp(dir, FAILING)], {
      tty: { stdout: true, stderr: true },
    });
    assert.equal(run.code, 1);
    assert.ok(run.stdout.startsWith(painted(1, "Kontra · failing")));
    assertLine(run.stdout, painted(32, "PASS"), "COL:id:not_null");
    assertLine(run.stdout, painted(31, "FAIL"), "COL:email:not_null");
    assertLine(run.stdout, painted(33, "WARN"), "COL:email:unique");
    assertLine(run.stdout, painted(34, "INFO"), "DATASET:custom_sql_check");
    assertLine(run.stdout, painted(31, "✘ FAILED"), "1/4 rules passed");
    assert.ok(run.stderr.includes("… scanning users.parquet"), run.stderr);
    assert.ok(run.stderr.includes("… checking email for duplicates"), run.stderr);
    assert.ok(run.stderr.includes("… running 1 SQL check"), run.stderr);
    assert.ok(run.stderr.endsWith(`\r${ESC}2K`), "the progress line is cleared at the end");
    assert.equal(stripColour(run.stderr), run.stderr, "progress is not coloured");

    const plain = await runCli(["validate", join(dir, "kontract.yml")]);
    assert.equal(stripColour(run.stdout), plain.stdout, "colour is the only difference");
  });
});

Deno.test("main: NO_COLOR turns colour off on a TTY", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, PASSING);
    const tty = { stdout: true, stderr: false };
    const noColour = await runCli(["validate", path], { tty, env: { NO_COLOR: "1" } });
    assert.equal(noColour.stdout, PASSING_TEXT);
    assert.equal(noColour.stderr, "", "no progress when stderr is not a TTY");
    const coloured = await runCli(["validate", path], { tty });
    assert.ok(coloured.stdout.startsWith(painted(1, "Kontra · passing")));
  });
});

Deno.test("main: no progress on a TTY stderr for json or --quiet output", async () => {
  await withTempDir(async (dir) => {
    const path = await setUp(dir, FAILING);
    const tty = { stdout: true, stderr: true };
    const json = await runCli(["validate", path, "-o", "json"], { tty });
    assert.equal(json.stderr, "");
    assert.ok(!json.stdout.includes(ESC));
    ResultDocumentModel.parse(JSON.parse(json.stdout));
    const quiet = await runCli(["validate", path, "--quiet"], { tty });
    assert.equal(quiet.stderr, "");
    assert.ok(quiet.stdout.startsWith(`${ESC}2mSTATUS  RULE`), quiet.stdout);
  });
});
