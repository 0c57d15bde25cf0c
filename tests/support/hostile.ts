/**
 * Column names and values that would break naive SQL: quotes, semicolons, backslashes,
 * unicode, `$1` placeholders, `$$` strings and comment markers. Tests run rules over them
 * and check the counts and that nothing escaped its quotes.
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";

/** Columns and values that would break naive SQL; nothing may escape its quotes. */
export const HOSTILE_COLUMNS = [
  'we"ird',
  "semi;colon",
  "back\\slash",
  "ünï 日本 ✓",
  "$1",
  "-- dash",
  "/* c */",
  "'quote",
];
export const HOSTILE_VALUES = [
  "'); DROP TABLE canary; --",
  "a\\b",
  "\\",
  "$1",
  "$$x$$",
  "/* not */ a comment",
  "ü日本✓",
  "it's",
  'say "hi"',
  "-- not a comment",
];

/** A table whose every column holds HOSTILE_VALUES plus a NULL, and a canary table. */
export function hostileFrame(): DataFrame {
  return pl.DataFrame(
    Object.fromEntries(
      HOSTILE_COLUMNS.map((name) => [name, pl.Series(name, [...HOSTILE_VALUES, null], pl.Utf8)]),
    ),
  );
}

/** Rules over every hostile column; the expected counts follow from HOSTILE_VALUES. */
export function hostileRules() {
  return HOSTILE_COLUMNS.flatMap((column, index) => [
    { name: "not_null", params: { column }, id: `n${index}` },
    { name: "unique", params: { column }, id: `u${index}` },
    {
      name: "allowed_values",
      params: { column, values: HOSTILE_VALUES.slice(0, 5) },
      id: `a${index}`,
    },
    { name: "regex", params: { column, pattern: "^'\\); DROP|\\\\|\\$1|\\$\\$" }, id: `r${index}` },
  ]);
}

/** [not_null, unique, allowed_values, regex] per column. */
export const HOSTILE_EXPECTED = [1, 0, 5, 5];

/** The failed counts `hostileRules()` expects, in order; fail-fast caps each at 1. */
export function hostileCounts(failFast = false): number[] {
  return HOSTILE_COLUMNS.flatMap(() =>
    HOSTILE_EXPECTED.map((count) => failFast ? Math.min(count, 1) : count)
  );
}
