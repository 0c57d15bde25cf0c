/**
 * The PostgreSQL dialect. Strings are rendered as `E'…'` literals with every backslash
 * doubled, so they mean the same whatever `standard_conforming_strings` says; NUL
 * characters, which PostgreSQL text cannot hold, are refused.
 * @module
 */
import { KontractError } from "../../core/errors.ts";
import { isStoredText } from "../../core/dtypes.ts";
import { postgresGuard } from "./guard.ts";
import {
  ANSI_COMPARISONS,
  type Dialect,
  numberLiteral,
  quoteWith,
  type SqlValue,
} from "../../sql/dialect.ts";

function noNul(text: string, what: string): string {
  if (text.includes("\0")) {
    throw new KontractError(`PostgreSQL cannot hold a NUL character in ${what}`);
  }
  return text;
}

/** PostgreSQL quoting and functions. */
export const postgresDialect: Dialect = {
  name: "postgres",
  guard: postgresGuard,
  ident: (name) => quoteWith(noNul(name, "an identifier"), '"'),
  literal(value: SqlValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") return numberLiteral(value);
    return `E${quoteWith(noNul(value, "a string").replaceAll("\\", "\\\\"), "'")}`;
  },
  regexSearch: (expression, pattern) => `(${expression} ~ ${postgresDialect.literal(pattern)})`,
  castText: (expression) => `CAST(${expression} AS text)`,
  // An untyped literal takes the column's type: with `+00` it is that UTC instant for a
  // timestamptz column, and a timestamp column ignores the offset (its wall time).
  temporalLiteral: (text, dtype) =>
    dtype === "Date"
      ? `DATE ${postgresDialect.literal(text)}`
      : postgresDialect.literal(`${text}+00`),
  // EXTRACT(EPOCH …) is exact numeric (PostgreSQL 14+): seconds from the UTC epoch for a
  // timestamptz, the nominal wall-clock seconds for a timestamp or date.
  epochMicros: (expression) => `(EXTRACT(EPOCH FROM ${expression}) * 1000000)`,
  charLength: (expression) => `char_length(${expression})`,
  like: (expression, pattern) =>
    `(${expression} LIKE ${pattern} ESCAPE ${postgresDialect.literal("\\")})`,
  ...ANSI_COMPARISONS,
  // Equality under a deterministic collation is already byte for byte, but `<` and `>`
  // follow the collation's order (and a nondeterministic one folds case): "C" orders
  // text by its bytes, as Polars does.
  exact: (expression, dtype) => isStoredText(dtype) ? `(${expression}) COLLATE "C"` : expression,
  median: (expression) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression})`,
};
