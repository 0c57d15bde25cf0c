/**
 * When one rule cannot be measured, the run goes on without it: the rule gets
 * `status: "error"` and a one-line reason, the other rules keep their results, and the
 * run exits 3. This module turns whatever a library threw into that reason: one line,
 * no secret, no Rust panic wrapper, no "Error:" prefixes.
 * @module
 */
import { describeError } from "../core/errors.ts";

/** Rule id → why it could not be measured. */
export type RuleErrors = Map<string, string>;

// Wrappers around the message that say nothing to a user: JS and Polars error class
// prefixes, our own "scan failed:" wrappers, and the text of an unwrapped Rust `Err`.
const NOISE = [
  /^(?:[A-Za-z]*Error|Exception)\s*:\s*/,
  // Our own wrappers, also behind the datasource a database error names (`uri: query failed:`).
  /^(?:\S+: )?(?:scan failed|query failed|duplicates count failed|local copy failed):\s*/,
  /^called `Result::unwrap\(\)` on an `Err` value:\s*/,
];

/** The one-line reason a rule could not be measured, from whatever was thrown. */
export function failureReason(error: unknown): string {
  let text = describeError(error);
  for (let changed = true; changed;) {
    changed = false;
    for (const pattern of NOISE) {
      const next = text.replace(pattern, "");
      if (next !== text) [text, changed] = [next, true];
    }
  }
  // `ComputeError(ErrString("…"))` → the message inside.
  const wrapped = /^\w+\(ErrString\("(.*)"\)\)$/.exec(text);
  if (wrapped) text = wrapped[1].replaceAll('\\"', '"');
  text = text.trim() || "unknown error";
  const hint = HINTS.find(([pattern]) => pattern.test(text))?.[1];
  return hint ? `${text} (${hint})` : text;
}

// Library messages that do not say what to do, with what they mean here.
const HINTS: [RegExp, string][] = [
  [
    /Arrow Field dtype does not match the ArrayRef dtypes/,
    "Polars cannot read this column's Parquet type, e.g. INTERVAL",
  ],
];
