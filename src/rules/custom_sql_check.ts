import { z } from "zod";
import { checkUserSelectForAnyDialect } from "../sql/guard.ts";
import { defineRule } from "./define.ts";

/** Counts the rows a SELECT returns; `{table}` names the dataset. */
export default defineRule({
  name: "custom_sql_check",
  scope: "dataset",
  params: z.strictObject({
    sql: z.string().min(1).superRefine((sql, context) => {
      // Checked again in the dialect of the engine that runs it.
      const problem = checkUserSelectForAnyDialect(sql);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
  }),
  measure: ({ sql }) => ({ kind: "sql_query", sql }),
  reason: () => "returned by the custom SQL check",
  describe: (_params, { failed }) =>
    failed === 0 ? "the query returned no rows" : `the query returned ${failed} violating rows`,
});
