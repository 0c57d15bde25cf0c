/**
 * `--explain`: the plan without running it. Per rule its tier, the columns it reads
 * and how it is measured, and the reads the run will make, including the filter
 * pushed into the Parquet reader and the SQL sent to a database. Only metadata is
 * read (schemas and footers).
 * @module
 */
import type { Kontract } from "../kontract/load.ts";
import type { ExecutionSource } from "../core/tiers.ts";
import type { Source } from "../sources/source.ts";
import { type Plan, type PlannedRule, planRules } from "./plan.ts";
import { pushdownStatement } from "./pushdown.ts";
import { checkColumnTypes } from "./precheck.ts";
import { valueSetsOf } from "./value_sets.ts";

/** How one rule will be measured. */
export interface ExplainedRule {
  /** The rule's id, as in results. */
  rule_id: string;
  /** The tier that will answer it. */
  tier: ExecutionSource;
  /** Columns the rule reads (none for metadata answers). */
  columns: string[];
  /** How: the footer statistic, the Polars predicate, the SQL, … */
  how: string;
}

/** The plan of a run, as `--explain` shows it. */
export interface Explanation {
  /** The Kontract's name. */
  kontract: string;
  /** The dataset's (redacted) URI. */
  dataset: string;
  /** Rows, when metadata knows them without a scan. */
  rows?: number;
  /** The reads of the data, in the order the run makes them. */
  reads: { tier: ExecutionSource; what: string }[];
  /** One entry per rule, in Kontract order. */
  rules: ExplainedRule[];
}

/** Options of {@linkcode explainPlan}. */
export interface ExplainOptions {
  /** Plan as if footer statistics were unavailable (default: use them). */
  metadata?: boolean;
  /** Plan database rules fail-fast. */
  failFast?: boolean;
}

/** Plans the Kontract against the source and describes the plan. */
export async function explainPlan(
  kontract: Kontract,
  source: Source,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const schema = await source.schema();
  const stats = options.metadata === false ? undefined : await source.stats?.();
  const plan = planRules(kontract, schema, stats, { sql: source.sql !== undefined });
  // The same type checks as a run: a rule that cannot work is a Kontract error here too.
  checkColumnTypes(plan);
  const reads: Explanation["reads"] = [];
  if (stats) {
    const files = stats.files ?? 1;
    reads.push({
      tier: "metadata",
      what: `footers of ${files} file${files === 1 ? "" : "s"}` +
        (stats.bytesRead === undefined ? "" : ` (${stats.bytesRead} bytes read)`),
    });
  }
  reads.push(...scanReads(plan), ...await sqlReads(plan, source, options));
  return {
    kontract: kontract.name,
    dataset: source.uri,
    ...(stats ? { rows: stats.rows } : {}),
    reads,
    rules: plan.rules.map(explainRule),
  };
}

function scanReads(plan: Plan): Explanation["reads"] {
  const scanned = plan.rules.filter((rule) => rule.tier === "scan");
  const predicates = scanned.filter((rule) => rule.measure.kind === "violations");
  const reads: Explanation["reads"] = [];
  if (predicates.length > 0 || plan.scanCountsRows) {
    const filter = plan.scanCountsRows || predicates.length === 0
      ? "no filter (the scan counts the rows)"
      : `filter pushed into the reader: ${predicates.map((rule) => predicateOf(rule)).join(" | ")}`;
    reads.push({
      tier: "scan",
      what: `one streaming Polars pass over [${plan.scanColumns.join(", ")}]; ${filter}`,
    });
  }
  for (const rule of scanned.filter((rule) => rule.measure.kind === "duplicates")) {
    reads.push({
      tier: "scan",
      what: `duplicates of ${
        rule.column!.name
      }: after the single pass, an exact group-by in DuckDB that spills to disk (or Polars' hash-partitioned passes), reading the column once more at most`,
    });
  }
  return reads;
}

async function sqlReads(
  plan: Plan,
  source: Source,
  options: ExplainOptions,
): Promise<Explanation["reads"]> {
  const sqlRules = plan.rules.filter((rule) => rule.tier === "sql" && !rule.missingColumn);
  if (sqlRules.length === 0 && !source.sql) return [];
  if (source.sql) {
    const { sql } = await pushdownStatement(plan, source.sql, { failFast: options.failFast });
    return [{ tier: "sql", what: `one statement in ${source.sql.dialect.name}: ${sql}` }];
  }
  return [{
    tier: "sql",
    what: `${sqlRules.length} custom_sql_check quer${sqlRules.length === 1 ? "y" : "ies"}: ${
      source.duckdbVia ?? "DuckDB"
    }`,
  }];
}

function explainRule(rule: PlannedRule): ExplainedRule {
  const columns = rule.column ? [rule.column.name] : [];
  const base = { rule_id: rule.instance.id, tier: rule.tier, columns };
  if (rule.missingColumn) {
    return {
      ...base,
      how: `${
        rule.drift ?? `column "${rule.instance.column}" is missing`
      }: fails with the row count`,
    };
  }
  switch (rule.measure.kind) {
    case "column_type":
      return { ...base, columns: [], how: `schema: ${rule.column?.dtype}` };
    case "row_count":
      return rule.tier === "metadata"
        ? { ...base, how: "footer num_rows" }
        : { ...base, how: rule.tier === "sql" ? "COUNT(*)" : "len() in the single pass" };
    case "sql_query":
      return { ...base, how: rule.measure.sql };
    case "duplicates":
      return {
        ...base,
        how: rule.tier === "sql"
          ? "COUNT(col) - COUNT(DISTINCT col)"
          : "exact duplicate count after the single pass",
      };
    case "violations":
      if (rule.tier === "metadata") return { ...base, columns: [], how: "footer statistics" };
      if (rule.tier === "sql") {
        return { ...base, how: "SUM(CASE WHEN … THEN 1 ELSE 0 END) in the statement" };
      }
      return { ...base, how: predicateOf(rule) };
  }
}

/** The Polars expression of a violations measure, as Polars prints it, and its joins. */
function predicateOf(rule: PlannedRule): string {
  if (rule.measure.kind !== "violations" || !rule.column) return "";
  const joins = valueSetsOf(rule.measure, rule.column).map((set) =>
    ` (${set.name}: one hash join with ${set.values.length} values)`
  );
  return String(rule.measure.polars(rule.column)) + joins.join("");
}

/** The explanation as text for people. */
export function renderExplanation(explanation: Explanation): string {
  const lines = [
    `Plan for ${explanation.kontract} on ${explanation.dataset}` +
    (explanation.rows === undefined ? "" : ` (${explanation.rows} rows, from metadata)`),
    "",
    "Reads:",
    ...explanation.reads.map((read, index) =>
      `  ${index + 1}. ${read.tier.padEnd(8)} ${read.what}`
    ),
    "",
    "Rules:",
  ];
  const idWidth = Math.max(...explanation.rules.map((rule) => rule.rule_id.length), 4);
  for (const rule of explanation.rules) {
    const columns = rule.columns.length > 0 ? ` [${rule.columns.join(", ")}]` : "";
    lines.push(`  ${rule.rule_id.padEnd(idWidth)}  ${rule.tier.padEnd(8)} ${rule.how}${columns}`);
  }
  return lines.join("\n") + "\n";
}
