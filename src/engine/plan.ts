/**
 * The planner: for each rule the cheapest tier that answers it exactly (metadata →
 * sql → scan, asked of the rule's measure module), then the passes over the data that
 * the run will make, in order. The run executes exactly these passes, `--explain` prints
 * them, and quarantine reuses the rules' plan.
 * @module
 */
import type { DatasetStats, Schema } from "../core/dataset.ts";
import type { Kontract, RuleInstance } from "../kontract/load.ts";
import type { Capabilities } from "./capabilities.ts";
import { duckdbComparable } from "./duckdb_duplicates.ts";
import { measureModule } from "./measures/registry.ts";
import type { DuplicatesInput, Pass, Plan, PlannedRule } from "./plan_model.ts";
import { filtersInReader } from "./scan.ts";

/** Plans every rule of the Kontract against what the source offers. */
export function planRules(
  kontract: Kontract,
  schema: Schema,
  stats: DatasetStats | undefined,
  capabilities: Capabilities,
): Plan {
  const rowTier = capabilities.kind === "database" ? "sql" : "scan";
  const columns = new Map(schema.columns.map((column) => [column.name, column]));
  const drifted = new Map(schema.drift?.map((drift) => [drift.column, drift.message]));
  const variants = new Map(schema.variants?.map((variant) => [variant.column, variant]));
  const rules = kontract.rules.map((instance): PlannedRule => {
    const measure = instance.rule.measure(instance.params);
    const column = instance.column === undefined ? undefined : columns.get(instance.column);
    if (instance.column !== undefined && column === undefined) {
      const drift = drifted.get(instance.column);
      return {
        instance,
        measure,
        tier: "metadata",
        missingColumn: true,
        ...(drift ? { drift } : {}),
      };
    }
    // Widths of one family are one column, but `dtype: int64` must hold in every file.
    const variant = column && measure.kind === "column_type"
      ? variants.get(column.name)
      : undefined;
    if (variant && variant.types.some(({ dtype }) => !typeHolds(instance, dtype))) {
      return { instance, measure, tier: "metadata", missingColumn: true, drift: variant.message };
    }
    const placement = measureModule(measure).place(measure, { stats, rowTier });
    return { instance, measure, column, missingColumn: false, ...placement };
  });
  const scanned = rules.filter((rule) =>
    rule.tier === "scan" && rule.column && rule.measure.kind === "violations"
  );
  const scanColumns = [...new Set(scanned.map((rule) => rule.column!.name))];
  const scanCountsRows = stats === undefined && capabilities.kind !== "database";
  const partial = { rules, capabilities, scanColumns, scanCountsRows };
  return { ...partial, passes: passesOf(partial, stats, scanned) };
}

/** The reads the run makes, in order. */
function passesOf(
  plan: Omit<Plan, "passes">,
  stats: DatasetStats | undefined,
  scanned: PlannedRule[],
): Pass[] {
  const { capabilities, rules } = plan;
  const passes: Pass[] = [];
  if (stats) passes.push({ kind: "footers", files: stats.files ?? 1, bytesRead: stats.bytesRead });
  const measured = rules.filter((rule) => !rule.missingColumn);
  if (capabilities.kind === "database") {
    passes.push({
      kind: "pushdown",
      database: capabilities.sql.dialect.name,
      rules: measured.filter((rule) => rule.tier === "sql"),
    });
    return passes;
  }
  if (scanned.length > 0 || plan.scanCountsRows) {
    passes.push({
      kind: "single_scan",
      columns: plan.scanColumns,
      countsRows: plan.scanCountsRows,
      rules: scanned,
      filterInReader: scanned.every((rule) => filtersInReader(rule.column!.dtype)),
    });
  }
  if (capabilities.kind !== "files") return passes;
  const duplicates = measured.filter((rule) =>
    rule.tier === "scan" && rule.measure.kind === "duplicates"
  );
  const userSql = measured.filter((rule) => rule.tier === "sql");
  passes.push(...rescanPasses(capabilities, duplicates, userSql));
  return passes;
}

/** Whether a `column_type` rule passes on a column of type `dtype`. */
function typeHolds(instance: RuleInstance, dtype: string): boolean {
  const observed = { rows: 1, count: 0, dtype };
  return (instance.rule.evaluate?.(instance.params, observed) ?? 0) === 0;
}

/**
 * The passes after the single scan over files: the source's own DuckDB table when user
 * SQL needs it (or duplicates can use it cheaply), a local copy of the columns that must
 * be read again from an expensive source, one duplicates pass per `unique` rule on the
 * engine that compares its type exactly as Polars does, then the user SQL.
 */
export function rescanPasses(
  capabilities: Extract<Capabilities, { kind: "files" }>,
  duplicates: PlannedRule[],
  userSql: PlannedRule[],
): Pass[] {
  const passes: Pass[] = [];
  const cheap = capabilities.cheapRescans;
  // The source's own DuckDB table: user SQL needs it; duplicates use it when it is cheap
  // to get (local files) or fetched anyway, and typed like the scan (uniform Parquet).
  const table = userSql.length > 0 || (cheap && duplicates.length > 0);
  const direct = table && capabilities.duckdbExactTypes;
  const placed = duplicates.map((rule) => {
    const engine = duckdbComparable(rule.column!.dtype) ? "duckdb" as const : "polars" as const;
    const input: DuplicatesInput = engine === "duckdb"
      ? (direct ? "source_table" : "local_copy")
      : (cheap ? "source" : "local_copy");
    return { kind: "duplicates" as const, rule, column: rule.column!, engine, input };
  });
  if (table) passes.push({ kind: "source_table", via: capabilities.duckdbVia });
  const copied = [
    ...new Set(
      placed.filter((pass) => pass.input === "local_copy").map((pass) => pass.column.name),
    ),
  ];
  if (copied.length > 0) passes.push({ kind: "local_copy", columns: copied });
  passes.push(...placed);
  if (userSql.length > 0) passes.push({ kind: "user_sql", rules: userSql });
  return passes;
}
