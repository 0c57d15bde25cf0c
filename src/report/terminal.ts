/**
 * Rich text for people: a table of rules with status (PASS, FAIL, WARN, INFO, or ERROR
 * for a rule that could not be checked), counts and tier. Colour only when asked (a TTY
 * without NO_COLOR); the caller decides.
 * @module
 */
import { type ResultDocument, type RuleResult, statusOf } from "./result.ts";

/** Rendering choices. */
export interface TerminalOptions {
  color: boolean;
  /** Only failing rules and the summary line. */
  quiet?: boolean;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;

/** The result as a table with a closing summary line. */
export function renderTerminal(document: ResultDocument, options: TerminalOptions): string {
  const paint = (style: Style, text: string) =>
    options.color ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
  const shown = options.quiet
    ? document.results.filter((result) => !result.passed)
    : document.results;
  const lines: string[] = [];
  if (!options.quiet) {
    lines.push(
      `${paint("bold", `Kontra · ${document.kontract.name}`)}  ${document.dataset.uri} · ${
        formatCount(document.dataset.rows)
      } rows`,
      "",
    );
  }
  if (shown.length > 0) {
    const rows = shown.map((result) => [
      status(result),
      result.rule_id,
      result.severity,
      statusOf(result) === "error"
        ? "-"
        : formatCount(result.failed_count) + (result.failed_count_exact ? "" : "+"),
      result.execution_source,
      result.message,
    ]);
    const header = ["STATUS", "RULE", "SEVERITY", "FAILED", "TIER", "MESSAGE"];
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => row[column].length))
    );
    const line = (cells: string[]) =>
      cells.map((cell, column) =>
        column === 3 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])
      ).join("  ").trimEnd();
    lines.push(paint("dim", line(header)));
    shown.forEach((result, index) => {
      const text = line(rows[index]);
      lines.push(text.replace(rows[index][0], paint(statusStyle(result), rows[index][0])));
    });
    lines.push("");
  }
  const { summary } = document;
  const errors = summary.errors ?? 0;
  const verdict = errors > 0
    ? paint("red", "✘ ERROR")
    : document.passed
    ? paint("green", "✔ PASSED")
    : paint("red", "✘ FAILED");
  const failures = [
    [summary.blocking_failures, "blocking"],
    [summary.warning_failures, "warning"],
    [summary.info_failures, "info"],
  ].filter(([count]) => Number(count) > 0).map(([count, kind]) => `${count} ${kind}`);
  lines.push(
    `${verdict}  ${summary.passed}/${summary.rules} rules passed` +
      (errors > 0 ? `; ${errors} could not be checked` : "") +
      (failures.length > 0 ? `; failures: ${failures.join(", ")}` : ""),
  );
  return lines.join("\n") + "\n";
}

function status(result: RuleResult): string {
  if (statusOf(result) === "error") return "ERROR";
  if (result.passed) return "PASS";
  return { blocking: "FAIL", warning: "WARN", info: "INFO" }[result.severity];
}

function statusStyle(result: RuleResult): Style {
  if (statusOf(result) === "error") return "red";
  if (result.passed) return "green";
  return ({ blocking: "red", warning: "yellow", info: "blue" } as const)[result.severity];
}

/** 1234567 → "1,234,567", the same on every machine whatever its locale. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
