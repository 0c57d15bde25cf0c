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
  // Untyped, the literal takes the column's type: TIMESTAMP_TZ/LTZ read the offset,
  // TIMESTAMP_NTZ ignores it (DuckDB, under the test server, does the same).
  temporalLiteral: (text, dtype) =>
    dtype === "Date"
      ? `DATE ${snowflakeDialect.literal(text)}`
      : snowflakeDialect.literal(`${text}+00:00`),
  // The epoch typed like the column, so no session time zone converts either side: an
  // instant (TIMESTAMP_TZ/LTZ) from the UTC epoch, a TIMESTAMP_NTZ or DATE by wall time.
  epochMicros: (expression, { dtype, timeZone }) =>
    timeZone !== undefined && dtype === "Datetime"
      ? `DATEDIFF('microsecond', CAST('1970-01-01 00:00:00+00:00' AS TIMESTAMP_TZ), ${expression})`
      : `DATEDIFF('microsecond', CAST('1970-01-01 00:00:00' AS TIMESTAMP_NTZ), CAST(${expression} AS TIMESTAMP_NTZ))`,
  // LENGTH counts characters in Snowflake (and in DuckDB, under the test server).
  charLength: (expression) => `LENGTH(${expression})`,
  // Snowflake's LIKE has no escape character unless one is named.
  like: (expression, pattern) =>
    `(${expression} LIKE ${pattern} ESCAPE ${snowflakeDialect.literal("\\")})`,
  ...ANSI_COMPARISONS,
  median: (expression) => `MEDIAN(${expression})`,
};
