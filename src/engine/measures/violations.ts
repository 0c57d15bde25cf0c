/**
 * `violations`: the rows where a rule's predicate holds (not_null, allowed_values, regex,
 * …). Footer statistics answer it when the rule can read its count from them; otherwise
 * the predicate is summed in the single scan, or in the database statement.
 * @module
 */
import type { ViolationsMeasure } from "../../rules/define.ts";
import { valueSetsOf } from "../value_sets.ts";
import { filtersInReader } from "../scan.ts";
import { existsFlag, FIRST_ROW, type MeasureModule, type PlannedRuleOf } from "./measure_module.ts";

/** Counting and selecting the rows a predicate flags. */
export const violations: MeasureModule<ViolationsMeasure> = {
  needsColumn: true,
  rowLevel: true,
  place(measure, { stats, rowTier, column }) {
    const statsCount = stats && column ? measure.fromStats?.(stats, column) : undefined;
    return statsCount === undefined ? { tier: rowTier } : { tier: "metadata", statsCount };
  },
  // Footer statistics describe every row, not the rows a condition selects: none here.
  restrict: (measure, condition) => ({
    kind: "violations",
    polars: (column) => condition.polars().and(measure.polars(column)),
    sql: (dialect, column) => `(${condition.sql(dialect)}) AND (${measure.sql(dialect, column)})`,
    ...(measure.valueSets ? { valueSets: measure.valueSets } : {}),
  }),
  scanRequest: ({ instance, measure, column }) => ({
    key: instance.id,
    predicate: measure.polars(column!),
    column: column!.name,
    pushable: filtersInReader(column!.dtype),
    valueSets: valueSetsOf(measure, column),
  }),
  sqlItem({ measure, column }, { dialect, relation }, failFast) {
    const predicate = `(${measure.sql(dialect, column!)})`;
    const expression = failFast
      ? existsFlag(`SELECT 1 AS ${dialect.ident(FIRST_ROW)} FROM ${relation} WHERE ${predicate}`)
      : `COALESCE(SUM(CASE WHEN ${predicate} THEN 1 ELSE 0 END), 0)`;
    return Promise.resolve({ expression });
  },
  sqlFlag({ measure, column }, { access }) {
    if (!column) return Promise.resolve(undefined);
    return Promise.resolve(`CASE WHEN ${measure.sql(access.dialect, column)} THEN 1 ELSE 0 END`);
  },
  scanFlag({ measure, column }) {
    return Promise.resolve(column ? measure.polars(column) : undefined);
  },
  explain(rule) {
    if (rule.tier === "metadata") return "footer statistics";
    if (rule.tier === "sql") return "SUM(CASE WHEN … THEN 1 ELSE 0 END) in the statement";
    return polarsPredicate(rule);
  },
};

/** The Polars expression, as Polars prints it, and the value-set joins it needs. */
export function polarsPredicate({ measure, column }: PlannedRuleOf<ViolationsMeasure>): string {
  if (!column) return "";
  const joins = valueSetsOf(measure, column).map((set) =>
    ` (${set.name}: one hash join with ${set.values.length} values)`
  );
  return String(measure.polars(column)) + joins.join("");
}
