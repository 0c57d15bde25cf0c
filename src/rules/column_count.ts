/**
 * `column_count` (a dataset rule, id `DATASET:column_count`): the number of columns must
 * lie within `[min, max]`; failed_count is how far outside it is. A dataset of many files
 * counts every column any file has (those that drifted too). No row is read.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import type { Schema } from "../core/dataset.ts";
import { defineRule } from "./define.ts";

const Count = z.number().int({ error: "must be a whole number" }).min(0, {
  error: "must be 0 or more",
});

/** Counts columns outside `[min, max]`. */
export default defineRule({
  name: "column_count",
  scope: "dataset",
  params: z.strictObject({ min: Count.optional(), max: Count.optional() }).superRefine(
    ({ min, max }, context) => {
      if (min === undefined && max === undefined) {
        context.addIssue({ code: "custom", message: "needs min, max or both" });
      } else if (min !== undefined && max !== undefined && min > max) {
        context.addIssue({ code: "custom", message: `min (${min}) is greater than max (${max})` });
      }
    },
  ),
  measure: () => ({ kind: "schema" }),
  evaluate: ({ min, max }, { schema }) => {
    const count = columnCount(schema!);
    if (min !== undefined && count < min) return min - count;
    return max !== undefined && count > max ? count - max : 0;
  },
  describe: ({ min, max }, { failed, observed }) => {
    const count = columnCount(observed.schema!);
    const bounds = min !== undefined && max !== undefined
      ? `${min} to ${max}`
      : min !== undefined
      ? `at least ${min}`
      : `at most ${max}`;
    return `${count} columns, ${failed === 0 ? "" : "expected "}${bounds}`;
  },
});

/** Columns in the dataset: every file's, drifted ones included. */
function columnCount(schema: Schema): number {
  return schema.columns.length + (schema.drift?.length ?? 0);
}
