/**
 * `not_null`: NULL values, and values listed in `treat_as_null` (`["", "N/A"]`, like Soda's
 * `missing_values`), which count as missing too.
 *
 * The listed values are read against the column's type exactly as `allowed_values` reads
 * its list (`coerceLiteral`, core/dtypes.ts): text compares byte for byte, `"-1"` on an
 * integer column is -1, `"nan"` on a float column is NaN. A value the column's type can
 * never hold (`"N/A"` on an integer column) matches nothing and is ignored, so one list
 * serves every column. Dates and other types compare by their text form, as written.
 *
 * Footer statistics (NULL counts) answer only without `treat_as_null`: they count no
 * values.
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import type { ListedValue } from "../core/dtypes.ts";
import { printable } from "../core/printable.ts";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule } from "./define.ts";
import { polarsMembershipByType } from "./literals.ts";
import { sqlInList } from "./sql_values.ts";

const Value = z.union([z.string(), z.number(), z.boolean()]);

/** Counts NULL values, and the values `treat_as_null` lists. */
export default defineRule({
  name: "not_null",
  scope: "column",
  params: z.strictObject({
    column: z.string().min(1),
    treat_as_null: z.array(Value).optional(),
  }),
  columnTypeProblem: ({ treat_as_null }, column) =>
    listed(treat_as_null) ? scalarValueProblem("not_null with treat_as_null", column) : undefined,
  measure: ({ column, treat_as_null }) => {
    if (!listed(treat_as_null)) {
      return {
        kind: "violations",
        polars: () => pl.col(column).isNull(),
        sql: (dialect) => `${dialect.ident(column)} IS NULL`,
        fromStats: (stats) => stats.nullCount(column),
      };
    }
    const membership = polarsMembershipByType(column, treat_as_null);
    return {
      kind: "violations",
      polars: (info) => {
        const { member } = membership(info);
        const missing = pl.col(column).isNull();
        // `member` is NULL on NULL rows: `or` with true keeps them counted.
        return member === undefined ? missing : missing.or(member.fillNull(false));
      },
      valueSets: (info) => membership(info).sets,
      sql: (dialect, info) => {
        const name = dialect.ident(column);
        const listedSql = sqlInList(dialect, name, treat_as_null, info.dtype);
        return listedSql === undefined ? `${name} IS NULL` : `${name} IS NULL OR (${listedSql})`;
      },
    };
  },
  reason: ({ column, treat_as_null }) =>
    listed(treat_as_null) ? `${column} is NULL or treated as NULL` : `${column} is NULL`,
  describe: ({ column, treat_as_null }, { failed }) => {
    if (!listed(treat_as_null)) {
      return failed === 0 ? `${column} has no NULL values` : `${failed} NULL values in ${column}`;
    }
    const values = printable(JSON.stringify(treat_as_null));
    return failed === 0
      ? `${column} has no NULL values, nor any of ${values}`
      : `${failed} values of ${column} are NULL or one of ${values}`;
  },
});

function listed(values: ListedValue[] | undefined): values is ListedValue[] {
  return values !== undefined && values.length > 0;
}
