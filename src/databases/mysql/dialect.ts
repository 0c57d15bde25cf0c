/**
 * The MySQL/MariaDB dialect. It relies on the session Kontra's client sets up
 * (client.ts: `sql_mode` with NO_BACKSLASH_ESCAPES and without ANSI_QUOTES or
 * PIPES_AS_CONCAT), under which a string literal is `'…'` with only `'` doubled and every
 * other character, backslashes and NUL included, stands for itself.
 *
 * Text comparisons: MySQL's default collations fold case and ignore trailing spaces
 * (`'a' = 'A' = 'a  '`), even the `_bin` ones ignore trailing spaces; Polars compares
 * bytes. So `exact` compares text as binary strings of its UTF-8 bytes, and `regexSearch`
 * turns case folding off in the pattern (`(?-i)`), since REGEXP follows the operand's
 * collation; the pattern stays a text match, so `.` and `\p{Han}` see characters, not
 * bytes (MariaDB's PCRE2 and MySQL's ICU both read Unicode classes).
 * @module
 */
import { KontractError } from "../../core/errors.ts";
import { type Dialect, numberLiteral, quoteWith, type SqlValue } from "../../sql/dialect.ts";
import { mysqlGuard } from "./guard.ts";

/** Polars types whose values compare as text, so need byte-exact comparison. */
const TEXT_TYPES = new Set(["String", "Utf8"]);

/**
 * The texts `literal` renders for NaN and the infinities (sql_values.ts casts them): MySQL's
 * DOUBLE holds neither, and CAST would read them as 0 (with a warning).
 */
const NON_FINITE_TEXTS = new Set(["'NaN'", "'inf'", "'-inf'"]);

/** MySQL/MariaDB quoting and functions. */
export const mysqlDialect: Dialect = {
  name: "mysql",
  guard: mysqlGuard,
  ident(name) {
    // MySQL names cannot hold NUL; everything else is safe between doubled backticks.
    if (name.includes("\0")) {
      throw new KontractError("MySQL cannot hold a NUL character in an identifier");
    }
    return quoteWith(name, "`");
  },
  literal(value: SqlValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") return numberLiteral(value);
    // NO_BACKSLASH_ESCAPES: only the quote is special.
    return quoteWith(value, "'");
  },
  regexSearch: (expression, pattern) =>
    `(${expression} REGEXP ${mysqlDialect.literal(`(?-i)${pattern}`)})`,
  castText: (expression) => `CAST(${expression} AS CHAR)`,
  // The session's time zone is UTC (session.ts): a TIMESTAMP column reads as UTC, and
  // neither MySQL nor MariaDB takes an offset in a DATETIME literal.
  temporalLiteral: (text, dtype) =>
    `CAST(${mysqlDialect.literal(text)} AS ${dtype === "Date" ? "DATE" : "DATETIME(6)"})`,
  // A TIMESTAMP column reads in the session's zone, UTC (session.ts): its wall time then
  // counts from the UTC epoch, as a DATETIME's or DATE's counts from that wall time.
  epochMicros: (expression) =>
    `TIMESTAMPDIFF(MICROSECOND, ${mysqlDialect.literal("1970-01-01 00:00:00")}, ${expression})`,
  charLength: (expression) => `CHAR_LENGTH(${expression})`,
  // LIKE follows the operand's collation: utf8mb4_bin compares characters by code point
  // (case-sensitive; `_` is one character, where a BINARY operand would make it a byte),
  // and LIKE never pads trailing spaces.
  like: (expression, pattern) =>
    `(CONVERT(${expression} USING utf8mb4) COLLATE utf8mb4_bin LIKE ${pattern} ESCAPE ${
      mysqlDialect.literal("\\")
    })`,
  castDouble: (expression) =>
    // No value of a DOUBLE equals NaN or an infinity: NULL equals nothing.
    NON_FINITE_TEXTS.has(expression) ? "NULL" : `CAST(${expression} AS DOUBLE)`,
  exact: (expression, dtype) =>
    TEXT_TYPES.has(dtype) ? `CAST(CONVERT(${expression} USING utf8mb4) AS BINARY)` : expression,
  nullSafeEquals: (left, right) => `(${left} <=> ${right})`,
};
