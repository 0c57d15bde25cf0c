/**
 * The DuckDB dialect: `custom_sql_check` over local files runs in DuckDB.
 * @module
 */
import { duckdbGuard } from "./guards/duckdb.ts";
import {
  ANSI_COMPARISONS,
  type Dialect,
  numberLiteral,
  quoteWith,
  type SqlValue,
} from "./dialect.ts";

/** DuckDB quoting and functions. */
export const duckdb: Dialect = {
  name: "duckdb",
  guard: duckdbGuard,
  ident: (name) => quoteWith(name, '"'),
  literal(value: SqlValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") return numberLiteral(value);
    return quoteWith(value, "'");
  },
  regexSearch: (expression, pattern) => `regexp_matches(${expression}, ${duckdb.literal(pattern)})`,
  castText: (expression) => `CAST(${expression} AS VARCHAR)`,
  // Untyped, the literal takes the column's type: TIMESTAMPTZ reads the offset, TIMESTAMP
  // ignores it.
  temporalLiteral: (text, dtype) =>
    dtype === "Date" ? `DATE ${duckdb.literal(text)}` : duckdb.literal(`${text}+00`),
  // epoch_us counts a TIMESTAMPTZ from the UTC epoch and a TIMESTAMP or DATE by its wall time.
  epochMicros: (expression) => `epoch_us(${expression})`,
  charLength: (expression) => `length(${expression})`,
  like: (expression, pattern) => `(${expression} LIKE ${pattern} ESCAPE ${duckdb.literal("\\")})`,
  ...ANSI_COMPARISONS,
};
