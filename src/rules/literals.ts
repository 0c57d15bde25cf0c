/**
 * Comparisons with literals typed like the column. A bare JS number becomes a Float64
 * literal, which defeats Parquet statistics and can mis-compare large integers.
 * @module
 */
import pl, { type Expr } from "nodejs-polars";

const INTEGER_TYPES = ["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"];
const STRING_TYPES = ["String", "Utf8", "Categorical"];

/**
 * `column == value` for a column of Polars type `dtype`, or undefined when the value
 * can never equal a value of that column (e.g. "abc" for an Int64 column).
 */
export function equalsValue(
  column: string,
  value: string | number | boolean,
  dtype: string,
): Expr | undefined {
  const col = pl.col(column);
  if (STRING_TYPES.includes(dtype)) return col.eq(pl.lit(String(value)));
  if (INTEGER_TYPES.includes(dtype)) {
    const number = asNumber(value);
    if (number === undefined || !Number.isSafeInteger(number)) return undefined;
    return col.eq(pl.lit(number).cast(pl.DataType[dtype as "Int64"]));
  }
  if (dtype === "Float32" || dtype === "Float64") {
    const number = asNumber(value);
    return number === undefined ? undefined : col.eq(pl.lit(number));
  }
  if (dtype === "Bool") {
    const bool = typeof value === "boolean" ? value : ({ true: true, false: false } as Record<
      string,
      boolean
    >)[String(value)];
    return bool === undefined ? undefined : col.eq(pl.lit(bool));
  }
  // Dates, times and the rest: compare as text, the way the Kontract wrote the value.
  return col.cast(pl.Utf8).eq(pl.lit(String(value)));
}

function asNumber(value: string | number | boolean): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return undefined;
}
