/**
 * A Kontract's listed values as Polars expressions for the scan tier. Each value is read
 * against the column's type by `coerceLiteral` (core/dtypes.ts), the one reading the SQL
 * tier (`sql_values.ts`) shares, so both count the same rows. A value that can never
 * equal a value of the column is left out; NULLs never equal anything.
 *
 * A bare JS number becomes a Float64 literal in Polars, which defeats Parquet statistics
 * and can mis-compare large integers: literals are typed like the column.
 * @module
 */
import pl, { type Expr, type Series } from "npm:nodejs-polars@0.25.2";
import type { ColumnInfo } from "../core/dataset.ts";
import type { ValueSet } from "./define.ts";
import { polarsRegexCompiles } from "./polars_regex.ts";
import {
  coerceLiteral,
  type Comparison,
  comparisonOf,
  isStoredText,
  type ListedValue,
} from "../core/dtypes.ts";

/** The listed values that can equal a value of the column, distinct, typed for `compare`. */
export interface TypedValues {
  compare: Comparison;
  values: ListedValue[];
}

/** The listed values read against a column of Polars type `dtype`. */
export function typedValues(values: readonly ListedValue[], dtype: string): TypedValues {
  const typed = values.map((value) => coerceLiteral(value, dtype))
    .filter((value) => value !== undefined);
  // A Set is keyed by SameValueZero: NaN once, and -0 with 0, as the comparisons treat them.
  return { compare: comparisonOf(dtype), values: [...new Set(typed)] };
}

// Up to this many values a chain of `==` is the cheapest test, and unlike the others lets
// Polars push the filter into the Parquet reader (row groups skipped by their statistics).
// Measured on 10M rows next to two other rules: 5 values 0.47 s, 16 values 0.53 s, 32
// values 0.61 s; one anchored alternation 0.54 s for 5 to 10,000 values.
const LARGEST_EQUALITY_CHAIN = 16;

/**
 * Membership of `column` in the listed values for the scan tier: `member` is true where a
 * non-null value is listed (false or null elsewhere). Its cost grows linearly with the
 * list, never with its square:
 * - up to {@linkcode LARGEST_EQUALITY_CHAIN} values, a chain of `==`;
 * - text (and values compared by their text form): ONE anchored alternation
 *   `\A(?:v1|v2|…)\z`, which Polars' regex engine compiles to an automaton: exact
 *   equality, one expression whatever the list's length;
 * - other types, and lists too long for one automaton (the regex engine's 10 MB limit, near
 *   15,000 values of 14 characters): a set of values the engine joins onto the rows
 *   (`sets`, see engine/value_sets.ts).
 * Not `isIn`, `replaceStrict` or per-value expressions: see engine/value_sets.ts.
 */
export function polarsMembership(
  column: string,
  values: readonly ListedValue[],
  dtype: string,
): { member: Expr | undefined; sets: ValueSet[] } {
  const typed = typedValues(values, dtype);
  if (typed.values.length === 0) return { member: undefined, sets: [] };
  const key = keyOf(column, typed.compare, dtype);
  if (typed.values.length <= LARGEST_EQUALITY_CHAIN) {
    const equalities = typed.values.map((value) => key.eq(literalOf(value, typed.compare, dtype)));
    return { member: equalities.reduce((any, next) => any.or(next)), sets: [] };
  }
  if (typed.compare === "text" || typed.compare === "column_text") {
    const pattern = wholeTextOneOf(typed.values as string[]);
    if (polarsRegexCompiles(pattern)) return { member: key.str.contains(pattern), sets: [] };
  }
  const name = `__kontra_in_${fingerprint(column, typed)}`;
  const set: ValueSet = { name, key, values: seriesOf(name, typed, dtype) };
  return { member: pl.col(name).isNotNull(), sets: [set] };
}

// The characters Rust's regex syntax treats as special (`regex::escape`).
const REGEX_META = /[\\.+*?()|[\]{}^$#&\-~]/g;

/** A pattern that matches exactly the whole of one of `texts`. */
export function wholeTextOneOf(texts: readonly string[]): string {
  return `\\A(?:${texts.map((text) => text.replace(REGEX_META, "\\$&")).join("|")})\\z`;
}

/** The column as compared: itself, or converted so both sides have one type. */
function keyOf(column: string, compare: Comparison, dtype: string): Expr {
  const col = pl.col(column);
  switch (compare) {
    case "text": // Categorical and Enum as text: a join needs one type on both sides
      return isStoredText(dtype) ? col : col.cast(pl.Utf8);
    case "column_text":
      return col.cast(pl.Utf8);
    case "float":
    case "decimal":
      return col.cast(pl.Float64); // Float32 widened exactly; 0.1 is the Float64 0.1
    default:
      return col;
  }
}

function literalOf(value: ListedValue, compare: Comparison, dtype: string): Expr {
  if (compare === "integer") return pl.lit(value).cast(pl.DataType[dtype as "Int64"]);
  if (compare === "float" || compare === "decimal") return pl.lit(value).cast(pl.Float64);
  return pl.lit(value);
}

function seriesOf(name: string, typed: TypedValues, dtype: string): Series {
  switch (typed.compare) {
    case "integer":
      return pl.Series(name, typed.values, pl.Int64).cast(pl.DataType[dtype as "Int64"]);
    case "float":
    case "decimal":
      return pl.Series(name, typed.values, pl.Float64);
    case "boolean":
      return pl.Series(name, typed.values, pl.Bool);
    default:
      return pl.Series(name, typed.values, pl.Utf8);
  }
}

/** A short stable name for a list on a column: equal lists share one join. */
function fingerprint(column: string, typed: TypedValues): string {
  // FNV-1a, twice with different offsets: 64 bits, ample for the lists of one Kontract.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const text = JSON.stringify([column, typed.compare]) +
    typed.values.map((value) => `\u0000${typeof value}:${String(value)}`).join("");
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/**
 * `polarsMembership` of one list, read once per column type it is asked for (a rule's
 * predicate and its value sets must come from the same reading).
 */
export function polarsMembershipByType(
  column: string,
  values: readonly ListedValue[],
): (info: ColumnInfo) => ReturnType<typeof polarsMembership> {
  const byType = new Map<string, ReturnType<typeof polarsMembership>>();
  return (info) => {
    if (!byType.has(info.dtype)) {
      byType.set(info.dtype, polarsMembership(column, values, info.dtype));
    }
    return byType.get(info.dtype)!;
  };
}
