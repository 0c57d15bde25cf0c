/**
 * Text for people about actions: what each action did (after the rules table), the
 * one-line stderr report of a failed action, and `kontra quarantine verify` output.
 * @module
 */
import type { QuarantineVerification } from "./quarantine_verify.ts";
import type { ActionResult } from "../report/result.ts";
import { formatCount } from "../report/terminal.ts";

/** One line per action, e.g. `quarantine  succeeded  1,234 rows → dlq/users/…/`. */
export function renderActions(actions: ActionResult[]): string {
  if (actions.length === 0) return "";
  const lines = actions.map((action) => {
    const parts = [action.action.padEnd(10), action.status.padEnd(9)];
    if (action.rows !== undefined && action.status === "succeeded") {
      parts.push(`${formatCount(action.rows)} rows`);
    }
    if (action.location) parts.push(`→ ${action.location}`);
    if (action.error) parts.push(action.error);
    if (action.message) parts.push(`(${action.message})`);
    return parts.join("  ").trimEnd();
  });
  return `actions:\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}

/** The stderr line for each failed action. */
export function failedActionLines(actions: ActionResult[]): string {
  return actions.filter((action) => action.status === "failed")
    .map((action) => `kontra: action ${action.action} failed: ${action.error ?? "unknown error"}\n`)
    .join("");
}

/** `OK`/`DAMAGED` per run, its problems indented, then the verdict. */
export function renderVerification(report: QuarantineVerification): string {
  const lines: string[] = [];
  for (const run of report.runs) {
    const size = run.rows === undefined
      ? ""
      : `  ${formatCount(run.rows)} rows in ${run.files} file${run.files === 1 ? "" : "s"}`;
    lines.push(`${run.ok ? "OK     " : "DAMAGED"}  ${run.location}${size}`);
    for (const problem of run.problems) lines.push(`         - ${problem}`);
  }
  const damaged = report.runs.filter((run) => !run.ok).length;
  lines.push(
    damaged === 0
      ? `✔ intact: ${report.runs.length} run${report.runs.length === 1 ? "" : "s"} verified`
      : `✘ ${damaged} of ${report.runs.length} run${report.runs.length === 1 ? "" : "s"} damaged`,
  );
  return lines.join("\n") + "\n";
}
