/**
 * How the engine measures one kind of Measure, in one place: which tier answers it, its
 * item in the ONE statement a database runs, how its violating rows are found (in a
 * database, and in a Polars scan) and how `--explain` describes it. Each kind is one
 * file in this folder, registered in registry.ts; the engine's passes ask the module and
 * never switch on the kind.
 *
 * Adding a rule on an existing measure = one rule file + one line in rules/registry.ts.
 * Adding a measure kind = one `Measure` variant in rules/define.ts + one file here + one
 * line in registry.ts (the registry's type fails to compile until the module exists).
 * @module
 */
import type { Expr, LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import type { BoundValue, ColumnInfo, DatasetStats, Schema } from "../../core/dataset.ts";
import type { ExecutionSource } from "../../core/tiers.ts";
import type { Measure, Observation, RowCondition } from "../../rules/define.ts";
import type { DuckdbTable } from "../../sources/source.ts";
import type { RowRule } from "../../sources/violating_rows.ts";
import type { SqlAccess } from "../../sql/sql_access.ts";
import type { PlannedRule } from "../plan_model.ts";
import type { CountRequest } from "../scan.ts";

/** A planned rule whose measure is `M`. */
export type PlannedRuleOf<M extends Measure> = PlannedRule & { measure: M };

/** A row rule (for quarantine) whose measure is `M`. */
export type RowRuleOf<M extends Measure> = RowRule & { measure: M };

/** What the run's passes measured, by rule id. */
export interface Measured {
  /** Rows in the dataset. */
  rows: number;
  /** Counts of `violations`, `duplicates`, `sql_query` measures. */
  counts: ReadonlyMap<string, number>;
  /** Values of `max` and `aggregate` measures: null where there is none. */
  values: ReadonlyMap<string, BoundValue | null>;
  /** The dataset's columns, as the source read them before any row. */
  schema: Schema;
}

/** What the planner knows when it picks a tier. */
export interface TierContext {
  /** Footer or catalog statistics, when the run uses them. */
  stats?: DatasetStats;
  /** The tier that reads rows on this source: `sql` for databases, `scan` for files. */
  rowTier: "scan" | "sql";
  /** The rule's column, for column rules (statistics are read against its type). */
  column?: ColumnInfo;
}

/** The tier a rule gets, and its count (or value) when statistics already decide it. */
export interface Placement {
  tier: ExecutionSource;
  statsCount?: number;
  /** A `max` or `aggregate` measure's value from statistics (null: there is none). */
  statsValue?: BoundValue | null;
}

/** One select-list item of the pushed-down statement. */
export interface SqlItem {
  expression: string;
  /** The item measures a value (`max`, `aggregate`), not a count: how to read it from the driver. */
  value?: (raw: unknown) => BoundValue | null;
  /** The user's SELECT as vetted and nested, for naming the rule when the statement fails. */
  userSql?: string;
}

/** What a database's quarantine flag may use. */
export interface SqlFlagContext {
  access: SqlAccess;
  /** The dataset's columns, in order. */
  columns: ColumnInfo[];
  /** The rows' alias in the quarantine statement (user SQL rows are matched against it). */
  rowAlias: string;
  /** Rules left out, and why. */
  notes: string[];
}

/** What a scan's quarantine predicate may use. */
export interface ScanFlagContext {
  scan(columns: string[]): LazyDataFrame;
  /** The source's DuckDB table, for user SQL; undefined when it has none. */
  duckdb?: () => Promise<DuckdbTable>;
  /** The columns quarantined (all readable ones). */
  columns: string[];
  /** Rows in the dataset, as validation counted them. */
  rows: number;
  notes: string[];
}

/** The engine's knowledge of one measure kind. */
export interface MeasureModule<M extends Measure> {
  /** Whether the measure reads a column (a dataset rule cannot ask for it). */
  readonly needsColumn: boolean;
  /** Whether its failing rows can be quarantined. */
  readonly rowLevel: boolean;
  /** The tier that answers it exactly and cheapest. */
  place(measure: M, context: TierContext): Placement;
  /**
   * The measure limited to the rows where `condition` holds (a rule's `when:`), or
   * undefined when the kind does not count rows (a column's type, the dataset's rows).
   */
  restrict(measure: M, condition: RowCondition): M | undefined;
  /**
   * Its part of the ONE streaming pass over files (a predicate to sum, or an aggregate),
   * for a rule planned on the scan tier; absent when the kind needs a pass of its own.
   */
  scanRequest?(rule: PlannedRuleOf<M>): CountRequest;
  /**
   * What it adds to the rule's Observation beyond the measured count (a `max` measure's
   * value; the row count itself for `row_count`); absent when the count is all.
   */
  observe?(rule: PlannedRuleOf<M>, measured: Measured): Partial<Observation>;
  /** Its item in the database statement; undefined when `COUNT(*)` answers it. */
  sqlItem(
    rule: PlannedRuleOf<M>,
    access: SqlAccess,
    failFast: boolean,
  ): Promise<SqlItem | undefined>;
  /** A 0/1 flag over a database's rows for quarantine; undefined when it flags none. */
  sqlFlag(rule: RowRuleOf<M>, context: SqlFlagContext): Promise<string | undefined>;
  /** A predicate over scanned rows for quarantine; undefined when it selects none. */
  scanFlag(rule: RowRuleOf<M>, context: ScanFlagContext): Promise<Expr | undefined>;
  /** How `--explain` says the rule is measured on its tier. */
  explain(rule: PlannedRuleOf<M>): string;
}

/** `CASE WHEN EXISTS (select) THEN 1 ELSE 0 END`: stops at the first row. */
export function existsFlag(select: string): string {
  return `CASE WHEN EXISTS (${select}) THEN 1 ELSE 0 END`;
}

/** The column of the first row a fail-fast EXISTS selects. */
export const FIRST_ROW = "kontra_first";
/** The alias of a nested user SELECT. */
export const QUERY_ALIAS = "kontra_q";
