/**
 * Helpers for violating-rows tests: the row-level rules of a plan, and the rows a
 * ViolatingRows result yields, collected into plain arrays.
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";
import type { Plan } from "../../src/engine/plan.ts";
import { compareIds, type RowRule, type ViolatingRows } from "../../src/engine/violating_rows.ts";

/** The plan's rules that have violating rows, sorted by id (as quarantine passes them). */
export function rowRulesOf(plan: Plan): RowRule[] {
  return plan.rules.flatMap(({ instance, measure, column, missingColumn }): RowRule[] => {
    if (missingColumn) return [];
    if (
      measure.kind !== "violations" && measure.kind !== "duplicates" && measure.kind !== "sql_query"
    ) {
      return [];
    }
    const reason = instance.rule.reason?.(instance.params) ?? `violates ${instance.name}`;
    return [{ id: instance.id, reason, measure, column }];
  }).sort((a, b) => compareIds(a.id, b.id));
}

/** Every row, as arrays, with the column names and Polars types. */
export async function frameRows(
  result: ViolatingRows,
): Promise<{ columns: string[]; types: string[]; rows: unknown[][] }> {
  let frame: DataFrame;
  if (result.kind === "lazy") {
    frame = result.frame.collectSync();
  } else {
    const batches: DataFrame[] = [];
    for await (const batch of result.batches) batches.push(batch);
    frame = batches.length === 0
      ? pl.DataFrame({})
      : batches.length === 1
      ? batches[0]
      : pl.concat(batches, { how: "vertical" });
  }
  return {
    columns: frame.columns,
    types: frame.dtypes.map((type) => String(type.variant)),
    rows: frame.rows(),
  };
}
