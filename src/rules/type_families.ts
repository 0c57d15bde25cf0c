/**
 * The `dtype` rule's type names. Families group engine types the way users think of
 * them; exact names pin one width. Every source maps its types onto Polars' names.
 * @module
 */

const SIGNED = ["Int8", "Int16", "Int32", "Int64", "Int128"];
const UNSIGNED = ["UInt8", "UInt16", "UInt32", "UInt64"];
const FLOATS = ["Float32", "Float64"];
const STRINGS = ["String", "Utf8", "Categorical", "Enum"];

const FAMILIES: Record<string, readonly string[]> = {
  int: [...SIGNED, ...UNSIGNED],
  integer: [...SIGNED, ...UNSIGNED],
  float: FLOATS,
  numeric: [...SIGNED, ...UNSIGNED, ...FLOATS, "Decimal"],
  string: STRINGS,
  str: STRINGS,
  utf8: STRINGS,
  text: STRINGS,
  bool: ["Bool", "Boolean"],
  boolean: ["Bool", "Boolean"],
  date: ["Date"],
  // Bytes: BLOB columns, and UUID or fixed-size binary columns of Parquet files.
  binary: ["Binary"],
  datetime: ["Datetime"],
  timestamp: ["Datetime"],
};

const EXACT: Record<string, string> = Object.fromEntries(
  [...SIGNED, ...UNSIGNED, ...FLOATS].map((name) => [name.toLowerCase(), name]),
);

/** Every type name a Kontract may use, for error messages. */
export const TYPE_NAMES: readonly string[] = [...Object.keys(FAMILIES), ...Object.keys(EXACT)];

/** True when `name` is a known family or exact type name. */
export function isTypeName(name: string): boolean {
  const key = name.toLowerCase();
  // Own keys only: `constructor` or `__proto__` are no type names.
  return Object.hasOwn(FAMILIES, key) || Object.hasOwn(EXACT, key);
}

/** True when the Polars type `actual` belongs to the family or exact type `expected`. */
export function typeMatches(expected: string, actual: string): boolean {
  const key = expected.toLowerCase();
  if (Object.hasOwn(EXACT, key)) return actual === EXACT[key];
  return Object.hasOwn(FAMILIES, key) && FAMILIES[key].includes(actual);
}
