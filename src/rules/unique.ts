import { z } from "zod";
import { defineRule } from "./define.ts";

/** Counts non-null values beyond the first of each distinct value. NULLs are ignored. */
export default defineRule({
  name: "unique",
  scope: "column",
  params: z.strictObject({ column: z.string().min(1) }),
  measure: () => ({ kind: "duplicates" }),
  reason: ({ column }) => `${column} value occurs more than once`,
  describe: ({ column }, { failed }) =>
    failed === 0 ? `${column} values are unique` : `${failed} duplicate values in ${column}`,
});
