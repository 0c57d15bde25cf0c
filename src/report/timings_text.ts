/**
 * `--timings` in rich output: the `stats` block as a small table for people (the JSON
 * output carries the same figures as data).
 * @module
 */
import type { RunStats } from "./result.ts";

const STATEMENT_WIDTH = 96;

/** The stats block as aligned `label  value` lines, then the SQL statements sent. */
export function renderTimings(stats: RunStats): string {
  const rows: [string, string][] = [["duration", ms(stats.duration_ms)]];
  for (const [phase, took] of Object.entries(stats.phases_ms)) rows.push([`  ${phase}`, ms(took)]);
  rows.push(["rows scanned", count(stats.rows_scanned)]);
  rows.push(["scan passes", count(stats.scan_passes)]);
  if (stats.files !== undefined) rows.push(["files", count(stats.files)]);
  if (stats.row_groups !== undefined) rows.push(["row groups", count(stats.row_groups)]);
  if (stats.bytes_read !== undefined) {
    const total = stats.bytes_total === undefined ? "" : ` of ${bytes(stats.bytes_total)}`;
    rows.push(["bytes read", `${bytes(stats.bytes_read)}${total}`]);
  }
  rows.push(["peak memory", bytes(stats.peak_rss_bytes)]);
  if (stats.sql_round_trips !== undefined) {
    rows.push(["SQL round trips", count(stats.sql_round_trips)]);
  }
  if (stats.sql_db_ms !== undefined) rows.push(["database time", ms(stats.sql_db_ms)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const statements = (stats.sql ?? []).map((sql, index) =>
    `  ${index + 1}. ${describeError(sql, STATEMENT_WIDTH)}`
  );
  return ["Timings", ...lines, ...(statements.length ? ["SQL", ...statements] : [])].join("\n") +
    "\n";
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

function bytes(value: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}

/** A statement on one line (white space folded), cut to `width` with an ellipsis. */
function describeError(sql: string, width: number): string {
  const folded = sql.replace(/\s+/g, " ").trim();
  return folded.length <= width ? folded : `${folded.slice(0, width - 1)}…`;
}
