/**
 * The planner: for each rule, the cheapest tier that answers it exactly.
 * metadata (schema, footer statistics) → sql (the source's own engine) → scan (Polars).
 * @module
 */
import type { Kontract, RuleInstance } from "../kontract/load.ts";
import type { Measure } from "../rules/define.ts";
import type { ColumnInfo } from "../core/dataset.ts";
import type { DatasetStats, Schema } from "../core/dataset.ts";
import type { ExecutionSource } from "../core/tiers.ts";

/** One rule with the tier that will measure it. */
export interface PlannedRule {
  instance: RuleInstance;
  measure: Measure;
  tier: ExecutionSource;
  /** The checked column's schema entry, for column rules whose column exists. */
  column?: ColumnInfo;
  /**
   * A column rule whose column the data lacks, or that drifted across the files of the
   * dataset (see `drift`): fails with the row count, and its column is never read.
   */
  missingColumn: boolean;
  /**
   * Why the column is not one column of the dataset: files lack it or type it
   * differently (or, for `dtype`, give it widths the rule does not accept), naming them.
   */
  drift?: string;
  /** The exact count from statistics, when the metadata tier answers a violations measure. */
  statsCount?: number;
}

/** What the run will do. */
export interface Plan {
  rules: PlannedRule[];
  /** Whether the scan must count rows (no statistics know them). */
  scanCountsRows: boolean;
  /** Columns the single pass reads (row predicates), in first-use order. */
  scanColumns: string[];
}

/** What the source can do beyond its schema, as the planner needs to know it. */
export interface SourceCapabilities {
  /** The source runs SQL (`Source.sql`): row rules, duplicates and row counts push down. */
  sql?: boolean;
}

/** Plans every rule of the Kontract against what the source offers. */
export function planRules(
  kontract: Kontract,
  schema: Schema,
  stats: DatasetStats | undefined,
  capabilities: SourceCapabilities = {},
): Plan {
  const rowTier: ExecutionSource = capabilities.sql ? "sql" : "scan";
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
    const planned = { instance, measure, column, missingColumn: false };
    switch (measure.kind) {
      case "column_type":
        return { ...planned, tier: "metadata" };
      case "row_count":
        return { ...planned, tier: stats ? "metadata" : rowTier };
      case "sql_query":
        return { ...planned, tier: "sql" };
      case "duplicates":
        return { ...planned, tier: rowTier };
      case "violations": {
        const statsCount = stats ? measure.fromStats?.(stats) : undefined;
        return statsCount === undefined
          ? { ...planned, tier: rowTier }
          : { ...planned, tier: "metadata", statsCount };
      }
    }
  });
  const scanColumns = [
    ...new Set(
      rules.filter((rule) =>
        rule.tier === "scan" && rule.column && rule.measure.kind === "violations"
      ).map((rule) => rule.column!.name),
    ),
  ];
  return { rules, scanColumns, scanCountsRows: stats === undefined && !capabilities.sql };
}

/** Whether a `column_type` rule passes on a column of type `dtype`. */
function typeHolds(instance: RuleInstance, dtype: string): boolean {
  const observed = { rows: 1, count: 0, dtype };
  return (instance.rule.evaluate?.(instance.params, observed) ?? 0) === 0;
}
