/**
 * The text a string rule reads from a value: text columns as they are, other scalar
 * columns by their text form (Polars' cast to String in a scan, the database's cast to
 * text in SQL), so `length` and `like` work on a CSV column of digits inferred as integers.
 * Integers and text read the same on every tier; floats, booleans, dates and times are
 * written differently by each engine (`-1.0` or `-1`, `true` or `1`), so rules on their
 * text form can count differently from one tier to another.
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";
import type { ColumnInfo } from "../core/dataset.ts";
import type { Dialect } from "../sql/dialect.ts";
import { isTextType } from "./column_support.ts";

/** The column's values as Polars text. */
export function polarsText(column: ColumnInfo): Expr {
  const values = pl.col(column.name);
  return isTextType(column.dtype) ? values : values.cast(pl.Utf8);
}

/** The column's values as SQL text for `dialect`. */
export function sqlText(dialect: Dialect, column: ColumnInfo): string {
  const quoted = dialect.ident(column.name);
  return isTextType(column.dtype) ? quoted : dialect.castText(quoted);
}
