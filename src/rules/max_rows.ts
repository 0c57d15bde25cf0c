import { z } from "npm:zod@4.6.7";
import { defineRule } from "./define.ts";

/** Fails by how many rows the dataset exceeds `threshold`. */
export default defineRule({
  name: "max_rows",
  scope: "dataset",
  params: z.strictObject({ threshold: z.number().int().nonnegative() }),
  measure: () => ({ kind: "row_count" }),
  evaluate: ({ threshold }, { rows }) => Math.max(0, rows - threshold),
  describe: ({ threshold }, { failed, observed }) =>
    failed === 0
      ? `${observed.rows} rows, at most ${threshold}`
      : `${observed.rows} rows, more than the maximum of ${threshold}`,
});
