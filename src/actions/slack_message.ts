/**
 * The Slack message for a validation result: Block Kit with a `text` fallback. It
 * names the Kontract, the dataset (redacted URI) and the verdict, lists each failing
 * rule (id, severity, count) most severe first, and links the quarantine location(s).
 * It stays inside Slack's limits (50 blocks, 3000 characters per section text, 150
 * per header) and summarises what does not fit: "…and 37 more rules".
 * @module
 */
import { scrubSecretsDeep } from "../core/secrets.ts";
import { splitUri } from "../core/uri_credentials.ts";
import type { ActionResult, ResultDocument, RuleResult } from "../report/result.ts";
import { formatCount } from "../report/terminal.ts";
import { VERSION } from "../core/version.ts";

/** A Block Kit text object. */
export interface SlackText {
  type: "mrkdwn" | "plain_text";
  text: string;
}

/** The blocks Kontra sends. */
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text: SlackText }
  | { type: "context"; elements: SlackText[] }
  | { type: "divider" };

/** An incoming-webhook payload. */
export interface SlackPayload {
  /** Shown in notifications and where blocks cannot be. */
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits, and how many rules to list before summarising. */
export interface SlackLimits {
  maxBlocks: number;
  maxSectionChars: number;
  maxHeaderChars: number;
  maxTextChars: number;
  /** Rules listed at most; the rest become "…and N more rules". */
  maxRules: number;
}

/** Slack's documented limits; 40 rules keep a message readable. */
export const SLACK_LIMITS: SlackLimits = {
  maxBlocks: 50,
  maxSectionChars: 3000,
  maxHeaderChars: 150,
  maxTextChars: 3000,
  maxRules: 40,
};

const SEVERITY_ORDER = { blocking: 0, warning: 1, info: 2 } as const;

/** Failing rules, most severe first, then the largest count, then by id. */
export function failingRules(document: ResultDocument): RuleResult[] {
  return document.results.filter((result) => !result.passed).sort((a, b) =>
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    b.failed_count - a.failed_count ||
    (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0)
  );
}

/** Builds the message. `quarantines` are the quarantine actions' results, if any ran. */
export function slackMessage(
  resultDocument: ResultDocument,
  quarantineResults: ActionResult[] = [],
  limits: SlackLimits = SLACK_LIMITS,
): SlackPayload {
  // Scrubbed before anything is cut to a limit: a cut could leave half a secret.
  const document = scrubSecretsDeep(resultDocument);
  const quarantines = scrubSecretsDeep(quarantineResults);
  const { kontract, summary } = document;
  const dataset = redactUri(document.dataset.uri);
  const verdict = document.passed ? "passed" : "FAILED";
  const failing = failingRules(document);
  const bySeverity = [
    [summary.blocking_failures, "blocking"],
    [summary.warning_failures, "warning"],
    [summary.info_failures, "info"],
  ].filter(([n]) => Number(n) > 0).map(([n, kind]) => `${n} ${kind}`).join(", ");
  const tally = `${summary.failed} of ${summary.rules} rules failed` +
    (bySeverity ? ` (${bySeverity})` : "");

  const head: SlackBlock[] = [
    {
      type: "header",
      text: plain(
        truncate(
          `${document.passed ? "✅" : "❌"} Kontra: ${kontract.name} ${verdict}`,
          limits.maxHeaderChars,
        ),
      ),
    },
    {
      type: "section",
      text: mrkdwn(truncate(
        `*Dataset:* \`${escape(dataset)}\` · ${formatCount(document.dataset.rows)} rows\n` +
          `*Result:* ${verdict}: ${tally}`,
        limits.maxSectionChars,
      )),
    },
  ];
  const tail: SlackBlock[] = [];
  const dlq = quarantines.flatMap(quarantineLine);
  if (dlq.length > 0) {
    tail.push({
      type: "section",
      text: mrkdwn(truncate(`*Quarantine (DLQ):*\n${dlq.join("\n")}`, limits.maxSectionChars)),
    });
  }
  tail.push({
    type: "context",
    elements: [mrkdwn(`Kontra ${VERSION} · Kontract \`${kontract.fingerprint.slice(0, 12)}\``)],
  });
  const rules = ruleSections(failing, limits, limits.maxBlocks - head.length - tail.length);
  const dlqText = quarantines.filter((q) => q.status === "succeeded" && q.location)
    .map((q) => ` Quarantine: ${q.location} (${formatCount(q.rows ?? 0)} rows).`).join("");
  return {
    text: truncate(
      `Kontra: ${kontract.name} ${verdict} on ${dataset}: ${tally}.${dlqText}`,
      limits.maxTextChars,
    ),
    blocks: [...head, ...rules, ...tail],
  };
}

/** Sections listing failing rules within the block and character limits. */
function ruleSections(failing: RuleResult[], limits: SlackLimits, blocks: number): SlackBlock[] {
  if (failing.length === 0 || blocks <= 0) return [];
  const lines = failing.map((rule) =>
    truncate(
      `• \`${escape(rule.rule_id)}\` · ${rule.severity} · ${formatCount(rule.failed_count)}${
        rule.failed_count_exact ? "" : "+"
      } failed`,
      500,
    )
  );
  const more = (n: number) => `…and ${n} more rule${n === 1 ? "" : "s"}`;
  // Room for the "…and N more" line in the last section, whatever N is.
  const reserve = more(failing.length).length + 1;
  const sections: string[][] = [["*Failing rules:*"]];
  let shown = 0;
  for (const line of lines) {
    if (shown >= limits.maxRules) break;
    const current = sections[sections.length - 1];
    const length = current.join("\n").length + 1 + line.length;
    const last = sections.length === blocks;
    if (length + (last ? reserve : 0) <= limits.maxSectionChars) {
      current.push(line);
    } else if (!last) {
      sections.push([line]);
    } else {
      break;
    }
    shown++;
  }
  if (shown < failing.length) sections[sections.length - 1].push(more(failing.length - shown));
  return sections.map((section) => ({ type: "section", text: mrkdwn(section.join("\n")) }));
}

function quarantineLine(result: ActionResult): string[] {
  if (result.status === "failed") return [`quarantine failed: ${escape(result.error ?? "")}`];
  if (result.status !== "succeeded" || !result.location) return [];
  return [`${dlqLink(result.location)} · ${formatCount(result.rows ?? 0)} rows`];
}

/** An S3 location links to the S3 console; a local one is shown as a path. */
function dlqLink(location: string): string {
  const s3 = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (s3) {
    const url = `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(s3[1])}` +
      `?prefix=${encodeURIComponent(s3[2])}`;
    return `<${url}|${escape(location)}>`;
  }
  return `\`${escape(location)}\``;
}

/**
 * A URI without user info or query string, which may hold credentials. The userinfo is
 * found tolerantly (a password may hold `/ # ? @ :`).
 */
export function redactUri(uri: string): string {
  const parts = splitUri(uri);
  if (!parts) return uri.replace(/\?.*$/, "");
  const userinfo = parts.user !== undefined ? "***@" : "";
  return `${parts.scheme}://${userinfo}${parts.rest.replace(/[?#].*$/, "")}`;
}

/** Slack mrkdwn needs `&`, `<` and `>` escaped. */
function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function plain(text: string): SlackText {
  return { type: "plain_text", text };
}

function mrkdwn(text: string): SlackText {
  return { type: "mrkdwn", text };
}
