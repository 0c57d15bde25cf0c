/**
 * `unique`: values of one column (`column`), or tuples of several columns checked
 * together (`columns`, two or more), that occur more than once. Counts the rows beyond
 * the first of each repeated value or tuple; NULLs are ignored, and so is a tuple
 * holding a NULL in any of its columns. A compound rule's id names every column
 * (`COL:user_id,email:unique`); its result's `column` is the first one, its message
 * names them all.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { defineRule } from "./define.ts";

/** `unique`'s params: exactly one of `column` and `columns`. */
export interface UniqueParams extends Record<string, unknown> {
  column?: string;
  columns?: string[];
}

const params = z.strictObject({
  column: z.string().min(1).optional(),
  columns: z.array(z.string().min(1))
    .min(2, "columns needs two or more columns; use column: for one")
    .refine((names) => new Set(names).size === names.length, "columns must all differ")
    .optional(),
}).superRefine(({ column, columns }, context) => {
  if (column !== undefined && columns !== undefined) {
    context.addIssue({
      code: "custom",
      path: ["columns"],
      message: "give column: or columns:, not both",
    });
  } else if (column === undefined && columns === undefined) {
    context.addIssue({
      code: "custom",
      path: ["column"],
      message: "required (or columns: for two or more columns)",
    });
  }
});

/** The columns checked, as messages name them: `email` or `(user_id, email)`. */
function checked({ column, columns }: UniqueParams): string {
  return columns ? `(${columns.join(", ")})` : column!;
}

/** Counts non-null values (or all-non-null tuples) beyond the first of each distinct one. */
export default defineRule<UniqueParams>({
  name: "unique",
  scope: "column",
  params: params as z.ZodType<UniqueParams>,
  columnOf: ({ column, columns }) => columns?.[0] ?? column!,
  otherColumns: ({ columns }) => columns?.slice(1) ?? [],
  columnsLabel: ({ column, columns }) => columns?.join(",") ?? column!,
  measure: ({ columns }) => (columns ? { kind: "duplicates", columns } : { kind: "duplicates" }),
  reason: (params) =>
    params.columns
      ? `${checked(params)} tuple occurs more than once`
      : `${params.column} value occurs more than once`,
  describe: (params, { failed }) =>
    params.columns
      ? (failed === 0
        ? `${checked(params)} tuples are unique`
        : `${failed} duplicate ${checked(params)} tuples`)
      : (failed === 0
        ? `${params.column} values are unique`
        : `${failed} duplicate values in ${params.column}`),
});
