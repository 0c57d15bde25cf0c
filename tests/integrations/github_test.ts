/**
 * `--output-format github`: workflow-command annotations (escaped as `@actions/core`
 * escapes them), the Markdown job summary (appended to `$GITHUB_STEP_SUMMARY`), and
 * `--fail-on`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  codeCell,
  escapeCell,
  escapeData,
  escapeProperty,
  renderAnnotations,
  renderSummary,
  reportToGithub,
  workflowCommand,
} from "../../src/integrations/github.ts";
import { exitCodeFor } from "../../src/report/fail_on.ts";
import type { ResultDocument, RuleResult, Summary } from "../../src/report/result.ts";
import { runCli, runCliProcess } from "../support/cli.ts";
import { fiveUsers, withTempDir, writeText } from "../support/fixtures.ts";

/** users.parquet: email has 1 NULL and 1 duplicate; `code` has one "100%" value. */
async function setUp(dir: string, kontract: string): Promise<string> {
  fiveUsers({ code: ["a", "b", "a", "100%", "b"] }).writeParquet(join(dir, "users.parquet"));
  return await writeText(dir, "kontract.yml", kontract);
}

/**
 * A blocking failure whose id holds `,` and `:`, a warning whose message holds `%`,
 * `|`, CR and LF (from the pattern), and an info failure.
 */
const FAILING = `name: users
datasource: users.parquet
rules:
  - name: not_null
    params: { column: email }
    id: "emails, all: present"
  - name: regex
    params: { column: code, pattern: "^(a|b)%?\\r?\\n?$" }
    severity: warning
  - name: unique
    params: { column: email }
    severity: info
  - name: not_null
    params: { column: id }
`;

/** Only a warning fails. */
const WARNING_ONLY = `name: users
datasource: users.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: unique
    params: { column: email }
    severity: warning
`;

// ------------------------------------------------------- escaping

Deno.test("github: data escapes %, CR and LF; properties also : and ,", () => {
  assert.equal(escapeData("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b");
  assert.equal(escapeProperty("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext%3A a%2Cb");
  // % first: an existing escape sequence is not decoded by the runner.
  assert.equal(escapeData("%0A"), "%250A");
  assert.equal(escapeProperty("%3A"), "%253A");
});

Deno.test("github: workflow commands leave out empty properties", () => {
  assert.equal(
    workflowCommand("error", { file: "k.yml", line: undefined, title: "T: x,y" }, "a\nb"),
    "::error file=k.yml,title=T%3A x%2Cy::a%0Ab",
  );
  assert.equal(workflowCommand("notice", { file: "" }, "m"), "::notice::m");
});

Deno.test("github: table cells escape pipes, line breaks and Markdown", () => {
  assert.equal(escapeCell("a|b\nc\r\nd"), "a\\|b c d");
  assert.equal(
    escapeCell("<img src=x> *bold* _it_ `code` [l](u) ~s~ &amp; \\"),
    "\\<img src=x\\> \\*bold\\* \\_it\\_ \\`code\\` \\[l\\](u) \\~s\\~ \\&amp; \\\\",
  );
  assert.equal(codeCell("COL:a|b:unique"), "`COL:a\\|b:unique`");
  assert.equal(codeCell("x`y``z"), "```x`y``z```");
  assert.equal(codeCell("`edge`"), "`` `edge` ``");
  assert.equal(codeCell("two\nlines"), "`two lines`");
});

// ------------------------------------------------------- rendering

function ruleResult(overrides: Partial<RuleResult>): RuleResult {
  return {
    rule_id: "COL:id:not_null",
    rule: "not_null",
    column: "id",
    severity: "blocking",
    passed: true,
    failed_count: 0,
    failed_count_exact: true,
    message: "id has no NULL values",
    execution_source: "metadata",
    ...overrides,
  };
}

const DOCUMENT: ResultDocument = {
  schema_version: "1.0",
  kontract: { name: "users | prod", fingerprint: "f" },
  dataset: { uri: "s3://bucket/users/*.parquet", rows: 1234567 },
  passed: false,
  summary: {
    rules: 4,
    passed: 1,
    failed: 3,
    blocking_failures: 1,
    warning_failures: 1,
    info_failures: 1,
  },
  results: [
    ruleResult({}),
    ruleResult({
      rule_id: "COL:email:not_null",
      column: "email",
      passed: false,
      failed_count: 12000,
      failed_count_exact: false,
      message: "12000 NULL values in email",
      execution_source: "sql",
    }),
    ruleResult({
      rule_id: "COL:code:regex",
      rule: "regex",
      column: "code",
      severity: "warning",
      passed: false,
      failed_count: 1,
      message: "1 values of code do not match ^(a|b)$",
      execution_source: "scan",
    }),
    ruleResult({
      rule_id: "DATASET:custom_sql_check",
      rule: "custom_sql_check",
      column: undefined,
      severity: "info",
      passed: false,
      failed_count: 2,
      message: "the query returned 2 rows",
      execution_source: "sql",
    }),
  ],
  actions: [
    { action: "quarantine", status: "succeeded", location: "s3://dlq/users/", rows: 12001 },
    { action: "slack", status: "failed", error: "webhook | 500" },
  ],
};

Deno.test("github: one annotation per failing rule, error/warning/notice by severity", () => {
  assert.equal(
    renderAnnotations(DOCUMENT, "contracts/users.yml"),
    [
      "::error file=contracts/users.yml,title=Kontra%3A COL%3Aemail%3Anot_null::12000 NULL values in email (12,000+ failed, blocking)",
      "::warning file=contracts/users.yml,title=Kontra%3A COL%3Acode%3Aregex::1 values of code do not match ^(a|b)$ (1 failed, warning)",
      "::notice file=contracts/users.yml,title=Kontra%3A DATASET%3Acustom_sql_check::the query returned 2 rows (2 failed, info)",
      "",
    ].join("\n"),
  );
});

Deno.test("github: the summary is a Markdown table of every rule", () => {
  assert.equal(
    renderSummary(DOCUMENT),
    `### Kontra · users \\| prod: ❌ failed

s3://bucket/users/\\*.parquet · 1,234,567 rows · 1/4 rules passed · 1 blocking, 1 warning, 1 info failures

| Status | Rule | Severity | Failed | Tier | Message |
| --- | --- | --- | ---: | --- | --- |
| ✅ PASS | \`COL:id:not_null\` | blocking | 0 | metadata | id has no NULL values |
| ❌ FAIL | \`COL:email:not_null\` | blocking | 12,000+ | sql | 12000 NULL values in email |
| ⚠️ WARN | \`COL:code:regex\` | warning | 1 | scan | 1 values of code do not match ^(a\\|b)$ |
| ℹ️ INFO | \`DATASET:custom_sql_check\` | info | 2 | sql | the query returned 2 rows |

**Actions**

- quarantine: succeeded → s3://dlq/users/ (12,001 rows)
- slack: failed: webhook \\| 500
`,
  );
});

Deno.test("github: reportToGithub appends to the summary file, else prints the summary", async () => {
  await withTempDir(async (dir) => {
    const summaryFile = join(dir, "summary.md");
    await Deno.writeTextFile(summaryFile, "earlier step\n");
    let out = "";
    const target = { out: (text: string) => out += text, kontractFile: "k.yml", summaryFile };
    await reportToGithub(DOCUMENT, target);
    assert.equal(out, renderAnnotations(DOCUMENT, "k.yml"));
    assert.equal(await Deno.readTextFile(summaryFile), "earlier step\n" + renderSummary(DOCUMENT));

    out = "";
    await reportToGithub(DOCUMENT, {
      out: (text) => out += text,
      kontractFile: join(dir, "k.yml"),
    });
    assert.equal(out, renderAnnotations(DOCUMENT, join(dir, "k.yml")) + renderSummary(DOCUMENT));
  });
});

// ------------------------------------------------------- the CLI

Deno.test("github (process): annotations on stdout, summary in $GITHUB_STEP_SUMMARY", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, FAILING);
    const summaryFile = join(dir, "step_summary.md");
    const run = await runCliProcess(["validate", kontract, "--output-format", "github"], {
      env: { GITHUB_STEP_SUMMARY: summaryFile },
    });
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split("\n");
    assert.equal(lines.at(-1), "", "ends with a newline");
    assert.equal(lines.length, 4, "three annotations and nothing else: " + run.stdout);
    assert.match(
      lines[0],
      /^::error file=[^,]*kontract\.yml,title=Kontra%3A emails%2C all%3A present::1 NULL values in email \(1 failed, blocking\)$/,
    );
    // The pattern's % and its literal CR/LF reach the message escaped; nothing splits the line.
    assert.match(
      lines[1],
      /^::warning file=[^,]*,title=Kontra%3A COL%3Acode%3Aregex::1 values of code do not match \^\(a\|b\)%25\?%0D\?%0A\?\$ \(1 failed, warning\)$/,
    );
    assert.match(
      lines[2],
      /^::notice .*title=Kontra%3A COL%3Aemail%3Aunique::1 duplicate values in email/,
    );
    const summary = await Deno.readTextFile(summaryFile);
    assert.match(summary, /^### Kontra · users: ❌ failed\n/);
    assert.match(summary, /\| ❌ FAIL \| `emails, all: present` \| blocking \| 1 \| /);
    // The pattern's pipe is escaped and its line breaks flattened, so the row stays one row.
    assert.match(
      summary,
      /\| ⚠️ WARN \| `COL:code:regex` \| warning \| 1 \| scan \| 1 values of code do not match \^\(a\\\|b\)%\? \? \?\$ \|\n/,
    );
    assert.equal(summary.split("\n").filter((line) => line.startsWith("| ")).length, 6);
  });
});

Deno.test("github (main): without $GITHUB_STEP_SUMMARY the summary follows the annotations", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, WARNING_ONLY);
    const run = await runCli(["validate", kontract, "-o", "github"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^::warning file=.*\n### Kontra · users: ✅ passed\n/);
    assert.equal(run.stderr, "");
  });
});

Deno.test("github (main): the summary file is appended to", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, WARNING_ONLY);
    const summaryFile = join(dir, "summary.md");
    const env = { GITHUB_STEP_SUMMARY: summaryFile };
    await runCli(["validate", kontract, "-o", "github"], { env });
    const run = await runCli(["validate", kontract, "-o", "github"], { env });
    assert.equal(run.stdout.split("\n").length, 2, "one annotation line");
    const summary = await Deno.readTextFile(summaryFile);
    assert.equal(summary.split("### Kontra · users").length, 3, "two runs, two summaries");
  });
});

// ------------------------------------------------------- --fail-on

Deno.test("fail-on: exit codes by level", () => {
  const summary = (blocking: number, warning: number, info: number): Summary => ({
    rules: 3,
    passed: 3 - blocking - warning - info,
    failed: blocking + warning + info,
    blocking_failures: blocking,
    warning_failures: warning,
    info_failures: info,
  });
  const table: [Summary, number, number, number][] = [
    // summary, blocking, warning, never
    [summary(0, 0, 0), 0, 0, 0],
    [summary(0, 0, 1), 0, 0, 0],
    [summary(0, 1, 0), 0, 1, 0],
    [summary(1, 0, 0), 1, 1, 0],
  ];
  for (const [s, blocking, warning, never] of table) {
    assert.equal(exitCodeFor(s), blocking);
    assert.equal(exitCodeFor(s, "blocking"), blocking);
    assert.equal(exitCodeFor(s, "warning"), warning);
    assert.equal(exitCodeFor(s, "never"), never);
  }
});

Deno.test("fail-on (main): warning fails on warnings, never only on errors", async () => {
  await withTempDir(async (dir) => {
    const warnings = await setUp(dir, WARNING_ONLY);
    const code = async (...args: string[]) => (await runCli(["validate", ...args])).code;
    assert.equal(await code(warnings), 0);
    assert.equal(await code(warnings, "--fail-on", "blocking"), 0);
    assert.equal(await code(warnings, "--fail-on", "warning"), 1);
    assert.equal(await code(warnings, "--fail-on", "never"), 0);
    const failing = join(dir, "failing.yml");
    await Deno.writeTextFile(failing, FAILING);
    assert.equal(await code(failing, "--fail-on", "never"), 0);
    assert.equal(await code(failing, "--fail-on", "warning"), 1);
    assert.equal(
      await code(join(dir, "missing.yml"), "--fail-on", "never"),
      2,
      "errors still fail",
    );
    const bad = await runCli(["validate", warnings, "--fail-on", "sometimes"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on <level>' argument 'sometimes' is invalid/);
  });
});
