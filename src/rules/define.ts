/**
 * The shape of a rule. A rule declares its params once and says WHAT to measure;
 * the engine decides HOW (footer statistics, SQL pushdown or a Polars scan), so a
 * rule never runs a query itself.
 * @module
 */
import type { Expr, Series } from "npm:nodejs-polars@0.25.2";
import type { z } from "npm:zod@4.6.7";
import type { Dialect } from "../sql/dialect.ts";
import type { BoundValue, ColumnInfo, DatasetStats, Schema } from "../core/dataset.ts";

/** Column rules check one column (`params.column`); dataset rules check the whole dataset. */
export type RuleScope = "column" | "dataset";

/**
 * Count the rows where a predicate holds (true = the row violates the rule). Every
 * tier must implement it: `polars` for scans, `sql` for databases, `fromStats`
 * (optional) when footer statistics give the exact count.
 */
export interface ViolationsMeasure {
  /** Discriminates the measure. */
  kind: "violations";
  /** A boolean Polars expression, true on violating rows (summed in the single scan). */
  polars(column: ColumnInfo): Expr;
  /** The same predicate as SQL for `dialect`; quote with `dialect.ident` and `dialect.literal`. */
  sql(dialect: Dialect, column: ColumnInfo): string;
  /** The exact count from footer or catalog statistics, or undefined when they cannot tell. */
  fromStats?(stats: DatasetStats, column: ColumnInfo): number | undefined;
  /**
   * Sets of values `polars` looks rows up in: the engine joins each onto the rows first
   * (one hash join, whatever the set's size), adding the column `set.name`.
   */
  valueSets?(column: ColumnInfo): ValueSet[];
}

/**
 * Values to look rows up in. Joined onto the rows, it adds the column `name`: true where
 * `values` holds the row's `key`, NULL elsewhere (NULL keys match nothing).
 */
export interface ValueSet {
  /** The added column; sets of the same name are one set. */
  name: string;
  /** What is looked up, from the row's columns. */
  key: Expr;
  /** Distinct values of `key`'s type. */
  values: Series;
}

/**
 * Count non-null values minus distinct non-null values of a column, or of a tuple of
 * columns (`columns`): rows whose values are all non-null, minus their distinct tuples.
 */
export interface DuplicatesMeasure {
  /** Discriminates the measure. */
  kind: "duplicates";
  /**
   * The tuple of columns compared together (two or more, the rule's column first), for
   * a compound `unique`; absent, the rule's column alone. A tuple holding a NULL is
   * ignored, as a NULL value of one column is.
   */
  columns?: readonly string[];
  /** Only the rows where this holds take part (a rule's `when:`). */
  where?: RowCondition;
}

/**
 * A row condition (a rule's `when:`), compiled against the dataset's columns: true on
 * the rows a rule applies to. NULL (a comparison with a NULL) counts as false.
 */
export interface RowCondition {
  /** The condition as written, for messages and `--explain`. */
  readonly text: string;
  /** The columns it reads. */
  readonly columns: readonly string[];
  /** The condition as a boolean Polars expression. */
  polars(): Expr;
  /** The condition as a boolean SQL expression for `dialect`. */
  sql(dialect: Dialect): string;
}

/** Count the dataset's rows. */
export interface RowCountMeasure {
  /** Discriminates the measure. */
  kind: "row_count";
}

/** Read the column's type from the schema. */
export interface ColumnTypeMeasure {
  /** Discriminates the measure. */
  kind: "column_type";
}

/**
 * Read the dataset's columns from the schema (`schema`, `column_count`): always the
 * metadata tier, no row is read. Read into {@linkcode Observation.schema}.
 */
export interface SchemaMeasure {
  /** Discriminates the measure. */
  kind: "schema";
}

/** Count the rows a user-written SELECT returns; `{table}` names the dataset. */
export interface SqlQueryMeasure {
  /** Discriminates the measure. */
  kind: "sql_query";
  /** One read-only SELECT; `{table}` is replaced by the dataset. */
  sql: string;
}

/**
 * The largest non-null value of a `Date`, `Datetime` or text (String) column, e.g.
 * `freshness`'s newest timestamp. Footer statistics answer it when they prove it
 * (`DatasetStats.bounds`); otherwise it is one aggregate of the single scan or of the
 * database statement. Read into {@linkcode Observation.max}.
 */
export interface MaxMeasure {
  /** Discriminates the measure. */
  kind: "max";
  /** The column (a dataset rule names it in its params). */
  column: string;
  /** Only the rows where this holds take part (a rule's `when:`). */
  where?: RowCondition;
}

/**
 * Count the non-null values of the column that equal no value of a column of another
 * dataset (`references`). The engine resolves `to` before planning (`reference`):
 * another file dataset, or a table of the same database.
 */
export interface ReferencesMeasure {
  /** Discriminates the measure. */
  kind: "references";
  /** The reference as written in the Kontract. */
  to: { datasource: string; column: string };
  /** The reference, opened and checked by the engine; absent until then. */
  reference?: ResolvedReference;
  /** Only the rows where this holds take part (a rule's `when:`). */
  where?: RowCondition;
}

/** A `references` measure's reference, as the engine resolved it. */
export interface ResolvedReference {
  /** Where the reference is, for messages (never holds a secret). */
  readonly uri: string;
  /** The reference column, as the reference's schema gives it. */
  readonly column: ColumnInfo;
  /** A table of the dataset's own database: its name in statements, quoted. */
  readonly relation?: string;
  /**
   * The dataset is in a database and the reference is files: the dataset's values are
   * streamed out (with their rows) and anti-joined locally, in a pass of its own.
   */
  readonly streamsData?: boolean;
  /**
   * Files: the reference column as a DuckDB table expression (a private local copy when
   * the reference is expensive to read again); always `release()` it.
   */
  table?(): Promise<{ from: string; allowedPaths: string[]; release(): Promise<void> }>;
}

/** The statistics an {@linkcode AggregateMeasure} takes of a column. */
export type AggregateStat =
  | "min"
  | "max"
  | "mean"
  | "median"
  | "sum"
  | "stddev"
  | "count_distinct"
  | "null_ratio";

/**
 * One statistic of a column (`aggregate`): min, max, mean, median, sum, sample standard
 * deviation or distinct count of its non-null values, or its share of NULLs. Footer
 * statistics answer min, max and null_ratio when they prove them; on files median and
 * count_distinct are a DuckDB pass of their own, the others one aggregate of the single
 * scan; on databases every stat is one item of the statement. Read into
 * {@linkcode Observation.aggregate}.
 */
export interface AggregateMeasure {
  /** Discriminates the measure. */
  kind: "aggregate";
  /** The column (a dataset rule names it in its params). */
  column: string;
  /** Which statistic. */
  stat: AggregateStat;
  /** Only the rows where this holds take part (a rule's `when:`). */
  where?: RowCondition;
}

/** Everything a rule can ask the engine to measure. */
export type Measure =
  | ViolationsMeasure
  | DuplicatesMeasure
  | RowCountMeasure
  | ColumnTypeMeasure
  | SchemaMeasure
  | SqlQueryMeasure
  | MaxMeasure
  | ReferencesMeasure
  | AggregateMeasure;

/** What the engine measured for one rule. */
export interface Observation {
  /** Rows in the dataset. */
  rows: number;
  /** The measured count (violations, duplicates, rows, query rows). */
  count: number;
  /** The column's type, for `column_type` measures. */
  dtype?: string;
  /** For `column_type` measures of a `Datetime` column of instants: its time zone. */
  timeZone?: string;
  /**
   * For `max` measures: the largest non-null value, encoded as `ValueBounds` are
   * (core/dataset.ts): a `Date` as days and a `Datetime` as microseconds since
   * 1970-01-01 (anything finer cut off), text as itself; null when there is no value.
   */
  max?: BoundValue | null;
  /**
   * For `aggregate` measures: the statistic, a number (the min or max of a `Date` as
   * days, of a `Datetime` as microseconds, as for `max`) or text (the min or max of
   * text); null when there is none (no non-null value; for null_ratio, no rows).
   */
  aggregate?: BoundValue | null;
  /** For `schema` measures: the dataset's columns, and those that drifted across files. */
  schema?: Schema;
  /**
   * The row count of the run compared against (`--baseline result.json`), when there is
   * one: `row_count_change` measures the change from it.
   */
  previous?: PreviousRun;
}

/** The run a dataset is compared against: what its result document recorded. */
export interface PreviousRun {
  /** Rows the dataset had then. */
  rows: number;
}

/**
 * A rule: its params schema and what it measures.
 *
 * @example
 * ```ts
 * import { defineRule, registerRule } from "@kontra/kontra";
 * import pl from "nodejs-polars";
 * import { z } from "zod";
 *
 * registerRule(defineRule({
 *   name: "positive",
 *   scope: "column",
 *   params: z.strictObject({ column: z.string() }),
 *   measure: () => ({
 *     kind: "violations",
 *     polars: (column) => pl.col(column.name).ltEq(0),
 *     sql: (dialect, column) => `${dialect.ident(column.name)} <= 0`,
 *   }),
 *   describe: ({ column }, { failed }) => `${failed} values of ${column} are not positive`,
 * }));
 * ```
 */
export interface RuleDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  /** The name used in Kontracts, e.g. `not_null`. */
  readonly name: string;
  /** `column` rules must have a `column` param. */
  readonly scope: RuleScope;
  /** The params schema; its errors become Kontract errors naming the field. */
  readonly params: z.ZodType<P>;
  /** What to measure. */
  measure(params: P): Measure;
  /**
   * Why the rule cannot check a column of this type (e.g. `regex` on a List), or
   * undefined when it can. Asked against the schema before any row is read: a reason is
   * a Kontract error naming the rule's `file:line:col`.
   */
  columnTypeProblem?(
    params: P,
    column: ColumnInfo,
    columns: ReadonlyMap<string, ColumnInfo>,
  ): string | undefined;
  /**
   * The column a column rule is about (its id `COL:<column>:<rule>`, its result's
   * `column`) when its params do not name it `column` (e.g. `compare`'s `left`). On a
   * dataset rule: the one column it reads (`freshness`); its id stays `DATASET:<rule>`.
   */
  columnOf?(params: P): string;
  /**
   * The columns the rule reads besides `params.column` (e.g. `compare`'s `right`). A
   * rule one of them is missing from fails like a rule on a missing column.
   */
  otherColumns?(params: P): string[];
  /**
   * How the rule's id names the columns it checks together, when they are several
   * (`user_id,email` in `COL:user_id,email:unique`); by default its column. The result's
   * `column` stays the one `columnOf` names.
   */
  columnsLabel?(params: P): string;
  /**
   * A condition written in the rule's params (`conditional_not_null`'s `when`): the
   * rule applies to the rows where it holds, as if it were the rule's own `when:`.
   */
  condition?(params: P): string | undefined;
  /** The failed count from what was measured; defaults to the measured count. */
  evaluate?(params: P, observed: Observation): number;
  /**
   * The value the rule judged, for the result's `measured_value` (`aggregate`'s
   * statistic); undefined when the rule reports none.
   */
  measuredValue?(params: P, observed: Observation): number | string | null | undefined;
  /** A one-line human message for the result. */
  describe(params: P, outcome: { failed: number; observed: Observation }): string;
  /** Why one quarantined row violates the rule (`_error_reason`); a generic text by default. */
  reason?(params: P): string;
}

/** A rule of any params type, as the engine handles it. */
// deno-lint-ignore no-explicit-any
export type AnyRule = RuleDefinition<any>;

/**
 * Declares a rule with full type inference of its params. Register it with `registerRule`.
 *
 * @example
 * ```ts
 * import { defineRule } from "@kontra/kontra";
 * import { z } from "zod";
 *
 * const atLeastRows = defineRule({
 *   name: "at_least_rows",
 *   scope: "dataset",
 *   params: z.strictObject({ rows: z.number().int() }),
 *   measure: () => ({ kind: "row_count" }),
 *   evaluate: ({ rows }, observed) => Math.max(0, rows - observed.count),
 *   describe: ({ rows }, { observed }) => `${observed.count} rows, at least ${rows} expected`,
 * });
 * ```
 */
export function defineRule<P extends Record<string, unknown>>(
  definition: RuleDefinition<P>,
): RuleDefinition<P> {
  return Object.freeze({ ...definition });
}
