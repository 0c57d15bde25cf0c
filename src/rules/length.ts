/**
 * `length`: non-null values whose length in characters is outside `[min, max]`. A
 * character is a Unicode code point (`ü` is one, `日本` two, `é` written as `e` plus a
 * combining accent two), never a byte: Polars' `str.lengths`, PostgreSQL's `char_length`,
 * MySQL's `CHAR_LENGTH`, Snowflake's `LENGTH`. Non-text columns by their text form
 * (text_form.ts).
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { polarsText, sqlText } from "./text_form.ts";

const Characters = z.number({ error: "must be a number of characters" })
  .int({ error: "must be a whole number of characters" })
  .min(0, { error: "must be 0 or more" })
  .max(Number.MAX_SAFE_INTEGER, { error: "is too large" });

const Params = z.strictObject({
  column: z.string().min(1),
  min: Characters.optional(),
  max: Characters.optional(),
}).superRefine(({ min, max }, context) => {
  if (min === undefined && max === undefined) {
    context.addIssue({ code: "custom", message: "needs min, max or both" });
  } else if (min !== undefined && max !== undefined && min > max) {
    context.addIssue({ code: "custom", message: `min (${min}) is greater than max (${max})` });
  }
});

/** Counts non-null values shorter than `min` or longer than `max` characters. */
export default defineRule({
  name: "length",
  scope: "column",
  params: Params,
  columnTypeProblem: (_, column) => scalarValueProblem("length", column),
  measure: ({ min, max }) => ({
    kind: "violations",
    polars: (column) => {
      // u32 lengths against Float64 literals: exact, as min and max are safe integers.
      const length = polarsText(column).str.lengths();
      const outOfBounds = [
        ...(min === undefined ? [] : [length.lt(pl.lit(min))]),
        ...(max === undefined ? [] : [length.gt(pl.lit(max))]),
      ].reduce((either, next) => either.or(next));
      return pl.col(column.name).isNotNull().and(outOfBounds);
    },
    sql: (dialect, column) => {
      const length = dialect.charLength(sqlText(dialect, column));
      const outOfBounds = [
        ...(min === undefined ? [] : [`${length} < ${dialect.literal(min)}`]),
        ...(max === undefined ? [] : [`${length} > ${dialect.literal(max)}`]),
      ].join(" OR ");
      return `${dialect.ident(column.name)} IS NOT NULL AND (${outOfBounds})`;
    },
  }),
  reason: (params) => `${params.column} is ${outside(params)}`,
  describe: (params, { failed }) =>
    failed === 0
      ? `${params.column} values are all ${within(params)}`
      : `${failed} values of ${params.column} are ${outside(params)}`,
});

/** `3 to 10 characters long`, `at least 3 characters long`, `at most 10 characters long`. */
function within({ min, max }: { min?: number; max?: number }): string {
  if (min !== undefined && max !== undefined) {
    return min === max ? `exactly ${plural(min)} long` : `${min} to ${plural(max)} long`;
  }
  return min !== undefined ? `at least ${plural(min)} long` : `at most ${plural(max!)} long`;
}

/** `not 3 to 10 characters long`, `shorter than 3 characters`, `longer than 10 characters`. */
function outside({ min, max }: { min?: number; max?: number }): string {
  if (min !== undefined && max !== undefined) return `not ${within({ min, max })}`;
  return min !== undefined ? `shorter than ${plural(min)}` : `longer than ${plural(max!)}`;
}

function plural(count: number): string {
  return `${count} character${count === 1 ? "" : "s"}`;
}
