import pl from "nodejs-polars";
import { z } from "zod";
import { defineRule } from "./define.ts";

/** True when Polars (Rust `regex` syntax) accepts the pattern. */
function compiles(pattern: string): boolean {
  try {
    // An expression, as the scan uses: `Series.str.contains` yields null instead of throwing.
    pl.DataFrame({ probe: [""] }).select(pl.col("probe").str.contains(pattern));
    return true;
  } catch {
    return false;
  }
}

/** Counts non-null values with no match of `pattern` (search, not full match). */
export default defineRule({
  name: "regex",
  scope: "column",
  params: z.strictObject({
    column: z.string().min(1),
    pattern: z.string().refine(compiles, { message: "not a valid regular expression" }),
  }),
  measure: ({ column, pattern }) => ({
    kind: "violations",
    polars: () => pl.col(column).isNotNull().and(pl.col(column).str.contains(pattern).not()),
    sql: (dialect) => {
      const column_ = dialect.ident(column);
      return `${column_} IS NOT NULL AND NOT (${dialect.regexSearch(column_, pattern)})`;
    },
  }),
  reason: ({ column, pattern }) => `${column} does not match ${pattern}`,
  describe: ({ column, pattern }, { failed }) =>
    failed === 0
      ? `${column} values all match ${pattern}`
      : `${failed} values of ${column} do not match ${pattern}`,
});
