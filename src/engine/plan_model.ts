/**
 * The plan of a run, as data: each rule with the tier that answers it, and the passes
 * over the data in the order the run makes them. plan.ts builds it; the run, `--explain`
 * and quarantine read it.
 * @module
 */
import type { ColumnInfo } from "../core/dataset.ts";
import type { ExecutionSource } from "../core/tiers.ts";
import type { RuleInstance } from "../kontract/load.ts";
import type { Measure } from "../rules/define.ts";
import type { Capabilities } from "./capabilities.ts";

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
    /** Whether the OR of the predicates is pushed into the Parquet reader. */
    readonly filterInReader: boolean;
  }
  | { readonly kind: "source_table"; readonly via: string }
  | { readonly kind: "local_copy"; readonly columns: string[] }
  | {
    readonly kind: "duplicates";
    readonly rule: PlannedRule;
    readonly column: ColumnInfo;
    /** DuckDB's spilling GROUP BY, or Polars' hash-partitioned passes. */
    readonly engine: "duckdb" | "polars";
    readonly input: DuplicatesInput;
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
