/**
 * `duplicates`: non-null values of a column minus its distinct non-null values
 * (`unique`). Needs more than one row at a time, so it is never part of the single
 * scan: on files the planner gives it a pass of its own (DuckDB's spilling GROUP BY, or
 * hash-partitioned Polars passes, see physical_plan.ts); in a database it is
 * `COUNT(col) - COUNT(DISTINCT col)` in the statement. Text compares byte for byte
 * (`Dialect.exact`), as Polars does. With a `when:` condition (`measure.where`) only the
 * rows where it holds take part, in every count and in quarantine: a row that does not
 * match is never a duplicate, nor makes one.
 * @module
 */
import pl, { type Expr, type LazyDataFrame, type Series } from "nodejs-polars";
import type { DuplicatesMeasure } from "../../rules/define.ts";
import { collectStreaming, repeatedValues, rowsPerPartition } from "../scan.ts";
import { existsFlag, type MeasureModule } from "./measure_module.ts";

/** Counting and selecting repeated values. */
export const duplicates: MeasureModule<DuplicatesMeasure> = {
  needsColumn: true,
  rowLevel: true,
  place: (_, { rowTier }) => ({ tier: rowTier }),
  restrict: (measure, condition) => ({ ...measure, where: condition }),
  sqlItem({ column, measure: { where } }, { dialect, relation }, failFast) {
    const name = dialect.ident(column!.name);
    const key = dialect.exact(name, column!.dtype);
    // With `when:`, only the matching rows' values are counted (CASE without ELSE: NULL).
    const condition = where ? `(${where.sql(dialect)})` : undefined;
    const only = (value: string) => condition ? `CASE WHEN ${condition} THEN ${value} END` : value;
    const expression = failFast
      ? existsFlag(
        `SELECT ${key} FROM ${relation} WHERE ${name} IS NOT NULL` +
          `${condition ? ` AND ${condition}` : ""} GROUP BY ${key} HAVING COUNT(*) > 1`,
      )
      : `COUNT(${only(name)}) - COUNT(DISTINCT ${only(key)})`;
    return Promise.resolve({ expression });
  },
  sqlFlag({ column, measure: { where } }, { access: { dialect } }) {
    if (!column) return Promise.resolve(undefined);
    const name = dialect.ident(column.name);
    const key = dialect.exact(name, column.dtype);
    if (!where) {
      return Promise.resolve(
        `CASE WHEN ${name} IS NOT NULL AND COUNT(*) OVER (PARTITION BY ${key}) > 1 THEN 1 ELSE 0 END`,
      );
    }
    // A matching row is flagged when another matching row has its value; the window
    // counts only matching rows, and a row that does not match is never flagged.
    const condition = `(${where.sql(dialect)})`;
    return Promise.resolve(
      `CASE WHEN ${name} IS NOT NULL AND ${condition} AND ` +
        `COUNT(CASE WHEN ${condition} THEN 1 END) OVER (PARTITION BY ${key}) > 1 THEN 1 ELSE 0 END`,
    );
  },
  scanFlag({ column, measure: { where } }, { scan, rows }) {
    if (!column) return Promise.resolve(undefined);
    const values = duplicatedValues(
      () => scan([...new Set([column.name, ...(where?.columns ?? [])])]),
      column.name,
      rows,
      rowsPerPartition(column.dtype),
      where?.polars(),
    );
    if (values.length === 0) return Promise.resolve(undefined);
    const repeated = pl.col(column.name).isIn(values.implode());
    return Promise.resolve(where ? where.polars().and(repeated) : repeated);
  },
  explain: ({ tier }) =>
    tier === "sql"
      ? "COUNT(col) - COUNT(DISTINCT col)"
      : "exact duplicate count, in a pass of its own (see Reads)",
};

/**
 * The distinct non-null values of `column` that occur more than once (among the rows
 * where `where` holds, when given). Like the
 * duplicate count, the values are split by hash and each partition is grouped in its
 * own streaming pass; only the repeated values are kept.
 */
export function duplicatedValues(
  scan: () => LazyDataFrame,
  column: string,
  rows: number,
  partitionRows: number,
  where?: Expr,
): Series {
  const found = [...repeatedValues(scan, column, rows, partitionRows, where)]
    .map((repeated) => collectStreaming(repeated.select(column)));
  return (found.length === 1 ? found[0] : pl.concat(found, { how: "vertical" })).getColumn(column);
}
