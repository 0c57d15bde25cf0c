/**
 * `conditional_not_null`: NULLs of a column among the rows where a condition holds
 * (`when`, in the params; the condition language of condition.ts). The engine limits the
 * rule to those rows exactly as it does a rule's own `when:` (both, when both are given).
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { ConditionSyntaxError, formatCondition, parseCondition } from "./condition.ts";
import { defineRule } from "./define.ts";

/** `when` must parse; its columns and values are checked against the data when planned. */
const Condition = z.string().min(1).superRefine((text, context) => {
  try {
    parseCondition(text);
  } catch (error) {
    if (!(error instanceof ConditionSyntaxError)) throw error;
    context.addIssue({ code: "custom", message: error.message });
  }
});

/** The condition in one canonical line, for messages. */
const shown = (when: string) => formatCondition(parseCondition(when));

/** Counts NULL values of `column` in the rows where `when` holds. */
export default defineRule({
  name: "conditional_not_null",
  scope: "column",
  params: z.strictObject({ column: z.string().min(1), when: Condition }),
  // No footer statistics: they count every row's NULLs, not the condition's rows.
  measure: ({ column }) => ({
    kind: "violations",
    polars: () => pl.col(column).isNull(),
    sql: (dialect) => `${dialect.ident(column)} IS NULL`,
  }),
  condition: ({ when }) => when,
  reason: ({ column, when }) => `${column} is NULL where ${shown(when)}`,
  // The engine adds ` where <condition>` to the message of every rule with a condition.
  describe: ({ column }, { failed }) =>
    failed === 0 ? `${column} has no NULL values` : `${failed} NULL values in ${column}`,
});
