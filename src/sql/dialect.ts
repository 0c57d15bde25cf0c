/**
 * What a SQL engine must tell Kontra to render rules for it. One implementation per
 * file in this folder; the engine never switches on the database's name.
 * @module
 */
import type { ColumnInfo } from "../core/dataset.ts";
import type { UserSqlGuard } from "./user_sql.ts";

/** A value that may appear in SQL as a literal. */
export type SqlValue = string | number | boolean | null;

/** How one SQL engine quotes, compares and matches. */
export interface Dialect {
  /** A short name for `--explain` and error messages. */
  readonly name: string;
  /** The engine's own parser and allow-lists, which check user SQL written for it. */
  readonly guard: UserSqlGuard;
  /** A quoted identifier: any string, including quotes and unicode, is safe. */
  ident(name: string): string;
  /** A literal; strings are quoted and escaped, numbers are checked to be finite. */
  literal(value: SqlValue): string;
  /** A boolean SQL expression: true where `expression` contains a match of `pattern`. */
  regexSearch(expression: string, pattern: string): string;
  /** `expression` converted to the engine's text type. */
  castText(expression: string): string;
  /** The length of text `expression` in characters (Unicode code points), not bytes. */
  charLength(expression: string): string;
  /**
   * A boolean SQL expression: true where the whole of text `expression` matches
   * `pattern`, an SQL text expression holding a LIKE pattern in Kontra's form (`%` any
   * run of characters, `_` one character, `\` makes the next character plain; see
   * rules/like_pattern.ts). Characters compare exactly and case-sensitively, whatever
   * the column's collation, as Polars compares them.
   */
  like(expression: string, pattern: string): string;
  /** `expression` converted to a 64-bit float (NaN and the infinities included). */
  castDouble(expression: string): string;
  /**
   * A literal to compare with a `Date` column (`text` is `YYYY-MM-DD`) or a `Datetime`
   * column (`text` is `YYYY-MM-DD HH:MM:SS.ffffff`, UTC): an instant column compares it as
   * that UTC instant and a naive column as that wall time, whatever the session's time
   * zone. `text` is checked by the caller to have exactly that form.
   */
  temporalLiteral(text: string, dtype: "Date" | "Datetime"): string;
  /**
   * An integer (or exact numeric) SQL expression: a `Date` or `Datetime` value of a
   * column typed like `column` as microseconds since 1970-01-01 00:00:00; an instant (a
   * column with a `timeZone`) counted from that UTC instant, a wall-clock timestamp from
   * that wall time, a date from its midnight; whatever the session's time zone. NULL
   * stays NULL.
   */
  epochMicros(expression: string, column: Pick<ColumnInfo, "dtype" | "timeZone">): string;
  /**
   * `expression` (a column of Polars type `dtype`) as it must be compared, grouped and
   * counted DISTINCT so that the engine tells values apart as Polars does: text byte for
   * byte, whatever the column's collation (MySQL's default ones fold case and ignore
   * trailing spaces). Most engines compare that way already and return it unchanged.
   */
  exact(expression: string, dtype: string): string;
  /** True where `left` and `right` are equal or both NULL. */
  nullSafeEquals(left: string, right: string): string;
  /**
   * The exact median of a 64-bit float expression, as an aggregate (the mean of the
   * middle two values for an even count; NULL with no value). Absent where the database
   * has no median aggregate (MySQL/MariaDB): the `aggregate` measure then ranks the
   * values itself.
   */
  median?(expression: string): string;
}

/** The ANSI forms of the comparison helpers, for engines that compare text exactly. */
export const ANSI_COMPARISONS: Pick<Dialect, "castDouble" | "exact" | "nullSafeEquals"> = {
  castDouble: (expression) => `CAST(${expression} AS DOUBLE PRECISION)`,
  exact: (expression) => expression,
  nullSafeEquals: (left, right) => `${left} IS NOT DISTINCT FROM ${right}`,
};

/** Doubles every `quote` inside `text` and wraps it: the ANSI way to quote. */
export function quoteWith(text: string, quote: string): string {
  return quote + text.replaceAll(quote, quote + quote) + quote;
}

/** Renders a number as SQL, refusing NaN and infinities that have no literal. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot use ${value} as a SQL literal`);
  return String(value);
}
