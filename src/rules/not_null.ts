import pl from "nodejs-polars";
import { z } from "zod";
import { defineRule } from "./define.ts";

/** Counts NULL values. */
export default defineRule({
  name: "not_null",
  scope: "column",
  params: z.strictObject({ column: z.string().min(1) }),
  measure: ({ column }) => ({
    kind: "violations",
    polars: () => pl.col(column).isNull(),
    sql: (dialect) => `${dialect.ident(column)} IS NULL`,
    fromStats: (stats) => stats.nullCount(column),
  }),
  reason: ({ column }) => `${column} is NULL`,
  describe: ({ column }, { failed }) =>
    failed === 0 ? `${column} has no NULL values` : `${failed} NULL values in ${column}`,
});
