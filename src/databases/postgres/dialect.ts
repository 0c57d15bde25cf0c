/**
 * The PostgreSQL dialect. Strings are rendered as `E'…'` literals with every backslash
 * doubled, so they mean the same whatever `standard_conforming_strings` says; NUL
 * characters, which PostgreSQL text cannot hold, are refused.
 * @module
 */
import { KontractError } from "../../core/errors.ts";
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
  ...ANSI_COMPARISONS,
};
