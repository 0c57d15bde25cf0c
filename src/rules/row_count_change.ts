/**
 * `row_count_change` (a dataset rule, id `DATASET:row_count_change`): the row count
 * against the previous run's (`--baseline result.json`; `validate(…, { baseline })`).
 * failed_count is 1 when the rows fell by more than `max_decrease_ratio` of the previous
 * count or grew by more than `max_increase_ratio` of it, else 0. Growth from 0 rows is
 * infinite. With no previous run there is nothing to compare: the rule passes and says so.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { defineRule, type Observation } from "./define.ts";

const Ratio = z.number().min(0, { error: "must be 0 or more" });

const Params = z.strictObject({
  max_decrease_ratio: Ratio.max(1, { error: "cannot be above 1 (all rows gone)" }).optional(),
  max_increase_ratio: Ratio.optional(),
}).refine(
  ({ max_decrease_ratio, max_increase_ratio }) =>
    max_decrease_ratio !== undefined || max_increase_ratio !== undefined,
  { message: "needs max_decrease_ratio, max_increase_ratio or both" },
);

type Params = z.infer<typeof Params>;

/** Fails when the row count moved more than allowed since the previous run. */
export default defineRule({
  name: "row_count_change",
  scope: "dataset",
  params: Params,
  measure: () => ({ kind: "row_count" }),
  evaluate: (params, observed) => excess(params, observed) === undefined ? 0 : 1,
  describe: (params, { observed }) => {
    const { previous, count } = observed;
    if (previous === undefined) {
      return `${count} rows; no previous run to compare with (pass --baseline result.json)`;
    }
    const change = changeRatio(previous.rows, count);
    const moved = `${count} rows, ${previous.rows} in the previous run (${percent(change)})`;
    const over = excess(params, observed);
    return over === undefined ? moved : `${moved}: more than the allowed ${over}`;
  },
});

/** The allowed change the count exceeds (`decrease of 10%`), or undefined. */
function excess(params: Params, { previous, count }: Observation): string | undefined {
  if (previous === undefined) return undefined;
  const change = changeRatio(previous.rows, count);
  if (change < 0 && params.max_decrease_ratio !== undefined) {
    if (-change > params.max_decrease_ratio) {
      return `decrease of ${share(params.max_decrease_ratio)}`;
    }
  }
  if (change > 0 && params.max_increase_ratio !== undefined) {
    if (change > params.max_increase_ratio) {
      return `increase of ${share(params.max_increase_ratio)}`;
    }
  }
  return undefined;
}

/** (now − before) / before; growth from nothing is infinite, no change from nothing 0. */
function changeRatio(before: number, now: number): number {
  if (before === 0) return now === 0 ? 0 : Infinity;
  return (now - before) / before;
}

/** `+25%`, `-3.5%`, `0%`, `+∞%`. */
function percent(ratio: number): string {
  if (!Number.isFinite(ratio)) return "+∞%";
  return ratio < 0 ? `-${share(-ratio)}` : ratio > 0 ? `+${share(ratio)}` : "0%";
}

/** A non-negative ratio as a percentage: `0.1` → `10%`. */
function share(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}
