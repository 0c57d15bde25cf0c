/**
 * The Snowflake dialect. Snowflake string literals take backslash escapes, so every
 * backslash is doubled. Its REGEXP_LIKE / RLIKE match the whole string; Kontra's `regex`
 * searches, so it uses REGEXP_INSTR(…) > 0 (a match anywhere).
 * @module
 */
import { snowflakeGuard } from "./guard.ts";
import {
  ANSI_COMPARISONS,
  type Dialect,
  numberLiteral,
  quoteWith,
  type SqlValue,
} from "../../sql/dialect.ts";

/** Snowflake quoting and functions. */
export const snowflakeDialect: Dialect = {
  name: "snowflake",
  guard: snowflakeGuard,
  ident: (name) => quoteWith(name, '"'),
  literal(value: SqlValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") return numberLiteral(value);
    // A NUL character travels as the \x00 escape rather than raw in the statement text.
    return quoteWith(value.replaceAll("\\", "\\\\").replaceAll("\0", "\\x00"), "'");
  },
  regexSearch: (expression, pattern) =>
    `(REGEXP_INSTR(${expression}, ${snowflakeDialect.literal(pattern)}) > 0)`,
  castText: (expression) => `CAST(${expression} AS VARCHAR)`,
  ...ANSI_COMPARISONS,
};
