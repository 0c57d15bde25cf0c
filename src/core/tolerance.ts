/**
 * A rule's `tolerance:`: how many failures it may have and still pass. The count stays
 * exact; only the verdict changes.
 * @module
 */
import { z } from "npm:zod@4.6.7";

/** At most `max_failed` failures, or at most that share of the rows the rule checked. */
export interface Tolerance {
  /** Failures allowed, a count (e.g. 100). */
  max_failed?: number;
  /** Failures allowed, as a share (0 to 1) of the rows the rule checked. */
  max_failed_ratio?: number;
}

/** zod model of {@linkcode Tolerance}: exactly one of its fields. */
export const Tolerance: z.ZodType<Tolerance> = z.strictObject({
  max_failed: z.number().int().nonnegative().optional(),
  max_failed_ratio: z.number().min(0).max(1).optional(),
}).refine(
  (tolerance) =>
    (tolerance.max_failed === undefined) !== (tolerance.max_failed_ratio === undefined),
  { message: "give exactly one of max_failed and max_failed_ratio" },
);

/** Failures per checked row; 0 when no row was checked. */
export function failedRatio(failed: number, checkedRows: number): number {
  return checkedRows > 0 ? failed / checkedRows : 0;
}

/** Whether `failed` failures of `checkedRows` checked rows are within the tolerance. */
export function withinTolerance(
  failed: number,
  checkedRows: number,
  tolerance: Tolerance,
): boolean {
  if (tolerance.max_failed !== undefined) return failed <= tolerance.max_failed;
  return failedRatio(failed, checkedRows) <= (tolerance.max_failed_ratio ?? 0);
}

/** How a message names the tolerance: `at most 100 failures`, `at most 0.1% of rows`. */
export function describeTolerance(tolerance: Tolerance): string {
  if (tolerance.max_failed !== undefined) {
    return `at most ${tolerance.max_failed} failure${tolerance.max_failed === 1 ? "" : "s"}`;
  }
  return `at most ${percent(tolerance.max_failed_ratio ?? 0)} of checked rows`;
}

/** A share as a percentage with up to 4 significant digits: 0.001 → `0.1%`. */
export function percent(share: number): string {
  return `${Number((share * 100).toPrecision(4))}%`;
}
