import { z } from "npm:zod@4.6.7";
import { defineRule } from "./define.ts";

/** Fails by how many rows the dataset is short of `threshold`. */
export default defineRule({
  name: "min_rows",
  scope: "dataset",
  params: z.strictObject({ threshold: z.number().int().nonnegative() }),
  measure: () => ({ kind: "row_count" }),
  evaluate: ({ threshold }, { rows }) => Math.max(0, threshold - rows),
  describe: ({ threshold }, { failed, observed }) =>
    failed === 0
      ? `${observed.rows} rows, at least ${threshold}`
      : `${observed.rows} rows, fewer than the minimum of ${threshold}`,
});
