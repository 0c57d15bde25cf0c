/**
 * `schema`: the dataset's columns (`schema`, `column_count`), from the schema every
 * source reads before any row: Parquet footers or a CSV header, a database's catalog.
 * Always the metadata tier.
 * @module
 */
import type { SchemaMeasure } from "../../rules/define.ts";
import type { MeasureModule } from "./measure_module.ts";

/** Reading the dataset's columns. */
export const schema: MeasureModule<SchemaMeasure> = {
  needsColumn: false,
  rowLevel: false,
  place: () => ({ tier: "metadata" }),
  restrict: () => undefined,
  observe: (_, measured) => ({ schema: measured.schema }),
  sqlItem: () => Promise.resolve(undefined),
  sqlFlag: () => Promise.resolve(undefined),
  scanFlag: () => Promise.resolve(undefined),
  explain: () => "schema: the dataset's columns and types",
};
