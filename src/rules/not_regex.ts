/**
 * `not_regex`: non-null values with a match of a pattern; the inverse of `regex`, with the
 * same pattern syntax and check (Rust `regex` syntax, as Polars reads it), the same
 * search (a match anywhere in the value: anchor with `^…$` for the whole value) and the
 * same text form for non-text columns (text_form.ts).
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { polarsRegexCompiles } from "./polars_regex.ts";
import { polarsText, sqlText } from "./text_form.ts";

/** Counts non-null values that contain a match of `pattern`. */
export default defineRule({
  name: "not_regex",
  scope: "column",
  params: z.strictObject({
    column: z.string().min(1),
    pattern: z.string().refine(polarsRegexCompiles, { message: "not a valid regular expression" }),
  }),
  columnTypeProblem: (_, column) => scalarValueProblem("not_regex", column),
  measure: ({ pattern }) => ({
    kind: "violations",
    polars: (column) =>
      pl.col(column.name).isNotNull().and(polarsText(column).str.contains(pattern)),
    sql: (dialect, column) =>
      `${dialect.ident(column.name)} IS NOT NULL AND ${
        dialect.regexSearch(sqlText(dialect, column), pattern)
      }`,
  }),
  reason: ({ column, pattern }) => `${column} matches ${pattern}`,
  describe: ({ column, pattern }, { failed }) =>
    failed === 0
      ? `no value of ${column} matches ${pattern}`
      : `${failed} values of ${column} match ${pattern}`,
});
