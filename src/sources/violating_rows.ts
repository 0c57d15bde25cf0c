/**
 * What quarantine asks of a source: the rows that violate failing row-level rules,
 * one row per (row, rule), with every original column plus `_violated_rule_id` and
 * `_error_reason`. The engine builds them from a Polars scan (engine/violating_rows.ts);
 * a database yields them itself through a cursor (databases/sql_violating_rows.ts).
 * @module
 */
import type { DataFrame, LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import type { ColumnInfo, Schema } from "../core/dataset.ts";
import type { Measure } from "../rules/define.ts";

/** The column naming the rule a quarantined row violates. */
export const RULE_ID_COLUMN = "_violated_rule_id";
/** The column saying why the row violates it. */
export const REASON_COLUMN = "_error_reason";

/** A failing row-level rule whose rows are wanted. */
export interface RowRule {
  /** The rule id, written to `_violated_rule_id`. */
  id: string;
  /** Written to `_error_reason`. */
  reason: string;
  /** The rule's measure: `violations`, `duplicates` or `sql_query`. */
  measure: Measure;
  /** The checked column, for column rules. */
  column?: ColumnInfo;
}

/** What a source must be told to yield its violating rows. */
export interface ViolatingRowsRequest {
  /** The rules, sorted by id. */
  rules: RowRule[];
  schema: Schema;
  /** Rows in the dataset, as validation counted them. */
  rows: number;
}

/** The violating rows, in source order then rule id. */
export type ViolatingRows =
  | {
    kind: "lazy";
    /** A lazy query to sink: all source columns, then `_violated_rule_id`, `_error_reason`. */
    frame: LazyDataFrame;
    /** Rules left out, and why (e.g. a SELECT that does not return every column). */
    notes: string[];
  }
  | {
    kind: "batches";
    /** Ordered batches with the same columns; each becomes one part file. */
    batches: AsyncIterable<DataFrame>;
    notes: string[];
  };
