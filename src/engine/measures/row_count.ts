/**
 * `row_count`: the dataset's rows. Footers and catalogs know it; otherwise the single
 * scan counts it, or the database statement's first item, `COUNT(*)`, which every
 * statement has.
 * @module
 */
import type { RowCountMeasure } from "../../rules/define.ts";
import type { MeasureModule } from "./measure_module.ts";

/** Counting the rows. */
export const rowCount: MeasureModule<RowCountMeasure> = {
  needsColumn: false,
  rowLevel: false,
  place: (_, { stats, rowTier }) => ({ tier: stats ? "metadata" : rowTier }),
  restrict: () => undefined,
  // Footers, the scan or `COUNT(*)` counted the dataset's rows: that is the count.
  observe: (_, { rows }) => ({ count: rows }),
  // Counted by the statement's first item; exact even in fail-fast mode.
  sqlItem: () => Promise.resolve(undefined),
  sqlFlag: () => Promise.resolve(undefined),
  scanFlag: () => Promise.resolve(undefined),
  explain: ({ tier }) =>
    tier === "metadata"
      ? "footer num_rows"
      : tier === "sql"
      ? "COUNT(*)"
      : "len() in the single pass",
};
