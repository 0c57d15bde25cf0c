/**
 * `allowed_values`: non-null values outside a list. NULLs are `not_null`'s business.
 *
 * The list is read against the column's type once (`literals.ts`), for the scan and SQL
 * tiers alike. Its cost grows linearly, never with the square of the list: in the scan a
 * long list is one anchored alternation (text) or one hash join (other types, see
 * engine/value_sets.ts); in SQL, `IN` lists of constants (`sql_values.ts`).
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { ListedValues, listMembership } from "./list_membership.ts";

export default defineRule({
  name: "allowed_values",
  scope: "column",
  params: z.strictObject({ column: z.string().min(1), values: ListedValues }),
  columnTypeProblem: (_, column) => scalarValueProblem("allowed_values", column),
  measure: ({ column, values }) => listMembership(column, values, "unlisted"),
  reason: ({ column }) => `${column} is not in the allowed list`,
  describe: ({ column }, { failed }) =>
    failed === 0
      ? `${column} values are all allowed`
      : `${failed} values of ${column} are not in the allowed list`,
});
