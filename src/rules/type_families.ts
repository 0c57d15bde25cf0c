/**
 * The `dtype` rule's type names. Families group engine types the way users think of
 * them; exact names pin one width. Every source maps its types onto Polars' names, and
 * the names and families are core/dtypes.ts's.
 * @module
 */
import {
  type Dtype,
  type DtypeSet,
  dtypeSet,
  FLOATS,
  INTEGERS,
  NUMBERS,
  TEXTS,
} from "../core/dtypes.ts";

const FAMILIES: Record<string, DtypeSet> = {
  int: INTEGERS,
  integer: INTEGERS,
  float: FLOATS,
  numeric: NUMBERS,
  string: TEXTS,
  str: TEXTS,
  utf8: TEXTS,
  text: TEXTS,
  bool: dtypeSet("Bool"),
  boolean: dtypeSet("Bool"),
  date: dtypeSet("Date"),
  // Bytes: BLOB columns, and UUID or fixed-size binary columns of Parquet files.
  binary: dtypeSet("Binary"),
  // Both kinds of timestamp; `datetime_tz` and `datetime_naive` tell them apart.
  datetime: dtypeSet("Datetime"),
  timestamp: dtypeSet("Datetime"),
};

/**
 * Timestamps by whether they hold instants (a time zone: Parquet `isAdjustedToUTC`,
 * PostgreSQL timestamptz, Snowflake TIMESTAMP_TZ/LTZ, MySQL TIMESTAMP) or wall-clock times
 * (none: Parquet without it, PostgreSQL timestamp, Snowflake TIMESTAMP_NTZ, MySQL
 * DATETIME).
 */
const ZONED: Record<string, boolean> = {
  datetime_tz: true,
  datetime_naive: false,
};

const EXACT: Record<string, Dtype> = Object.fromEntries(
  dtypeSet(INTEGERS, FLOATS).names.map((name) => [name.toLowerCase(), name]),
);

/** Every type name a Kontract may use, for error messages. */
export const TYPE_NAMES: readonly string[] = [
  ...Object.keys(FAMILIES),
  ...Object.keys(ZONED),
  ...Object.keys(EXACT),
];

/** True when `name` is a known family or exact type name. */
export function isTypeName(name: string): boolean {
  const key = name.toLowerCase();
  // Own keys only: `constructor` or `__proto__` are no type names.
  return Object.hasOwn(FAMILIES, key) || Object.hasOwn(ZONED, key) || Object.hasOwn(EXACT, key);
}

/**
 * True when the Polars type `actual` belongs to the family or exact type `expected`;
 * `timeZone` is a Datetime column's time zone (undefined for wall-clock timestamps).
 */
export function typeMatches(expected: string, actual: string, timeZone?: string): boolean {
  const key = expected.toLowerCase();
  if (Object.hasOwn(EXACT, key)) return actual === EXACT[key];
  if (Object.hasOwn(ZONED, key)) {
    return actual === "Datetime" && ZONED[key] === (timeZone !== undefined);
  }
  return Object.hasOwn(FAMILIES, key) && FAMILIES[key].test(actual);
}
