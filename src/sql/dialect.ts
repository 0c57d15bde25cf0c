/**
 * What a SQL engine must tell Kontra to render rules for it. One implementation per
 * file in this folder; the engine never switches on the database's name.
 * @module
 */
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
}

/** Doubles every `quote` inside `text` and wraps it: the ANSI way to quote. */
export function quoteWith(text: string, quote: string): string {
  return quote + text.replaceAll(quote, quote + quote) + quote;
}

/** Renders a number as SQL, refusing NaN and infinities that have no literal. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot use ${value} as a SQL literal`);
  return String(value);
}
