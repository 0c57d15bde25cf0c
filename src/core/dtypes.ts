/**
 * THE list of Polars type names Kontra knows (`ColumnInfo.dtype`), grouped into
 * families, and ONE reading of a Kontract value against a column's type
 * ({@linkcode coerceLiteral}) shared by every tier: the scan (Polars expressions,
 * rules/literals.ts) and SQL (rules/sql_values.ts) compare with the same typed values, so
 * they count the same rows. Every source maps its types onto these names; a name
 * written anywhere else is a {@linkcode Dtype}, so the compiler checks it against this
 * list.
 *
 * How a value reads against a column ({@linkcode comparisonOf}):
 * - text columns (String, Utf8, Categorical, Enum) compare with each value's text (`20`
 *   means "20");
 * - integer columns of at most 64 bits with the values that are integers within the
 *   column's range (`[20, "30"]` means 20 and 30; Int64 and UInt64 within ±2^53, where
 *   JS numbers stay exact); text in decimal notation only (`"0x10"`, `" 20"` are text);
 * - float columns take any number, and read text as Polars casts text to Float64:
 *   decimal notation (rounded to the nearest float, `"1e-400"` is 0), and `inf`,
 *   `infinity` or `nan` in any case with an optional sign for the infinities and NaN.
 *   NaN equals NaN and -0 equals 0 (as in Polars, PostgreSQL, Snowflake and DuckDB).
 *   One departure from Polars' cast: text beyond the float range (`"1e309"`) equals
 *   nothing, where Polars would read +inf; no float equals 1e309, and PostgreSQL,
 *   Snowflake and DuckDB refuse it as out of range rather than read an infinity (write
 *   `"inf"` for that). Float32 columns compare as Float64 (widened exactly), so both
 *   tiers need no float32 rounding;
 * - decimals as 64-bit floats, finite values only (a decimal holds no NaN or infinity);
 * - booleans with `true`/`false` and their text;
 * - other types (dates, times, 128-bit integers, …) by their text form, as written.
 *
 * A value that can never equal a value of the column (`"abc"` on an integer column) reads
 * as `undefined`: it matches nothing, and never makes a database raise a type error.
 * @module
 */

/** Every Polars type name Kontra knows, by family (see {@linkcode familyOf}). */
const FAMILIES = {
  signed: ["Int8", "Int16", "Int32", "Int64", "Int128"],
  unsigned: ["UInt8", "UInt16", "UInt32", "UInt64", "UInt128"],
  float: ["Float32", "Float64"],
  decimal: ["Decimal"],
  // Utf8 is the older name of String; Categorical and Enum hold text by dictionary.
  text: ["String", "Utf8", "Categorical", "Enum"],
  bool: ["Bool"],
  date: ["Date"],
  datetime: ["Datetime"],
  time: ["Time"],
  duration: ["Duration"],
  binary: ["Binary"],
  nested: ["List", "Array", "Struct"],
  object: ["Object"],
  // A column with no value at all (a file whose column holds only NULLs).
  null: ["Null"],
} as const;

/** A family of Polars types. */
export type DtypeFamily = keyof typeof FAMILIES;
/** A Polars type name Kontra knows. */
export type Dtype = (typeof FAMILIES)[DtypeFamily][number];

/** Every known name, in family order. */
export const DTYPES: readonly Dtype[] = Object.values(FAMILIES).flat();

const FAMILY_OF = new Map<string, DtypeFamily>(
  Object.entries(FAMILIES).flatMap(([family, names]) =>
    names.map((name) => [name, family as DtypeFamily])
  ),
);

// nodejs-polars names some types differently from Polars itself.
const JS_NAMES: Record<string, Dtype> = { FixedSizeList: "Array" };

/** The family of a Polars type name, or undefined for a name Kontra does not know. */
export function familyOf(dtype: string): DtypeFamily | undefined {
  return FAMILY_OF.get(dtype);
}

/** Polars' name for a type nodejs-polars reports (`FixedSizeList` is Polars' `Array`). */
export function polarsName(variant: string): string {
  return Object.hasOwn(JS_NAMES, variant) ? JS_NAMES[variant] : variant;
}

/** Bits of an integer type (`Int32` → 32), or undefined for other types. */
export function integerBits(dtype: string): number | undefined {
  const family = familyOf(dtype);
  return family === "signed" || family === "unsigned" ? Number(/\d+$/.exec(dtype)![0]) : undefined;
}

/** A set of type names, tested like the regular expressions it replaces. */
export interface DtypeSet {
  readonly names: readonly Dtype[];
  test(dtype: string): boolean;
}

/** The set of `members`: names and other sets. */
export function dtypeSet(...members: readonly (Dtype | DtypeSet)[]): DtypeSet {
  const names = members.flatMap((member) => typeof member === "string" ? [member] : member.names);
  const lookup = new Set<string>(names);
  return { names, test: (dtype) => lookup.has(dtype) };
}

const ofFamily = (family: DtypeFamily) => dtypeSet(...FAMILIES[family]);
const integersWhere = (keep: (bits: number, signed: boolean) => boolean) =>
  dtypeSet(
    ...[...FAMILIES.signed, ...FAMILIES.unsigned].filter((name) =>
      keep(integerBits(name)!, familyOf(name) === "signed")
    ),
  );

export const SIGNED_INTEGERS: DtypeSet = ofFamily("signed");
export const UNSIGNED_INTEGERS: DtypeSet = ofFamily("unsigned");
export const INTEGERS: DtypeSet = dtypeSet(SIGNED_INTEGERS, UNSIGNED_INTEGERS);
/** Integers of at most 64 bits: the widths every engine Kontra reads has. */
export const INTEGERS_64: DtypeSet = integersWhere((bits) => bits <= 64);
/** Integers whose every value fits a signed 64-bit integer (SQL's BIGINT). */
export const BIGINT_INTEGERS: DtypeSet = integersWhere((bits, signed) =>
  signed ? bits <= 64 : bits < 64
);
export const FLOATS: DtypeSet = ofFamily("float");
export const NUMBERS: DtypeSet = dtypeSet(INTEGERS, FLOATS, "Decimal");
/** Types whose values are text (compared with text). */
export const TEXTS: DtypeSet = ofFamily("text");
/** Types stored as plain text: matched as text with no cast. */
export const STORED_TEXTS: DtypeSet = dtypeSet("String", "Utf8");
/** Values that hold other values. */
export const NESTED: DtypeSet = ofFamily("nested");
/** Types whose values take the same few bytes each (for memory estimates). */
export const FIXED_WIDTH_TYPES: DtypeSet = dtypeSet(
  INTEGERS,
  FLOATS,
  "Bool",
  "Date",
  "Datetime",
  "Time",
  "Duration",
);

/** True for integer types (Int8 … UInt128). */
export const isInteger = (dtype: string): boolean => INTEGERS.test(dtype);
/** True for Float32 and Float64. */
export const isFloat = (dtype: string): boolean => FLOATS.test(dtype);
/** True for text types (String, Utf8, Categorical, Enum). */
export const isText = (dtype: string): boolean => TEXTS.test(dtype);
/** True for String and Utf8: text with no cast needed. */
export const isStoredText = (dtype: string): boolean => STORED_TEXTS.test(dtype);

/** A value as a Kontract lists it. */
export type ListedValue = string | number | boolean;

/** How a column is compared with listed values. */
export type Comparison =
  /** The column holds text: compare with each value's text. */
  | "text"
  /** Integers of the column's type. */
  | "integer"
  /** 64-bit floats, NaN and infinities included. */
  | "float"
  /** Decimals, compared as 64-bit floats (finite values only). */
  | "decimal"
  | "boolean"
  /** Any other type: the column's text form against each value's text. */
  | "column_text";

/** How a column of Polars type `dtype` compares with listed values. */
export function comparisonOf(dtype: string): Comparison {
  if (isText(dtype)) return "text";
  if (INTEGERS_64.test(dtype)) return "integer";
  if (isFloat(dtype)) return "float";
  if (dtype === "Decimal") return "decimal";
  if (dtype === "Bool") return "boolean";
  return "column_text";
}

// Decimal notation only: "0x10", "1_000" or " 20" are text that no number equals (and
// that Polars' cast of text to a float does not read either).
const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_TEXT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * `value` read against a column of Polars type `dtype` (see the module doc): the value
 * to compare with (a number for integer, float and decimal columns, a boolean for
 * booleans, text otherwise), or undefined when it cannot equal any value of the column.
 */
export function coerceLiteral(value: ListedValue, dtype: string): ListedValue | undefined {
  switch (comparisonOf(dtype)) {
    case "text":
    case "column_text":
      return String(value);
    case "integer": {
      const number = asFloat(value);
      const [min, max] = integerRange(dtype);
      return number !== undefined && Number.isInteger(number) && number >= min && number <= max
        ? number + 0 // -0 → 0
        : undefined;
    }
    case "float": {
      const number = asFloat(value);
      // Text beyond the float range is no float (see the module doc); numbers are as given.
      const overflow = typeof value === "string" && DECIMAL_TEXT.test(value) &&
        !Number.isFinite(number);
      return number === undefined || overflow ? undefined : number + 0;
    }
    case "decimal": {
      const number = asFloat(value);
      return number !== undefined && Number.isFinite(number) ? number + 0 : undefined;
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      return value === "true" ? true : value === "false" ? false : undefined;
  }
}

/** The range of an integer type of at most 64 bits, within JS's exact integers. */
function integerRange(dtype: string): [number, number] {
  const bits = integerBits(dtype)!;
  if (familyOf(dtype) === "unsigned") {
    return [0, Math.min(2 ** bits - 1, Number.MAX_SAFE_INTEGER)];
  }
  const max = Math.min(2 ** (bits - 1) - 1, Number.MAX_SAFE_INTEGER);
  return [Math.max(-(2 ** (bits - 1)), Number.MIN_SAFE_INTEGER), max];
}

/** A number, or text as Polars reads it into a Float64 (overflow: ±Infinity), or undefined. */
function asFloat(value: ListedValue): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  if (DECIMAL_TEXT.test(value)) return Number(value); // beyond the range: ±Infinity
  const special = SPECIAL_TEXT.exec(value);
  if (!special) return undefined;
  if (special[2].toLowerCase() === "nan") return NaN;
  return special[1] === "-" ? -Infinity : Infinity;
}
