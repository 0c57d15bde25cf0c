/**
 * `disallowed_values`: non-null values in a list; the inverse of `allowed_values`, read
 * the same way. The list is read against the column's type once (`literals.ts`: `[20,
 * "30"]` on an integer column means 20 and 30; a value the column can never hold is left
 * out), for the scan and SQL tiers alike, and its cost grows linearly with its length: in
 * the scan a long list is one anchored alternation (text) or one hash join (other types,
 * see engine/value_sets.ts); in SQL, `IN` lists of constants (`sql_values.ts`).
 * @module
 */
import pl from "nodejs-polars";
import { z } from "zod";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { polarsMembershipByType } from "./literals.ts";
import { sqlInList } from "./sql_values.ts";

const Value = z.union([z.string(), z.number(), z.boolean()]);

/** Counts non-null values that are in `values`. */
export default defineRule({
  name: "disallowed_values",
  scope: "column",
  params: z.strictObject({ column: z.string().min(1), values: z.array(Value) }),
  columnTypeProblem: (_, column) => scalarValueProblem("disallowed_values", column),
  measure: ({ column, values }) => {
    const membership = polarsMembershipByType(column, values);
    return {
      kind: "violations",
      polars: (info) => {
        const { member } = membership(info);
        // No listed value can equal a value of the column: no row is in the list.
        return pl.col(column).isNotNull().and(member ?? pl.lit(false));
      },
      valueSets: (info) => membership(info).sets,
      sql: (dialect, info) => {
        const column_ = dialect.ident(column);
        const listed = sqlInList(dialect, column_, values, info.dtype);
        return `${column_} IS NOT NULL AND ${listed === undefined ? "1 = 0" : `(${listed})`}`;
      },
    };
  },
  reason: ({ column }) => `${column} is in the disallowed list`,
  describe: ({ column }, { failed }) =>
    failed === 0
      ? `${column} holds no disallowed value`
      : `${failed} values of ${column} are in the disallowed list`,
});
