/**
 * A Kontract value read as a point in a column's order, for `range`: ONE reading that
 * the scan (Polars) and SQL tiers both compare with, so they count the same rows.
 *
 * - integer columns (at most 64 bits) and float and decimal columns: a finite number, or
 *   text in decimal notation (`"20"`, `"2.5"`, `"1e3"`); a bound that is no integer is
 *   fine on an integer column (`max: 2.5` keeps 2 and below);
 * - text columns (String, Categorical, Enum): text, ordered by its bytes (UTF-8, which
 *   is Unicode code point order): `"B" < "a"`, as Polars orders it. A number is refused:
 *   written as text (`"5"`) it compares as text, deliberately;
 * - `Date` columns: a date `YYYY-MM-DD`;
 * - `Datetime` columns: an ISO timestamp or date (its midnight), to the microsecond (see
 *   core/iso_time.ts). A column of instants (with a time zone) reads a bound without an
 *   offset as UTC and one with an offset as that instant; a wall-clock (naive) column
 *   refuses an offset, since its values name no instant to compare it with.
 * @module
 */
import type { ColumnInfo } from "../core/dataset.ts";
import { familyOf, INTEGERS_64 } from "../core/dtypes.ts";
import {
  type IsoProblem,
  isProblem,
  readIsoDate,
  readIsoTimestamp,
  utcMicros,
} from "../core/iso_time.ts";

/** How a column's values are ordered, for the types `range` reads. */
export type OrderDomain = "integer" | "float" | "text" | "date" | "datetime" | "none";

/** A bound read against a column. */
export type OrderedBound =
  /** A finite number (any number for an integer column; rounding happens per tier). */
  | { domain: "integer" | "float"; value: number }
  | { domain: "text"; value: string }
  /** Days since 1970-01-01. */
  | { domain: "date"; days: number }
  /** Microseconds since 1970-01-01T00:00:00: UTC for columns of instants, else wall time. */
  | { domain: "datetime"; micros: bigint }
  /** A column with no typed value (Polars' Null): nothing to compare. */
  | { domain: "none" };

/** A value as a Kontract writes a bound. */
export type BoundInput = number | string;

/**
 * How a column of this type is ordered, or undefined for types `range` does not order
 * (booleans, times, durations, binary, nested values, 128-bit integers).
 */
export function orderDomainOf(dtype: string): OrderDomain | undefined {
  if (INTEGERS_64.test(dtype)) return "integer";
  switch (familyOf(dtype)) {
    case "float":
    case "decimal":
      return "float";
    case "text":
      return "text";
    case "date":
      return "date";
    case "datetime":
      return "datetime";
    case "null":
      return "none";
    default:
      return undefined;
  }
}

// Decimal notation only, as core/dtypes.ts reads numbers written as text.
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `value` read against `column` (whose type has an order domain), or a problem: the
 * words after `min` in a message, e.g. `"abc" is not a finite number, and column "age" is
 * Int32`.
 */
export function readBound(value: BoundInput, column: ColumnInfo): OrderedBound | IsoProblem {
  const domain = orderDomainOf(column.dtype);
  const shown = JSON.stringify(value);
  const columnIs = `column "${column.name}" is ${describeType(column)}`;
  switch (domain) {
    case "integer":
    case "float": {
      const number = typeof value === "number"
        ? value
        : DECIMAL_TEXT.test(value)
        ? Number(value)
        : NaN;
      if (!Number.isFinite(number)) {
        return { problem: `${shown} is not a finite number, and ${columnIs}` };
      }
      return { domain, value: number + 0 }; // -0 → 0
    }
    case "text":
      if (typeof value !== "string") {
        return {
          problem: `${shown} is a number, and ${columnIs}: write it as text ` +
            `("${value}") to compare as text, byte for byte`,
        };
      }
      return { domain, value };
    case "date": {
      const days = typeof value === "string"
        ? readIsoDate(value)
        : { problem: `${shown} is not a date (YYYY-MM-DD)` };
      return isProblem(days) ? { problem: `${days.problem}, and ${columnIs}` } : { domain, days };
    }
    case "datetime": {
      const read = typeof value === "string"
        ? readIsoTimestamp(value)
        : { problem: `${shown} is not an ISO timestamp` };
      if (isProblem(read)) return { problem: `${read.problem}, and ${columnIs}` };
      if (column.timeZone === undefined && read.offsetMinutes !== undefined) {
        return {
          problem: `${shown} names an instant (it has a UTC offset), and ${columnIs} ` +
            "without a time zone: write its wall time without the offset",
        };
      }
      return { domain, micros: utcMicros(read) };
    }
    case "none":
      return { domain };
    case undefined:
      return { problem: `cannot be compared: ${columnIs}` };
  }
}

/** `Int32`, `Datetime (UTC)`, `Datetime (no time zone)`. */
export function describeType(column: ColumnInfo): string {
  if (column.dtype !== "Datetime") return column.dtype;
  return `Datetime (${column.timeZone ?? "no time zone"})`;
}

/** Negative, zero or positive as `a` orders before, with or after `b` (same domain). */
export function compareBounds(a: OrderedBound, b: OrderedBound): number {
  if (a.domain === "text" && b.domain === "text") return compareCodePoints(a.value, b.value);
  if (a.domain === "datetime" && b.domain === "datetime") {
    return a.micros < b.micros ? -1 : a.micros > b.micros ? 1 : 0;
  }
  if (a.domain === "date" && b.domain === "date") return a.days - b.days;
  if ((a.domain === "integer" || a.domain === "float") && "value" in b) {
    return a.value - (b.value as number);
  }
  return 0;
}

/**
 * Text order by Unicode code point, which is UTF-8 byte order (Polars, PostgreSQL's "C"
 * collation, MySQL's binary strings). JS's `<` compares UTF-16 units, which orders
 * characters beyond U+FFFF before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  while (true) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
}
