/**
 * `duplicates`: non-null values of a column minus its distinct non-null values
 * (`unique`). Needs more than one row at a time, so it is never part of the single
 * scan: on files the planner gives it a pass of its own (DuckDB's spilling GROUP BY, or
 * hash-partitioned Polars passes, see physical_plan.ts); in a database it is
 * `COUNT(col) - COUNT(DISTINCT col)` in the statement. Text compares byte for byte
 * (`Dialect.exact`), as Polars does.
 * @module
 */
import pl, { type LazyDataFrame, type Series } from "nodejs-polars";
import type { DuplicatesMeasure } from "../../rules/define.ts";
import { collectStreaming, repeatedValues, rowsPerPartition } from "../scan.ts";
import { existsFlag, type MeasureModule } from "./measure_module.ts";

/** Counting and selecting repeated values. */
export const duplicates: MeasureModule<DuplicatesMeasure> = {
  needsColumn: true,
  rowLevel: true,
  place: (_, { rowTier }) => ({ tier: rowTier }),
  sqlItem({ column }, { dialect, relation }, failFast) {
    const name = dialect.ident(column!.name);
    const key = dialect.exact(name, column!.dtype);
    const expression = failFast
      ? existsFlag(
        `SELECT ${key} FROM ${relation} WHERE ${name} IS NOT NULL GROUP BY ${key} HAVING COUNT(*) > 1`,
      )
      : `COUNT(${name}) - COUNT(DISTINCT ${key})`;
    return Promise.resolve({ expression });
  },
  sqlFlag({ column }, { access: { dialect } }) {
    if (!column) return Promise.resolve(undefined);
    const name = dialect.ident(column.name);
    const key = dialect.exact(name, column.dtype);
    return Promise.resolve(
      `CASE WHEN ${name} IS NOT NULL AND COUNT(*) OVER (PARTITION BY ${key}) > 1 THEN 1 ELSE 0 END`,
    );
  },
  scanFlag({ column }, { scan, rows }) {
    if (!column) return Promise.resolve(undefined);
    const values = duplicatedValues(
      () => scan([column.name]),
      column.name,
      rows,
      rowsPerPartition(column.dtype),
    );
    return Promise.resolve(
      values.length === 0 ? undefined : pl.col(column.name).isIn(values.implode()),
    );
  },
  explain: ({ tier }) =>
    tier === "sql"
      ? "COUNT(col) - COUNT(DISTINCT col)"
      : "exact duplicate count, in a pass of its own (see Reads)",
};

/**
 * The distinct non-null values of `column` that occur more than once. Like the
 * duplicate count, the values are split by hash and each partition is grouped in its
 * own streaming pass; only the repeated values are kept.
 */
export function duplicatedValues(
  scan: () => LazyDataFrame,
  column: string,
  rows: number,
  partitionRows: number,
): Series {
  const found = [...repeatedValues(scan, column, rows, partitionRows)]
    .map((repeated) => collectStreaming(repeated.select(column)));
  return (found.length === 1 ? found[0] : pl.concat(found, { how: "vertical" })).getColumn(column);
}
