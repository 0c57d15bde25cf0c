import { z } from "zod";
import { defineRule } from "./define.ts";
import { isTypeName, TYPE_NAMES, typeMatches } from "./type_families.ts";

/** Checks the column's type against a family (int, string, …) or an exact type (int64). */
export default defineRule({
  name: "dtype",
  scope: "column",
  params: z.strictObject({
    column: z.string().min(1),
    type: z.string().refine(isTypeName, {
      message: `unknown type; expected one of ${TYPE_NAMES.join(", ")}`,
    }),
  }),
  measure: () => ({ kind: "column_type" }),
  evaluate: ({ type }, { dtype, rows }) => typeMatches(type, dtype ?? "") ? 0 : rows,
  describe: ({ column, type }, { failed, observed }) =>
    failed === 0 && typeMatches(type, observed.dtype ?? "")
      ? `${column} is ${observed.dtype}, which is ${type}`
      : `${column} is ${observed.dtype}, expected ${type}`,
});
