/**
 * `disallowed_values`: non-null values in a list; the inverse of `allowed_values`, read
 * the same way. The list is read against the column's type once (`literals.ts`: `[20,
 * "30"]` on an integer column means 20 and 30; a value the column can never hold is left
 * out), for the scan and SQL tiers alike, and its cost grows linearly with its length: in
 * the scan a long list is one anchored alternation (text) or one hash join (other types,
 * see engine/value_sets.ts); in SQL, `IN` lists of constants (`sql_values.ts`).
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { ListedValues, listMembership } from "./list_membership.ts";

/** Counts non-null values that are in `values`. */
export default defineRule({
  name: "disallowed_values",
  scope: "column",
  params: z.strictObject({ column: z.string().min(1), values: ListedValues }),
  columnTypeProblem: (_, column) => scalarValueProblem("disallowed_values", column),
  measure: ({ column, values }) => listMembership(column, values, "listed"),
  reason: ({ column }) => `${column} is in the disallowed list`,
  describe: ({ column }, { failed }) =>
    failed === 0
      ? `${column} holds no disallowed value`
      : `${failed} values of ${column} are in the disallowed list`,
});
