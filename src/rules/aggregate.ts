/**
 * `aggregate` (a dataset rule, id `DATASET:aggregate`): one statistic of `column` must lie
 * within `[min, max]` (inclusive; either end may be left open). failed_count is 0 when it
 * does, 1 when it does not or when there is no statistic at all; the result carries the
 * statistic as `measured_value`.
 *
 * - `min`, `max`, `mean`, `median`, `sum`, `stddev`: of the non-null values; `stddev` is
 *   the sample standard deviation (n − 1), as SQL's `STDDEV_SAMP` and Great Expectations.
 *   With no non-null value there is none (`stddev`: fewer than two), and the rule fails.
 * - `count_distinct`: distinct non-null values (0 when there is none).
 * - `null_ratio`: NULLs / rows; with no rows there is none, and the rule fails.
 *
 * `mean`, `median`, `sum`, `stddev` need a numeric column (integers, floats, decimals),
 * computed as 64-bit floats (an integer `sum` exactly); `min` and `max` also take text
 * (byte order), dates and timestamps, their bounds typed like the column as `range`
 * reads them (ordered_bound.ts); `count_distinct` takes integers, floats, text,
 * booleans, dates and timestamps; `null_ratio` any column. Bounds of every other stat are
 * numbers.
 *
 * With `when:`, only the rows where it holds take part (null_ratio: NULLs among them /
 * their count).
 * @module
 */
import { z } from "npm:zod@4.6.7";
import type { BoundValue, ColumnInfo } from "../core/dataset.ts";
import {
  dtypeSet,
  FLOATS,
  INTEGERS_64,
  isStoredText,
  NUMBERS,
  STORED_TEXTS,
} from "../core/dtypes.ts";
import { formatIsoDate, formatIsoTimestamp, isProblem } from "../core/iso_time.ts";
import { printable } from "../core/printable.ts";
import { type AggregateStat, defineRule, type Observation } from "./define.ts";
import {
  compareBounds,
  describeType,
  orderDomainOf,
  type OrderedBound,
  readBound,
} from "./ordered_bound.ts";

const STATS = [
  "min",
  "max",
  "mean",
  "median",
  "sum",
  "stddev",
  "count_distinct",
  "null_ratio",
] as const satisfies readonly AggregateStat[];

const Bound = z.union([z.number(), z.string()]);

const params = z.strictObject({
  column: z.string().min(1),
  stat: z.enum(STATS),
  min: Bound.optional(),
  max: Bound.optional(),
}).superRefine((aggregate, context) => {
  if (aggregate.min === undefined && aggregate.max === undefined) {
    context.addIssue({ code: "custom", message: "needs min, max or both" });
    return;
  }
  const typed = aggregate.stat === "min" || aggregate.stat === "max";
  for (const end of ["min", "max"] as const) {
    const value = aggregate[end];
    if (!typed && value !== undefined && typeof value !== "number") {
      context.addIssue({
        code: "custom",
        path: [end],
        message: `${aggregate.stat} is a number: ${end} must be a number, not ` +
          printable(JSON.stringify(value)),
      });
    }
  }
  // Numbers are ordered alike on every column: checked now. Others need the column.
  if (
    typeof aggregate.min === "number" && typeof aggregate.max === "number" &&
    aggregate.min > aggregate.max
  ) {
    context.addIssue({
      code: "custom",
      message: `min (${aggregate.min}) is greater than max (${aggregate.max})`,
    });
  }
});

type Params = z.infer<typeof params>;

// Types whose distinct values every tier tells apart as Polars does (see
// engine/duckdb_duplicates.ts): DuckDB counts them on files.
const DISTINCT_TYPES = dtypeSet(INTEGERS_64, FLOATS, STORED_TEXTS, "Bool", "Date", "Datetime");

/** Why `stat` cannot be taken of `column`, or undefined. */
function statProblem(stat: AggregateStat, column: ColumnInfo): string | undefined {
  const type = describeType(column);
  const cannot = `aggregate cannot take the ${stat} of column "${column.name}" of type ${type}`;
  switch (stat) {
    case "min":
    case "max": {
      const domain = orderDomainOf(column.dtype);
      // Categorical and Enum order by their categories in Polars, not by text.
      const ordered = domain !== undefined && domain !== "none" &&
        (domain !== "text" || isStoredText(column.dtype));
      return ordered ? undefined : `${cannot}: it orders numbers, text, dates and timestamps`;
    }
    case "mean":
    case "median":
    case "sum":
    case "stddev":
      return NUMBERS.test(column.dtype) ? undefined : `${cannot}: it needs a numeric column`;
    case "count_distinct":
      return DISTINCT_TYPES.test(column.dtype)
        ? undefined
        : `${cannot}: it counts integers, floats, text, booleans, dates and timestamps`;
    case "null_ratio":
      return undefined;
  }
}

/** The column a rule's observation describes, rebuilt from what the engine observed. */
function columnOf(params: Params, observed: Observation): ColumnInfo {
  return {
    name: params.column,
    dtype: observed.dtype ?? "Float64",
    ...(observed.timeZone === undefined ? {} : { timeZone: observed.timeZone }),
  };
}

/** The bounds as the statistic compares with them: typed like the column for min/max. */
function boundsOf(params: Params, column: ColumnInfo): { min?: OrderedBound; max?: OrderedBound } {
  const typed = params.stat === "min" || params.stat === "max";
  const read = (value: number | string | undefined): OrderedBound | undefined => {
    if (value === undefined) return undefined;
    if (!typed) return { domain: "float", value: Number(value) };
    const bound = readBound(value, column);
    // Checked against the schema before any row was read (columnTypeProblem).
    return isProblem(bound) ? undefined : bound;
  };
  return { min: read(params.min), max: read(params.max) };
}

/** The measured statistic as a point of the bounds' order, or undefined when there is none. */
function measuredOf(params: Params, observed: Observation): OrderedBound | undefined {
  const value: BoundValue | null | undefined = observed.aggregate;
  if (value === null || value === undefined || typeof value === "boolean") return undefined;
  if (params.stat !== "min" && params.stat !== "max") {
    return { domain: "float", value: Number(value) };
  }
  if (typeof value === "string") return { domain: "text", value };
  if (observed.dtype === "Date") return { domain: "date", days: value };
  if (observed.dtype === "Datetime") return { domain: "datetime", micros: BigInt(value) };
  return { domain: "float", value };
}

/** Where the statistic lies: below `min`, above `max`, inside, or not comparable (NaN). */
function verdictOf(
  params: Params,
  observed: Observation,
): "none" | "below" | "above" | "nan" | "inside" {
  const measured = measuredOf(params, observed);
  if (measured === undefined) return "none";
  if (measured.domain === "float" && Number.isNaN(measured.value)) return "nan";
  const { min, max } = boundsOf(params, columnOf(params, observed));
  if (min && compareBounds(measured, min) < 0) return "below";
  if (max && compareBounds(measured, max) > 0) return "above";
  return "inside";
}

/** The statistic for the result: numbers as such, dates and timestamps as ISO text. */
function shownValue(params: Params, observed: Observation): number | string | null {
  const value = observed.aggregate;
  if (value === null || value === undefined || typeof value === "boolean") return null;
  if (typeof value === "string") return value;
  if (params.stat === "min" || params.stat === "max") {
    if (observed.dtype === "Date") return formatIsoDate(value);
    if (observed.dtype === "Datetime") {
      return formatIsoTimestamp(BigInt(value)).replace(/\.0+$/, "");
    }
  }
  // JSON has no NaN or infinities: written as text.
  return Number.isFinite(value) ? value : String(value);
}

function boundText(value: number | string): string {
  return typeof value === "number" ? String(value) : printable(JSON.stringify(value));
}

/** `[10, 20]`, `at least 10`, `at most 20`. */
function boundsText({ min, max }: Params): string {
  if (min !== undefined && max !== undefined) return `[${boundText(min)}, ${boundText(max)}]`;
  return min !== undefined ? `at least ${boundText(min)}` : `at most ${boundText(max!)}`;
}

/** Fails (1) when the statistic of `column` lies outside `[min, max]`, or there is none. */
export default defineRule({
  name: "aggregate",
  scope: "dataset",
  params,
  columnOf: ({ column }) => column,
  measure: ({ column, stat }) => ({ kind: "aggregate", column, stat }),
  columnTypeProblem(params, column) {
    const problem = statProblem(params.stat, column);
    if (problem || (params.stat !== "min" && params.stat !== "max")) return problem;
    const read: { min?: OrderedBound; max?: OrderedBound } = {};
    for (const end of ["min", "max"] as const) {
      const value = params[end];
      if (value === undefined) continue;
      const bound = readBound(value, column);
      if (isProblem(bound)) return `${end} ${bound.problem}`;
      read[end] = bound;
    }
    if (read.min && read.max && compareBounds(read.min, read.max) > 0) {
      return `min (${boundText(params.min!)}) is greater than max (${boundText(params.max!)})`;
    }
    return undefined;
  },
  evaluate: (params, observed) => verdictOf(params, observed) === "inside" ? 0 : 1,
  measuredValue: (params, observed) => shownValue(params, observed),
  describe(params, { observed }) {
    const { stat, column } = params;
    const verdict = verdictOf(params, observed);
    if (verdict === "none") {
      const why = stat === "null_ratio"
        ? "no rows"
        : stat === "stddev"
        ? "fewer than two non-null values"
        : "no non-null value";
      return `no ${stat} of ${column} (${why}), expected ${boundsText(params)}`;
    }
    const value = shownValue(params, observed);
    const at = `${stat} of ${column} is ${typeof value === "number" ? value : boundText(value!)}`;
    switch (verdict) {
      case "below":
        return `${at}, below the minimum ${boundText(params.min!)}`;
      case "above":
        return `${at}, above the maximum ${boundText(params.max!)}`;
      case "nan":
        return `${at}, which no bound holds`;
      case "inside":
        return `${at}, within ${boundsText(params)}`;
    }
  },
});
