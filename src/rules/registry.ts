/**
 * Every rule Kontra knows. Adding a rule = one file in this folder + one line here.
 * @module
 */
import { closest } from "npm:fastest-levenshtein@1.0.16";
import type { AnyRule } from "./define.ts";
import allowedValues from "./allowed_values.ts";
import customSqlCheck from "./custom_sql_check.ts";
import dtype from "./dtype.ts";
import maxRows from "./max_rows.ts";
import minRows from "./min_rows.ts";
import notNull from "./not_null.ts";
import regex from "./regex.ts";
import unique from "./unique.ts";
import length from "./length.ts";
import disallowedValues from "./disallowed_values.ts";
import contains from "./contains.ts";
import startsWith from "./starts_with.ts";
import endsWith from "./ends_with.ts";
import notRegex from "./not_regex.ts";
import like from "./like.ts";
import conditionalNotNull from "./conditional_not_null.ts";
import range from "./range.ts";
import compare from "./compare.ts";
import freshness from "./freshness.ts";
import aggregate from "./aggregate.ts";
import references from "./references.ts";
import schema from "./schema.ts";
import columnCount from "./column_count.ts";
import rowCountChange from "./row_count_change.ts";

const rules = new Map<string, AnyRule>(
  [
    notNull,
    unique,
    allowedValues,
    dtype,
    regex,
    minRows,
    maxRows,
    customSqlCheck,
    length,
    disallowedValues,
    contains,
    startsWith,
    endsWith,
    notRegex,
    like,
    range,
    compare,
    conditionalNotNull,
    freshness,
    aggregate,
    references,
    schema,
    columnCount,
    rowCountChange,
  ]
    .map((rule) => [rule.name, rule]),
);

/**
 * Makes a rule available to Kontracts by its name. A later registration of the same
 * name replaces the earlier one, so users can override a built-in deliberately.
 *
 * @example
 * ```ts
 * import { defineRule, registerRule, validate } from "@kontra/kontra";
 * import { z } from "zod";
 *
 * registerRule(defineRule({
 *   name: "at_most_rows",
 *   scope: "dataset",
 *   params: z.strictObject({ rows: z.number().int() }),
 *   measure: () => ({ kind: "row_count" }),
 *   evaluate: ({ rows }, observed) => Math.max(0, observed.count - rows),
 *   describe: ({ rows }, { observed }) => `${observed.count} rows, at most ${rows} expected`,
 * }));
 * await validate("kontract.yml"); // its rules may now say `name: at_most_rows`
 * ```
 */
export function registerRule(rule: AnyRule): void {
  rules.set(rule.name, rule);
}

/** The rule of that name, or undefined. */
export function findRule(name: string): AnyRule | undefined {
  return rules.get(name);
}

/** Every registered rule, in registration order (built-ins first). */
export function registeredRules(): AnyRule[] {
  return [...rules.values()];
}

/** The registered name closest to `name`, for "did you mean" hints. */
export function closestRuleName(name: string): string {
  return closest(name, [...rules.keys()]);
}
