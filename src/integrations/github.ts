/**
 * GitHub Actions output (`--output-format github`): one workflow-command annotation
 * per failing or errored rule on stdout, and a Markdown table for the job summary, appended to
 * the file `$GITHUB_STEP_SUMMARY` names (printed after the annotations when unset).
 * Every escaper scrubs registered secrets before it escapes (an escaped secret would no
 * longer match), and both outputs are scrubbed again as written.
 * @module
 */
import { relative, resolve, sep } from "node:path";
import { scrubSecrets } from "../core/secrets.ts";
import { type ResultDocument, type RuleResult, statusOf } from "../report/result.ts";
import { formatCount } from "../report/terminal.ts";

/** Escapes a workflow command's message: `%`, CR and LF, as `@actions/core` does. */
export function escapeData(text: string): string {
  return scrubSecrets(text).replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a workflow command's property value: as data, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(scrubSecrets(text)).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** `::error file=…,title=…::message`; properties without a value are left out. */
export function workflowCommand(
  command: string,
  properties: Record<string, string | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "")
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(",");
  return `::${command}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

const LEVEL = { blocking: "error", warning: "warning", info: "notice" } as const;

/**
 * One annotation per failing rule, pointing at the Kontract file; a rule that could not
 * be checked is an `::error` whatever its severity (the run exits 3).
 */
export function renderAnnotations(document: ResultDocument, kontractFile?: string): string {
  return document.results
    .filter((result) => !result.passed)
    .map((result) =>
      (statusOf(result) === "error"
        ? workflowCommand(
          "error",
          { file: kontractFile, title: `Kontra: ${result.rule_id} could not be checked` },
          `${result.error ?? result.message} (${result.severity})`,
        )
        : workflowCommand(
          LEVEL[result.severity],
          { file: kontractFile, title: `Kontra: ${result.rule_id}` },
          `${result.message} (${failedCount(result)} failed, ${result.severity})`,
        )) + "\n"
    )
    .join("");
}

/**
 * Makes text safe in a Markdown table cell: `|` would end the cell, a line break the
 * row, and `\ * _ ` [ ] < > ~ &` would format, link or inject HTML; each is
 * backslash-escaped, which GitHub renders as the plain character.
 */
export function escapeCell(text: string): string {
  return scrubSecrets(text).replace(/\r\n|\r|\n/g, " ").replace(/[\\|*_`[\]<>~&]/g, "\\$&");
}

/** A table cell shown as code: a backtick fence longer than any run inside, pipes escaped. */
export function codeCell(text: string): string {
  const flat = scrubSecrets(text).replace(/\r\n|\r|\n/g, " ").replaceAll("|", "\\|");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const STATUS = { blocking: "❌ FAIL", warning: "⚠️ WARN", info: "ℹ️ INFO" } as const;

/** The job summary: verdict, dataset, a table of every rule, and any actions. */
export function renderSummary(document: ResultDocument): string {
  const { summary } = document;
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const lines = [
    `### Kontra · ${escapeCell(document.kontract.name)}: ${
      document.summary.errors ? "⛔ error" : document.passed ? "✅ passed" : "❌ failed"
    }`,
    "",
    `${escapeCell(document.dataset.uri)} · ${formatCount(document.dataset.rows)} rows · ` +
    `${summary.passed}/${summary.rules} rules passed · ${summary.blocking_failures} blocking, ` +
    `${summary.warning_failures} warning, ${summary.info_failures} info failures` +
    (summary.errors ? ` · ${summary.errors} could not be checked` : ""),
    "",
    row(["Status", "Rule", "Severity", "Failed", "Tier", "Message"]),
    row(["---", "---", "---", "---:", "---", "---"]),
    ...document.results.map((result) =>
      row([
        statusOf(result) === "error"
          ? "⛔ ERROR"
          : result.passed
          ? "✅ PASS"
          : STATUS[result.severity],
        codeCell(result.rule_id),
        result.severity,
        statusOf(result) === "error" ? "-" : failedCount(result),
        result.execution_source,
        escapeCell(result.message),
      ])
    ),
  ];
  const actions = document.actions ?? [];
  if (actions.length > 0) {
    lines.push("", "**Actions**", "");
    for (const action of actions) {
      const details = [
        action.location === undefined ? "" : ` → ${escapeCell(action.location)}`,
        action.rows === undefined ? "" : ` (${formatCount(action.rows)} rows)`,
        action.error === undefined ? "" : `: ${escapeCell(action.error)}`,
      ].join("");
      lines.push(`- ${escapeCell(action.action)}: ${action.status}${details}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Where {@linkcode reportToGithub} writes. */
export interface GithubTarget {
  /** Receives the annotations (and the summary when there is no summary file). */
  out(text: string): void;
  /** The Kontract path the annotations point at, relative to the repository root. */
  kontractFile?: string;
  /** `$GITHUB_STEP_SUMMARY`: the summary is appended to this file when set. */
  summaryFile?: string;
}

/** Writes annotations and the job summary for one run. */
export async function reportToGithub(
  document: ResultDocument,
  target: GithubTarget,
): Promise<void> {
  const file = target.kontractFile === undefined ? undefined : workspacePath(target.kontractFile);
  target.out(scrubSecrets(renderAnnotations(document, file)));
  const summary = scrubSecrets(renderSummary(document));
  if (target.summaryFile) {
    await Deno.writeTextFile(target.summaryFile, summary, { append: true });
  } else {
    target.out(summary);
  }
}

/** GitHub resolves annotation paths against the workspace, the working directory of a step. */
function workspacePath(path: string): string {
  const inside = relative(Deno.cwd(), resolve(path));
  return (inside.startsWith("..") ? path : inside).split(sep).join("/");
}

function failedCount(result: RuleResult): string {
  return formatCount(result.failed_count) + (result.failed_count_exact ? "" : "+");
}
