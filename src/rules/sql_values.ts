/**
 * Listed values in SQL, the SQL twin of `literals.ts`: both read each value with
 * `coerceLiteral` (core/dtypes.ts, through `typedValues`), so a database counts the same
 * rows as a scan of a file: `[20, "30"]` on an integer column means 20 and 30, a value
 * that can never equal the column's type is left out instead of making the database
 * raise a type error, NaN and the infinities (`"nan"`, `"-inf"`, `"1e309"`) match on
 * float columns as Polars reads them.
 *
 * The list is `IN (…)` of plain literals, cut into lists of at most
 * {@linkcode LARGEST_IN_LIST} (Snowflake refuses more than 16,384 expressions in one
 * list), so the text and the work grow linearly with the list: PostgreSQL hashes an IN
 * list of constants, DuckDB turns a long one into a join.
 * @module
 */
import type { Dialect } from "../sql/dialect.ts";
import type { Comparison, ListedValue } from "../core/dtypes.ts";
import { typedValues } from "./literals.ts";

/** The most literals in one `IN (…)`: under Snowflake's 16,384. */
export const LARGEST_IN_LIST = 10_000;

/**
 * True where `column` (already quoted) of Polars type `dtype` holds one of `values`;
 * undefined when no value can equal a value of the column. Types without a literal form
 * here (dates, times, …) compare as text, the way the Kontract wrote the value.
 */
export function sqlInList(
  dialect: Dialect,
  column: string,
  values: readonly ListedValue[],
  dtype: string,
): string | undefined {
  const typed = typedValues(values, dtype);
  if (typed.values.length === 0) return undefined;
  const left = leftSide(dialect, column, typed.compare, dtype);
  const special = (value: ListedValue) => typeof value === "number" && !isFinite(value);
  const plain = typed.values.filter((value) => !special(value));
  const tests: string[] = [];
  for (let start = 0; start < plain.length; start += LARGEST_IN_LIST) {
    const literals = plain.slice(start, start + LARGEST_IN_LIST).map((value) =>
      dialect.literal(value)
    );
    tests.push(`${left} IN (${literals.join(", ")})`);
  }
  // NaN and the infinities have no literal: a cast of their text, which PostgreSQL,
  // Snowflake and DuckDB all read. Kept out of IN lists, which want constants.
  for (const value of typed.values.filter(special)) {
    const text = dialect.literal(specialText(value as number));
    tests.push(dialect.nullSafeEquals(left, dialect.castDouble(text)));
  }
  return tests.length === 1 ? tests[0] : `(${tests.join(" OR ")})`;
}

function leftSide(
  dialect: Dialect,
  column: string,
  compare: Comparison,
  dtype: string,
): string {
  if (compare === "column_text") return dialect.castText(column);
  // Decimals as 64-bit floats, as the scan compares them.
  if (compare === "decimal") return dialect.castDouble(column);
  return dialect.exact(column, dtype);
}

function specialText(value: number): string {
  return Number.isNaN(value) ? "NaN" : value > 0 ? "inf" : "-inf";
}
