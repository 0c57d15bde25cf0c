/**
 * `like`: non-null values that do not match an SQL LIKE pattern as a whole: `%` any run
 * of characters, `_` one character (a Unicode code point), `\` before `%`, `_` or `\`
 * makes it plain (before any other character it changes nothing). Always case-sensitive,
 * and exact on every tier (MySQL's default collations, which fold case, do not apply).
 * Polars compares as text or matches an anchored regex written from the same pattern
 * (like_pattern.ts).
 * Non-text columns by their text form (text_form.ts).
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { likePatternProblem, parseLike, polarsLike, sqlLikePattern } from "./like_pattern.ts";
import { polarsText, sqlText } from "./text_form.ts";

/** Counts non-null values that do not match the LIKE `pattern`. */
export default defineRule({
  name: "like",
  scope: "column",
  params: z.strictObject({
    column: z.string().min(1),
    pattern: z.string().superRefine((pattern, context) => {
      const problem = likePatternProblem(pattern);
      if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
    }),
  }),
  columnTypeProblem: (_, column) => scalarValueProblem("like", column),
  measure: ({ pattern }) => {
    const pieces = parseLike(pattern);
    return {
      kind: "violations",
      polars: (column) =>
        pl.col(column.name).isNotNull()
          .and(polarsLike(polarsText(column), pieces).not()),
      sql: (dialect, column) => {
        const matches = dialect.like(
          sqlText(dialect, column),
          dialect.literal(sqlLikePattern(pieces)),
        );
        return `${dialect.ident(column.name)} IS NOT NULL AND NOT ${matches}`;
      },
    };
  },
  reason: ({ column, pattern }) => `${column} is not like ${JSON.stringify(pattern)}`,
  describe: ({ column, pattern }, { failed }) =>
    failed === 0
      ? `${column} values are all like ${JSON.stringify(pattern)}`
      : `${failed} values of ${column} are not like ${JSON.stringify(pattern)}`,
});
