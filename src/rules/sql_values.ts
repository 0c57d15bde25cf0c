/**
 * SQL comparisons with literals typed like the column, the SQL twin of `literals.ts`:
 * `[20, "30"]` on an integer column means 20 and 30, and a value that can never equal
 * the column's type is left out instead of making the database raise a type error.
 * @module
 */
import type { Dialect, SqlValue } from "../sql/dialect.ts";

const INTEGER_TYPES = ["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"];
const NUMBER_TYPES = ["Float32", "Float64", "Decimal"];
const STRING_TYPES = ["String", "Utf8", "Categorical", "Enum"];

/**
 * `column IN (…)` for a column of Polars type `dtype`, with `values` as literals of the
 * column's type; undefined when no value can equal a value of the column. Types
 * without a literal form here (dates, times, …) compare as text, the way the Kontract
 * wrote the value.
 */
export function sqlInList(
  dialect: Dialect,
  column: string,
  values: readonly (string | number | boolean)[],
  dtype: string,
): string | undefined {
  const asText = !STRING_TYPES.includes(dtype) && !INTEGER_TYPES.includes(dtype) &&
    !NUMBER_TYPES.includes(dtype) && dtype !== "Bool";
  const literals = [
    ...new Set(
      values.map((value) => typedValue(value, asText ? "String" : dtype))
        .filter((value) => value !== undefined)
        .map((value) => dialect.literal(value)),
    ),
  ];
  if (literals.length === 0) return undefined;
  const left = asText ? dialect.castText(column) : column;
  return `${left} IN (${literals.join(", ")})`;
}

function typedValue(value: string | number | boolean, dtype: string): SqlValue | undefined {
  if (STRING_TYPES.includes(dtype)) return String(value);
  if (INTEGER_TYPES.includes(dtype)) {
    const number = asNumber(value);
    return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
  }
  if (NUMBER_TYPES.includes(dtype)) return asNumber(value);
  if (dtype === "Bool") {
    return typeof value === "boolean"
      ? value
      : ({ true: true, false: false } as Record<string, boolean>)[String(value)];
  }
  return undefined;
}

function asNumber(value: string | number | boolean): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}
