/**
 * The one measure behind `allowed_values` and `disallowed_values`: non-null values that
 * are (or are not) in a list read against the column's type (literals.ts). In the scan,
 * a chain of `==`, one anchored regex or a joined value set; in SQL, `IN` lists.
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import type { ListedValue } from "../core/dtypes.ts";
import type { ViolationsMeasure } from "./define.ts";
import { polarsMembershipByType } from "./literals.ts";
import { sqlInList } from "./sql_values.ts";

/** A list of values as a Kontract writes it. */
export const ListedValues = z.array(z.union([z.string(), z.number(), z.boolean()]));

/** Which values of the column violate: those in the list, or those not in it. */
export type Violating = "listed" | "unlisted";

/** Counts non-null values of `column` that are `violating` with respect to `values`. */
export function listMembership(
  column: string,
  values: readonly ListedValue[],
  violating: Violating,
): ViolationsMeasure {
  const membership = polarsMembershipByType(column, values);
  // `member` and the SQL list are undefined when no listed value can equal a value of
  // the column: no row is in the list then.
  return {
    kind: "violations",
    polars: (info) => {
      const { member } = membership(info);
      const present = pl.col(column).isNotNull();
      if (violating === "listed") return present.and(member ?? pl.lit(false));
      return member === undefined ? present : present.and(member.not());
    },
    valueSets: (info) => membership(info).sets,
    sql: (dialect, info) => {
      const name = dialect.ident(column);
      const listed = sqlInList(dialect, name, values, info.dtype);
      if (violating === "listed") {
        return `${name} IS NOT NULL AND ${listed === undefined ? "1 = 0" : `(${listed})`}`;
      }
      return listed === undefined
        ? `${name} IS NOT NULL`
        : `${name} IS NOT NULL AND NOT (${listed})`;
    },
  };
}
