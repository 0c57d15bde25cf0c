/**
 * `max`: the largest non-null value of a `Date`, `Datetime` or text column (`freshness`),
 * in the encoding of `ValueBounds` (core/dataset.ts): a date as days and a timestamp as
 * microseconds since 1970-01-01 (an instant from the UTC epoch, a wall-clock time by its
 * wall time; anything finer than a microsecond cut off), text as itself, compared byte
 * for byte. It is the `aggregate` measure's `max` (aggregate.ts) on every tier:
 *
 * - metadata: the footers' exact bounds (`DatasetStats.bounds`), or their null counts
 *   when they show the column holds no value at all;
 * - scan: one aggregate of the single pass, which keeps the column's non-null rows;
 * - sql: `MAX(col)` in the statement, turned into microseconds by the dialect
 *   (`epochMicros`) so no driver rounds it to a JS Date's milliseconds.
 *
 * A rule's `when:` limits it to the rows where the condition holds (never the footers).
 * Not row-level: nothing to quarantine.
 * @module
 */
import type { AggregateMeasure, MaxMeasure } from "../../rules/define.ts";
import { aggregate } from "./aggregate.ts";
import type { MeasureModule, PlannedRuleOf } from "./measure_module.ts";

/** The same value as an `aggregate` measure. */
function asAggregate({ column, where }: MaxMeasure): AggregateMeasure {
  return { kind: "aggregate", column, stat: "max", ...(where ? { where } : {}) };
}

function asAggregateRule(rule: PlannedRuleOf<MaxMeasure>): PlannedRuleOf<AggregateMeasure> {
  return { ...rule, measure: asAggregate(rule.measure) };
}

/** Measuring a column's largest value. */
export const max: MeasureModule<MaxMeasure> = {
  needsColumn: true,
  rowLevel: false,
  place: (measure, context) => aggregate.place(asAggregate(measure), context),
  restrict: (measure, condition) => ({ ...measure, where: condition }),
  scanRequest: (rule) => aggregate.scanRequest!(asAggregateRule(rule)),
  // From the footers when they answered it, else as measured.
  observe: ({ instance, statsValue }, { values }) => ({
    max: statsValue !== undefined ? statsValue : values.get(instance.id) ?? null,
  }),
  sqlItem: (rule, access, failFast) => aggregate.sqlItem(asAggregateRule(rule), access, failFast),
  sqlFlag: () => Promise.resolve(undefined),
  scanFlag: () => Promise.resolve(undefined),
  explain: (rule) => aggregate.explain(asAggregateRule(rule)),
};
