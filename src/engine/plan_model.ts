/**
 * The plan of a run, as data: each rule with the tier that answers it, and the passes
 * over the data in the order the run makes them. plan.ts builds it; the run, `--explain`
 * and quarantine read it.
 * @module
 */
import type { BoundValue, ColumnInfo } from "../core/dataset.ts";
import type { ExecutionSource } from "../core/tiers.ts";
import type { RuleInstance } from "../kontract/load.ts";
import type { Measure, RowCondition } from "../rules/define.ts";
import type { Capabilities } from "./capabilities.ts";

/** One rule with the tier that will measure it. */
export interface PlannedRule {
  instance: RuleInstance;
  measure: Measure;
  tier: ExecutionSource;
  /** The checked column's schema entry, for column rules whose column exists. */
  column?: ColumnInfo;
  /**
   * The schema entries of the other columns the rule names (`otherColumns`: `compare`'s
   * right side, the rest of a compound `unique`'s tuple), in order, when they all exist.
   */
  others?: ColumnInfo[];
  /**
   * A column rule whose column the data lacks, or that drifted across the files of the
   * dataset (see `drift`): fails with the row count, and its column is never read.
   */
  missingColumn: boolean;
  /**
   * For a `missingColumn` rule, why a column it reads is not one column of the dataset:
   * the data lacks it, or files lack it or type it differently (or, for `dtype`, give it
   * widths the rule does not accept), naming them.
   */
  drift?: string;
  /** The exact count from statistics, when the metadata tier answers a violations measure. */
  statsCount?: number;
  /** The value from statistics, when the metadata tier answers a `max` measure (null: none). */
  statsValue?: BoundValue | null;
  /** Every column the rule reads: its column, others it names, its condition's. */
  reads: string[];
  /** The rows the rule applies to (`when:`, and a condition in its params), compiled. */
  condition?: RowCondition;
  /**
   * Whether the rows matching `condition` are counted: a `max_failed_ratio` tolerance
   * is a share of them. Counted with the rule's own tier (scan or statement).
   */
  countsScope: boolean;
}

/** The key of the count of rows a rule's condition selects (beside the rule's own count). */
export function scopeKey(ruleId: string): string {
  return `${ruleId}\u0000scope`;
}

/** Where a duplicates pass reads the column. */
export type DuplicatesInput = "source_table" | "local_copy" | "source";

/** One read of the data, in the order the run makes them. */
export type Pass =
  | { readonly kind: "footers"; readonly files: number; readonly bytesRead?: number }
  | {
    readonly kind: "single_scan";
    /** Columns read, in first-use order. */
    readonly columns: string[];
    /** No statistics know the rows: the pass counts them (and cannot filter). */
    readonly countsRows: boolean;
    /** The rules whose predicates it sums. */
    readonly rules: PlannedRule[];
    /** The rules whose condition's rows it counts too (see `countsScope`). */
    readonly scopes: PlannedRule[];
    /** Whether the OR of the predicates is pushed into the Parquet reader. */
    readonly filterInReader: boolean;
  }
  | { readonly kind: "source_table"; readonly via: string }
  | { readonly kind: "local_copy"; readonly columns: string[] }
  | {
    readonly kind: "duplicates";
    readonly rule: PlannedRule;
    readonly column: ColumnInfo;
    /** The columns compared together: `[column]`, or a compound `unique`'s tuple. */
    readonly columns: ColumnInfo[];
    /** DuckDB's spilling GROUP BY, or Polars' hash-partitioned passes. */
    readonly engine: "duckdb" | "polars";
    readonly input: DuplicatesInput;
  }
  | {
    readonly kind: "references";
    readonly rule: PlannedRule;
    readonly column: ColumnInfo;
    /**
     * Where the dataset's side of the anti-join is read (DuckDB, always exact types):
     * the source's table, the local copy, or its values streamed out of the database.
     */
    readonly input: "source_table" | "local_copy" | "database";
  }
  | {
    /** An `aggregate` statistic the single pass cannot give (median, count_distinct). */
    readonly kind: "aggregate";
    readonly rule: PlannedRule;
    readonly column: ColumnInfo;
    /** Where DuckDB reads the column: the source's own table, or the local copy. */
    readonly input: "source_table" | "local_copy";
  }
  | { readonly kind: "user_sql"; readonly rules: PlannedRule[] }
  | { readonly kind: "pushdown"; readonly database: string; readonly rules: PlannedRule[] };

/** What the run will do. */
export interface Plan {
  rules: PlannedRule[];
  /** What the source can do, resolved once. */
  capabilities: Capabilities;
  /** The reads of the data, in order. */
  passes: Pass[];
  /** Whether the scan must count rows (no statistics know them). */
  scanCountsRows: boolean;
  /** Columns the single pass reads (row predicates), in first-use order. */
  scanColumns: string[];
}

/** The passes of one kind. */
export function passesOfKind<K extends Pass["kind"]>(
  plan: Plan,
  kind: K,
): Extract<Pass, { kind: K }>[] {
  return plan.passes.filter((pass): pass is Extract<Pass, { kind: K }> => pass.kind === kind);
}
