import { z } from "npm:zod@4.6.7";
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
  evaluate: ({ type }, { dtype, rows, timeZone }) =>
    typeMatches(type, dtype ?? "", timeZone) ? 0 : rows,
  describe: ({ column, type }, { failed, observed }) => {
    // `Datetime (UTC)` and `Datetime (no time zone)` say which kind of timestamp it is.
    const shown = observed.dtype === "Datetime"
      ? `Datetime (${observed.timeZone ?? "no time zone"})`
      : observed.dtype;
    return failed === 0 && typeMatches(type, observed.dtype ?? "", observed.timeZone)
      ? `${column} is ${shown}, which is ${type}`
      : `${column} is ${shown}, expected ${type}`;
  },
});
