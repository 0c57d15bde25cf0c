/**
 * The Slack Block Kit message: content, order, escaping and Slack's limits.
 */
import {
  failingRules,
  redactUri,
  SLACK_LIMITS,
  type SlackBlock,
  slackMessage,
} from "../../src/actions/slack_message.ts";
import type { ResultDocument, RuleResult, Severity } from "../../mod.ts";
import { summarize } from "../../src/report/result.ts";
import { assert, assertEquals } from "../support/assert.ts";

function rule(id: string, severity: Severity, failed: number): RuleResult {
  return {
    rule_id: id,
    rule: "not_null",
    severity,
    passed: failed === 0,
    failed_count: failed,
    failed_count_exact: true,
    message: "",
    execution_source: "scan",
  };
}

function documentOf(results: RuleResult[], uri = "data/users.parquet"): ResultDocument {
  const summary = summarize(results);
  return {
    schema_version: "1.0",
    kontract: { name: "users", fingerprint: "abcdef0123456789".repeat(4) },
    dataset: { uri, rows: 1234 },
    passed: summary.blocking_failures === 0,
    summary,
    results,
  };
}

function texts(blocks: SlackBlock[]): string[] {
  return blocks.map((block) =>
    "text" in block ? block.text.text : "elements" in block ? block.elements[0].text : ""
  );
}

Deno.test("the message names the Kontract, dataset and verdict, rules most severe first", () => {
  const document = documentOf([
    rule("COL:a:not_null", "warning", 5),
    rule("COL:b:not_null", "blocking", 1),
    rule("COL:c:not_null", "info", 100),
    rule("COL:d:not_null", "blocking", 7),
    rule("COL:e:not_null", "blocking", 0),
  ]);
  const message = slackMessage(document, [{
    action: "quarantine",
    status: "succeeded",
    location: "s3://dlq/users/users/abc/",
    rows: 13,
  }]);
  assertEquals(message.blocks.map((block) => block.type), [
    "header",
    "section",
    "section",
    "section",
    "context",
  ]);
  assertEquals(texts(message.blocks), [
    "❌ Kontra: users FAILED",
    "*Dataset:* `data/users.parquet` · 1,234 rows\n" +
    "*Result:* FAILED: 4 of 5 rules failed (2 blocking, 1 warning, 1 info)",
    "*Failing rules:*\n" +
    "• `COL:d:not_null` · blocking · 7 failed\n" +
    "• `COL:b:not_null` · blocking · 1 failed\n" +
    "• `COL:a:not_null` · warning · 5 failed\n" +
    "• `COL:c:not_null` · info · 100 failed",
    "*Quarantine (DLQ):*\n" +
    "<https://s3.console.aws.amazon.com/s3/buckets/dlq?prefix=users%2Fusers%2Fabc%2F|s3://dlq/users/users/abc/> · 13 rows",
    "Kontra 0.1.0 · Kontract `abcdef012345`",
  ]);
  assertEquals(
    message.text,
    "Kontra: users FAILED on data/users.parquet: 4 of 5 rules failed (2 blocking, 1 warning, 1 info). " +
      "Quarantine: s3://dlq/users/users/abc/ (13 rows).",
  );
});

Deno.test("a passing run, a local DLQ and a failed quarantine", () => {
  const document = documentOf([rule("COL:a:not_null", "warning", 2)]);
  const message = slackMessage(document, [
    { action: "quarantine", status: "succeeded", location: "/srv/dlq/users/abc/", rows: 2 },
    { action: "quarantine", status: "failed", error: "cannot write /ro: permission <denied>" },
  ]);
  const all = texts(message.blocks);
  assertEquals(all[0], "✅ Kontra: users passed");
  assertEquals(
    all[3],
    "*Quarantine (DLQ):*\n`/srv/dlq/users/abc/` · 2 rows\n" +
      "quarantine failed: cannot write /ro: permission &lt;denied&gt;",
  );
});

Deno.test("Slack's limits hold however many rules fail; the rest is summarised", () => {
  const results = Array.from(
    { length: 600 },
    (_, i) =>
      rule(`COL:${"x".repeat(480)}_${String(i).padStart(3, "0")}:not_null`, "blocking", i + 1),
  );
  for (const limits of [SLACK_LIMITS, { ...SLACK_LIMITS, maxRules: 1000 }]) {
    const message = slackMessage(documentOf(results), [], limits);
    assert(message.blocks.length <= 50, `${message.blocks.length} blocks`);
    for (const text of texts(message.blocks)) assert(text.length <= 3000, `${text.length} chars`);
    assert(message.text.length <= 3000);
    const all = texts(message.blocks).join("\n");
    const listed = (all.match(/^• /gm) ?? []).length;
    assert(all.includes(`…and ${600 - listed} more rules`), all.slice(-200));
    if (limits === SLACK_LIMITS) assertEquals(listed, 40);
    else assert(listed > 40, `${listed} listed`);
  }
});

Deno.test("the header stays within 150 characters and text is escaped", () => {
  const document = documentOf([rule("COL:<b>&:not_null", "blocking", 1)]);
  document.kontract.name = "n".repeat(400);
  const message = slackMessage(document);
  const header = message.blocks[0] as { text: { text: string } };
  assertEquals(header.text.text.length, 150);
  assert(texts(message.blocks)[2].includes("`COL:&lt;b&gt;&amp;:not_null`"));
});

Deno.test("dataset URIs lose user info and query strings", () => {
  assertEquals(redactUri("postgres://user:secret@db:5432/app"), "postgres://***@db:5432/app");
  assertEquals(redactUri("s3://bucket/key?X-Amz-Signature=abc"), "s3://bucket/key");
  assertEquals(redactUri("data/users.parquet"), "data/users.parquet");
  const message = slackMessage(documentOf([], "postgres://u:pw@h/db?password=pw"));
  assert(!JSON.stringify(message).includes("pw"), JSON.stringify(message));
});

Deno.test("failing rules sort by severity, then count, then id", () => {
  const document = documentOf([
    rule("b", "warning", 3),
    rule("a", "warning", 3),
    rule("c", "warning", 9),
    rule("d", "info", 1),
  ]);
  assertEquals(failingRules(document).map((r) => r.rule_id), ["c", "a", "b", "d"]);
});
