import { z } from "npm:zod@4.6.7";
import { MAX_USER_SQL_CHARS } from "../sql/user_sql.ts";
import { defineRule } from "./define.ts";

/** Counts the rows a SELECT returns; `{table}` names the dataset. */
export default defineRule({
  name: "custom_sql_check",
  scope: "dataset",
  params: z.strictObject({
    // The engine that runs it checks it with its own parser and allow-lists first.
    sql: z.string().min(1).max(MAX_USER_SQL_CHARS),
  }),
  measure: ({ sql }) => ({ kind: "sql_query", sql }),
  reason: () => "returned by the custom SQL check",
  describe: (_params, { failed }) =>
    failed === 0 ? "the query returned no rows" : `the query returned ${failed} violating rows`,
});
