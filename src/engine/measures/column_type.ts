/**
 * `column_type`: the column's type, from the schema. Always the metadata tier: no row
 * is read.
 * @module
 */
import type { ColumnTypeMeasure } from "../../rules/define.ts";
import type { MeasureModule } from "./measure_module.ts";

/** Reading the column's type. */
export const columnType: MeasureModule<ColumnTypeMeasure> = {
  needsColumn: true,
  rowLevel: false,
  place: () => ({ tier: "metadata" }),
  restrict: () => undefined,
  sqlItem: () => Promise.resolve(undefined),
  sqlFlag: () => Promise.resolve(undefined),
  scanFlag: () => Promise.resolve(undefined),
  explain: ({ column }) => `schema: ${column?.dtype}`,
};
