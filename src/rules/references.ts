/**
 * `references`: referential integrity. Counts the non-null values of `column` that equal
 * no value of `to.column` in the dataset `to.datasource` (another file, directory, glob
 * or S3 URL; on a database, a table of the same database). NULLs in the reference match
 * nothing. Text compares byte for byte; the two columns must be of one type family
 * (checked by the engine when it resolves the reference, before any row is read).
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { defineRule } from "./define.ts";

/** `references`' params. */
export interface ReferencesParams extends Record<string, unknown> {
  column: string;
  to: { datasource: string; column: string };
}

const params = z.strictObject({
  column: z.string().min(1),
  to: z.strictObject({
    datasource: z.string().trim().min(1),
    column: z.string().min(1),
  }),
});

/** Counts non-null values with no equal value in the reference column. */
export default defineRule<ReferencesParams>({
  name: "references",
  scope: "column",
  params: params as z.ZodType<ReferencesParams>,
  measure: ({ to }) => ({ kind: "references", to: { ...to } }),
  reason: ({ column, to }) => `${column} value not found in ${to.column} of ${to.datasource}`,
  describe: ({ column, to }, { failed }) =>
    failed === 0
      ? `every ${column} value is in ${to.column} of ${to.datasource}`
      : `${failed} ${column} values not found in ${to.column} of ${to.datasource}`,
});
