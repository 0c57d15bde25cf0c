/**
 * `--fail-on`: which failures make the exit code 1. The result document's `passed`
 * never changes (it is about blocking rules); only the process verdict does.
 * @module
 */
import type { Summary } from "./result.ts";

/** The lowest severity whose failure fails the run, or `never`. */
export type FailOn = "blocking" | "warning" | "never";

/** Every {@linkcode FailOn} value, for the CLI's choices. */
export const FAIL_ON_LEVELS: readonly FailOn[] = ["blocking", "warning", "never"];

/**
 * 3 when a rule could not be checked (status `error`); else 1 when a failure at or
 * above `failOn` occurred, else 0. `blocking` is the default behaviour; `warning` also
 * counts warning failures; `never` is 0 for failures (errors still exit 2 or 3).
 */
export function exitCodeFor(summary: Summary, failOn: FailOn = "blocking"): 0 | 1 | 3 {
  // A rule that could not be checked is a runtime error, whatever `--fail-on` says.
  if ((summary.errors ?? 0) > 0) return 3;
  if (failOn === "never") return 0;
  const failures = summary.blocking_failures +
    (failOn === "warning" ? summary.warning_failures : 0);
  return failures > 0 ? 1 : 0;
}
