/**
 * `range`: non-null values outside `[min, max]` (either end may be left open, and each
 * may be exclusive: `inclusive: both | left | right | neither`). NULLs are `not_null`'s
 * business.
 *
 * Bounds are read against the column's type once (ordered_bound.ts): numbers, text (byte
 * order), dates, timestamps. Each tier compares exactly:
 * - the scan compares with literals typed like the column. Integer columns and timestamps
 *   are integers underneath (a timestamp counts ms, µs or ns), so a bound between two of
 *   them is rounded to the nearest one inside (`min: 2.5` on integers is `>= 3`), and a
 *   bound beyond the type's range is dropped (every value is inside it) or fails every
 *   value: no literal overflows;
 * - SQL compares the column with the bound itself, typed by the engine (text in the
 *   byte order `Dialect.exact` gives; floats and decimals as 64-bit floats);
 * - footer statistics (a Parquet file's min and max per column) answer when every
 *   non-null value is inside (0) or every one is outside (the non-null count); the scan
 *   answers otherwise.
 *
 * NaN, where an engine holds it (Polars, PostgreSQL, Snowflake, DuckDB; MySQL's DOUBLE
 * cannot), is greater than every number, +inf included: it is outside whenever `max` is
 * set, and inside a `min`-only range. (Footer bounds are exact by contract: a float
 * column that may hold a NaN has none, see sources/parquet_bounds.ts.)
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import type { ColumnInfo, DatasetStats } from "../core/dataset.ts";
import { integerBits, isStoredText, UNSIGNED_INTEGERS } from "../core/dtypes.ts";
import { formatIsoDate, formatIsoTimestamp, isProblem } from "../core/iso_time.ts";
import { printable } from "../core/printable.ts";
import type { Dialect } from "../sql/dialect.ts";
import { defineRule } from "./define.ts";
import {
  type BoundInput,
  compareBounds,
  compareCodePoints,
  describeType,
  orderDomainOf,
  type OrderedBound,
  readBound,
} from "./ordered_bound.ts";

const Bound = z.union([z.number(), z.string()]);
const Inclusive = z.enum(["both", "left", "right", "neither"]);

/** Which ends of a range hold values inside it. */
export type Inclusive = z.infer<typeof Inclusive>;

/** `range`'s params, as the Kontract gives them (defaults applied). */
export interface RangeParams extends Record<string, unknown> {
  column: string;
  min?: BoundInput;
  max?: BoundInput;
  inclusive: Inclusive;
}

const params = z.strictObject({
  column: z.string().min(1),
  min: Bound.optional(),
  max: Bound.optional(),
  inclusive: Inclusive.default("both"),
}).superRefine((range, context) => {
  if (range.min === undefined && range.max === undefined) {
    context.addIssue({ code: "custom", message: "needs min, max or both" });
    return;
  }
  // Numbers are ordered alike on every column: checked now. Others need the column.
  if (typeof range.min === "number" && typeof range.max === "number") {
    const problem = orderProblem(range.min - range.max, range);
    if (problem) context.addIssue({ code: "custom", message: problem });
  }
});

/** Counts non-null values outside the range. */
export default defineRule<RangeParams>({
  name: "range",
  scope: "column",
  params: params as z.ZodType<RangeParams>,
  columnTypeProblem: (range, column) => {
    const read = readRange(range, column);
    return typeof read === "string" ? read : undefined;
  },
  measure: (range) => ({
    kind: "violations",
    polars: (column) => polarsOutside(range, column),
    sql: (dialect, column) => sqlOutside(range, dialect, column),
    // A second argument the engine passes when it knows the column (see the report).
    fromStats: (stats: DatasetStats, column?: ColumnInfo) =>
      column === undefined ? undefined : rangeFromStats(range, column, stats),
  }),
  reason: (range) => `${range.column} is ${outside(range)}`,
  describe: (range, { failed }) =>
    failed === 0
      ? `${range.column} values are all ${inside(range)}`
      : `${failed} values of ${range.column} are ${outside(range)}`,
});

/** The bounds as read against `column`. */
interface ReadRange {
  min?: OrderedBound;
  max?: OrderedBound;
}

/** The bounds read against the column, or why they cannot be. */
export function readRange(range: RangeParams, column: ColumnInfo): ReadRange | string {
  if (orderDomainOf(column.dtype) === undefined) {
    return `range cannot check column "${column.name}" of type ${describeType(column)}: ` +
      "it orders numbers, text, dates and timestamps";
  }
  const read: ReadRange = {};
  for (const end of ["min", "max"] as const) {
    const value = range[end];
    if (value === undefined) continue;
    const bound = readBound(value, column);
    if (isProblem(bound)) return `${end} ${bound.problem}`;
    read[end] = bound;
  }
  if (read.min && read.max) {
    const problem = orderProblem(compareBounds(read.min, read.max), range);
    if (problem) return problem;
  }
  return read;
}

/** Why min and max leave no value inside, given how they compare (`min - max`). */
function orderProblem(order: number, range: RangeParams): string | undefined {
  const shown = (value: BoundInput | undefined) => printable(JSON.stringify(value));
  if (order > 0) return `min (${shown(range.min)}) is greater than max (${shown(range.max)})`;
  if (order === 0 && range.inclusive !== "both") {
    return `min and max are both ${shown(range.min)} and inclusive is ` +
      `"${range.inclusive}": no value can be inside`;
  }
  return undefined;
}

/** Where inside values are: `within [0, 150]`, `at least 2024-01-01`, `below 10`. */
function inside({ min, max, inclusive }: RangeParams): string {
  if (min !== undefined && max !== undefined) return `within ${interval(min, max, inclusive)}`;
  if (min !== undefined) return `${lowerInclusive(inclusive) ? "at least" : "above"} ${shown(min)}`;
  return `${upperInclusive(inclusive) ? "at most" : "below"} ${shown(max!)}`;
}

/** Where outside values are: `outside [0, 150]`, `below 2024-01-01`, `at or above 10`. */
function outside({ min, max, inclusive }: RangeParams): string {
  if (min !== undefined && max !== undefined) return `outside ${interval(min, max, inclusive)}`;
  if (min !== undefined) {
    return `${lowerInclusive(inclusive) ? "below" : "at or below"} ${shown(min)}`;
  }
  return `${upperInclusive(inclusive) ? "above" : "at or above"} ${shown(max!)}`;
}

/** `[0, 150]`, `(a, z]`. */
function interval(min: BoundInput, max: BoundInput, inclusive: Inclusive): string {
  const left = lowerInclusive(inclusive) ? "[" : "(";
  const right = upperInclusive(inclusive) ? "]" : ")";
  return `${left}${shown(min)}, ${shown(max)}${right}`;
}

/** A bound as written, on one line. */
function shown(value: BoundInput): string {
  return printable(String(value));
}

function lowerInclusive(inclusive: Inclusive): boolean {
  return inclusive === "both" || inclusive === "left";
}

function upperInclusive(inclusive: Inclusive): boolean {
  return inclusive === "both" || inclusive === "right";
}

function checkedRange(range: RangeParams, column: ColumnInfo): ReadRange {
  const read = readRange(range, column);
  // The plan refuses the rule first (columnTypeProblem): this is a bug if reached.
  if (typeof read === "string") throw new Error(`range: ${read}`);
  return read;
}

// ---------------------------------------------------------------- scan (Polars)

/**
 * An end of the range on an integer scale (an integer column, or a timestamp in its
 * unit): values below `below` or above `above` are outside; `"all"` when every value is.
 */
interface IntegerLimits {
  below?: bigint;
  above?: bigint;
  all?: boolean;
}

/** A bound on an integer scale: the largest integer not above it, and whether it is one. */
interface ScaledBound {
  floor: bigint;
  exact: boolean;
}

/** True on rows whose non-null value is outside the range. */
function polarsOutside(range: RangeParams, column: ColumnInfo): Expr {
  const read = checkedRange(range, column);
  const value = pl.col(column.name);
  const present = value.isNotNull();
  const tests: Expr[] = [];
  const kind = orderDomainOf(column.dtype);
  if (kind === "integer" || kind === "datetime") {
    const limits = integerLimits(range, read, column);
    if (limits.all) return present;
    const literal = (at: bigint) => integerLiteral(at, column);
    if (limits.below !== undefined) tests.push(value.lt(literal(limits.below)));
    if (limits.above !== undefined) tests.push(value.gt(literal(limits.above)));
  } else if (kind !== "none") {
    const [compared, literal] = polarsOperands(column);
    if (read.min) {
      const min = literal(read.min);
      tests.push(lowerInclusive(range.inclusive) ? compared.lt(min) : compared.ltEq(min));
    }
    if (read.max) {
      const max = literal(read.max);
      tests.push(upperInclusive(range.inclusive) ? compared.gt(max) : compared.gtEq(max));
    }
  }
  if (tests.length === 0) return present.and(pl.lit(false));
  return present.and(tests.reduce((any, test) => any.or(test)));
}

/** The column as compared, and literals typed to compare with it. */
function polarsOperands(column: ColumnInfo): [Expr, (bound: OrderedBound) => Expr] {
  const value = pl.col(column.name);
  switch (orderDomainOf(column.dtype)) {
    case "float":
      // Float32 widened exactly, decimals as 64-bit floats: as SQL compares them.
      return [
        column.dtype === "Float64" ? value : value.cast(pl.Float64),
        (bound) => pl.lit((bound as { value: number }).value).cast(pl.Float64),
      ];
    case "text":
      // Categorical and Enum by their text, not their dictionary order.
      return [
        isStoredText(column.dtype) ? value : value.cast(pl.Utf8),
        (bound) => pl.lit((bound as { value: string }).value),
      ];
    default: // date
      return [
        value,
        (bound) => pl.lit((bound as { days: number }).days).cast(pl.Int32).cast(pl.Date),
      ];
  }
}

/** The range on the column's integer scale, clamped to what the type holds. */
function integerLimits(range: RangeParams, read: ReadRange, column: ColumnInfo): IntegerLimits {
  const [lowest, highest] = integerScale(column);
  const limits: IntegerLimits = {};
  if (read.min) {
    // Outside: below the smallest integer that is inside.
    const { floor, exact } = scaled(read.min, column);
    const first = exact && lowerInclusive(range.inclusive) ? floor : floor + 1n;
    if (first > highest) return { all: true };
    if (first > lowest) limits.below = first;
  }
  if (read.max) {
    const { floor, exact } = scaled(read.max, column);
    const last = exact && !upperInclusive(range.inclusive) ? floor - 1n : floor;
    if (last < lowest) return { all: true };
    if (last < highest) limits.above = last;
  }
  if (limits.below !== undefined && limits.above !== undefined && limits.below > limits.above) {
    return { all: true };
  }
  return limits;
}

// Beyond 2^64 every integer scale is passed: keeps BigInt conversions small and exact.
const FAR = 2n ** 65n;

/** A bound on the column's integer scale (its integers, or its timestamp unit). */
function scaled(bound: OrderedBound, column: ColumnInfo): ScaledBound {
  if (bound.domain === "datetime") {
    switch (column.timeUnit ?? "us") {
      case "ms": {
        const floor = floorDivide(bound.micros, 1000n);
        return { floor, exact: floor * 1000n === bound.micros };
      }
      case "ns":
        return { floor: bound.micros * 1000n, exact: true };
      default:
        return { floor: bound.micros, exact: true };
    }
  }
  const value = (bound as { value: number }).value;
  if (Math.abs(value) >= 2 ** 65) return { floor: value > 0 ? FAR : -FAR, exact: true };
  const floor = Math.floor(value);
  return { floor: BigInt(floor), exact: floor === value };
}

function floorDivide(value: bigint, by: bigint): bigint {
  const quotient = value / by;
  return value % by !== 0n && value < 0n ? quotient - 1n : quotient;
}

/** The smallest and largest value of the column's integer scale. */
function integerScale(column: ColumnInfo): [bigint, bigint] {
  if (column.dtype === "Datetime") return [-(2n ** 63n), 2n ** 63n - 1n];
  const bits = BigInt(integerBits(column.dtype)!);
  if (UNSIGNED_INTEGERS.test(column.dtype)) return [0n, 2n ** bits - 1n];
  return [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
}

/** A literal of the column's own type: Polars can then skip row groups by statistics. */
function integerLiteral(value: bigint, column: ColumnInfo): Expr {
  if (column.dtype === "Datetime") {
    const type = pl.Datetime(column.timeUnit ?? "us", column.timeZone ?? undefined);
    return pl.lit(value).cast(pl.Int64).cast(type);
  }
  return pl.lit(value).cast(pl.DataType[column.dtype as "Int64"]);
}

// ---------------------------------------------------------------- SQL

/** True on rows whose non-null value is outside the range, in `dialect`. */
function sqlOutside(range: RangeParams, dialect: Dialect, column: ColumnInfo): string {
  const read = checkedRange(range, column);
  const name = dialect.ident(column.name);
  const kind = orderDomainOf(column.dtype);
  const tests: string[] = [];
  if (kind === "integer") {
    // The same integer limits as the scan: no decimal literal meets an integer column.
    const limits = integerLimits(range, read, column);
    if (limits.all) return `${name} IS NOT NULL`;
    // Digits of a BigInt Kontra computed (no user text): exact beyond 2^53, unlike a number.
    const literal = (at: bigint) => String(at);
    if (limits.below !== undefined) tests.push(`${name} < ${literal(limits.below)}`);
    if (limits.above !== undefined) tests.push(`${name} > ${literal(limits.above)}`);
  } else if (kind !== "none") {
    const compared = sqlCompared(dialect, column, name);
    const literal = (bound: OrderedBound) => sqlLiteral(dialect, column, bound);
    if (read.min) {
      const operator = lowerInclusive(range.inclusive) ? "<" : "<=";
      tests.push(`${compared} ${operator} ${literal(read.min)}`);
    }
    if (read.max) {
      const operator = upperInclusive(range.inclusive) ? ">" : ">=";
      tests.push(`${compared} ${operator} ${literal(read.max)}`);
    }
  }
  if (tests.length === 0) return "1 = 0";
  return `${name} IS NOT NULL AND (${tests.join(" OR ")})`;
}

function sqlCompared(dialect: Dialect, column: ColumnInfo, name: string): string {
  switch (orderDomainOf(column.dtype)) {
    case "float":
      return dialect.castDouble(name);
    case "text":
      return dialect.exact(name, column.dtype);
    default:
      return name;
  }
}

function sqlLiteral(dialect: Dialect, column: ColumnInfo, bound: OrderedBound): string {
  switch (bound.domain) {
    case "integer":
    case "float":
      return dialect.castDouble(dialect.literal(bound.value));
    case "text":
      return dialect.exact(dialect.literal(bound.value), column.dtype);
    case "date":
      return dialect.temporalLiteral(formatIsoDate(bound.days), "Date");
    case "datetime":
      return dialect.temporalLiteral(formatIsoTimestamp(bound.micros), "Datetime");
    case "none":
      return "NULL";
  }
}

// ---------------------------------------------------------------- footer statistics

/**
 * The count from a column's exact min and max (footer statistics): 0 when every non-null
 * value is inside, the non-null count when every one is outside, else undefined (scan).
 */
export function rangeFromStats(
  range: RangeParams,
  column: ColumnInfo,
  stats: Pick<DatasetStats, "rows" | "nullCount" | "bounds">,
): number | undefined {
  const read = readRange(range, column);
  if (typeof read === "string") return undefined;
  const nulls = stats.nullCount(column.name);
  if (nulls === undefined) return undefined;
  const present = stats.rows - nulls;
  if (present === 0) return 0;
  const bounds = stats.bounds?.(column.name);
  if (bounds === undefined) return undefined;
  const smallest = statBound(bounds.min, read);
  const largest = statBound(bounds.max, read);
  if (smallest === undefined || largest === undefined) return undefined;
  const order = (a: StatPoint, b: OrderedBound) => comparePoint(a, b);
  const lowerOk = !read.min ||
    (lowerInclusive(range.inclusive)
      ? order(smallest, read.min) >= 0
      : order(smallest, read.min) > 0);
  const upperOk = !read.max ||
    (upperInclusive(range.inclusive)
      ? order(largest, read.max) <= 0
      : order(largest, read.max) < 0);
  if (lowerOk && upperOk) return 0;
  const allBelow = read.min !== undefined &&
    (lowerInclusive(range.inclusive)
      ? order(largest, read.min) < 0
      : order(largest, read.min) <= 0);
  const allAbove = read.max !== undefined &&
    (upperInclusive(range.inclusive)
      ? order(smallest, read.max) > 0
      : order(smallest, read.max) >= 0);
  return allBelow || allAbove ? present : undefined;
}

/** A statistic's value in a bound's terms: a number (days, µs, the number) or text. */
type StatPoint = number | string;

function statBound(value: unknown, read: ReadRange): StatPoint | undefined {
  const domain = (read.min ?? read.max)!.domain;
  if (domain === "text") return typeof value === "string" ? value : undefined;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Negative, zero or positive as a statistic orders before, with or after a bound. */
function comparePoint(point: StatPoint, bound: OrderedBound): number {
  switch (bound.domain) {
    case "text":
      return compareCodePoints(point as string, bound.value);
    case "date":
      return (point as number) - bound.days;
    case "datetime": {
      const micros = BigInt(Math.trunc(point as number));
      return micros < bound.micros ? -1 : micros > bound.micros ? 1 : 0;
    }
    case "none":
      return 0;
    default:
      return (point as number) - bound.value;
  }
}
