/**
 * `regex`: non-null values with no match of a pattern. Text columns are matched as they
 * are; other scalar columns by their text form (Polars' cast to String, the database's
 * cast to text), so `^\d+$` works on a CSV column of digits inferred as integers.
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { isTextType, scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { polarsRegexCompiles } from "./polars_regex.ts";

/** Counts non-null values with no match of `pattern` (search, not full match). */
export default defineRule({
  name: "regex",
  scope: "column",
  params: z.strictObject({
    column: z.string().min(1),
    pattern: z.string().refine(polarsRegexCompiles, { message: "not a valid regular expression" }),
  }),
  columnTypeProblem: (_, column) => scalarValueProblem("regex", column),
  measure: ({ column, pattern }) => ({
    kind: "violations",
    polars: (info) => {
      const text = isTextType(info.dtype) ? pl.col(column) : pl.col(column).cast(pl.Utf8);
      return pl.col(column).isNotNull().and(text.str.contains(pattern).not());
    },
    sql: (dialect, info) => {
      const column_ = dialect.ident(column);
      const text = isTextType(info.dtype) ? column_ : dialect.castText(column_);
      return `${column_} IS NOT NULL AND NOT (${dialect.regexSearch(text, pattern)})`;
    },
  }),
  reason: ({ column, pattern }) => `${column} does not match ${pattern}`,
  describe: ({ column, pattern }, { failed }) =>
    failed === 0
      ? `${column} values all match ${pattern}`
      : `${failed} values of ${column} do not match ${pattern}`,
});
