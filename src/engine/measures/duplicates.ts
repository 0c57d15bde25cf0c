/**
 * `duplicates`: non-null values of a column minus its distinct non-null values
 * (`unique`), or, for a compound `unique` (`measure.columns`), the rows whose values in
 * the tuple's columns are all non-null minus their distinct tuples: a tuple holding a
 * NULL is ignored, as a NULL value is. Needs more than one row at a time, so it is never
 * part of the single scan: on files the planner gives it a pass of its own (DuckDB's
 * spilling GROUP BY, or hash-partitioned Polars passes, see physical_plan.ts); in a
 * database it is `COUNT(col) - COUNT(DISTINCT col)` in the statement, and for a tuple a
 * grouped subquery in it (`COUNT(DISTINCT a, b)` has no form that every engine shares:
 * PostgreSQL has none that skips NULL-holding tuples, DuckDB none at all). Text compares
 * byte for byte (`Dialect.exact`), as Polars does. With a `when:` condition
 * (`measure.where`) only the rows where it holds take part, in every count and in
 * quarantine: a row that does not match is never a duplicate, nor makes one.
 * @module
 */
import pl, { type Expr, type LazyDataFrame, type Series } from "npm:nodejs-polars@0.25.2";
import type { ColumnInfo } from "../../core/dataset.ts";
import type { DuplicatesMeasure } from "../../rules/define.ts";
import type { Dialect } from "../../sql/dialect.ts";
import {
  collectStreaming,
  repeatedValues,
  rowsPerPartition,
  TUPLE_ROWS_PER_PARTITION,
} from "../scan.ts";
import { existsFlag, type MeasureModule } from "./measure_module.ts";

/** The column holding a repeated tuple, in {@linkcode duplicatedValues}' answer. */
const TUPLE = "__kontra_tuple";

/** Counting and selecting repeated values. */
export const duplicates: MeasureModule<DuplicatesMeasure> = {
  needsColumn: true,
  rowLevel: true,
  place: (_, { rowTier }) => ({ tier: rowTier }),
  restrict: (measure, condition) => ({ ...measure, where: condition }),
  sqlItem({ column, others, measure: { where, columns } }, { dialect, relation }, failFast) {
    const condition = where ? `(${where.sql(dialect)})` : undefined;
    if (columns) {
      const tuple = [column!, ...others!];
      const keys = tuple.map((info) => dialect.exact(dialect.ident(info.name), info.dtype));
      const present = [allPresent(dialect, tuple), ...(condition ? [condition] : [])]
        .join(" AND ");
      const repeated = `SELECT COUNT(*) AS n FROM ${relation} WHERE ${present} ` +
        `GROUP BY ${keys.join(", ")} HAVING COUNT(*) > 1`;
      const expression = failFast
        ? existsFlag(repeated)
        : `(SELECT COALESCE(SUM(n - 1), 0) FROM (${repeated}) AS kontra_repeated)`;
      return Promise.resolve({ expression });
    }
    const name = dialect.ident(column!.name);
    const key = dialect.exact(name, column!.dtype);
    // With `when:`, only the matching rows' values are counted (CASE without ELSE: NULL).
    const only = (value: string) => condition ? `CASE WHEN ${condition} THEN ${value} END` : value;
    const expression = failFast
      ? existsFlag(
        `SELECT ${key} FROM ${relation} WHERE ${name} IS NOT NULL` +
          `${condition ? ` AND ${condition}` : ""} GROUP BY ${key} HAVING COUNT(*) > 1`,
      )
      : `COUNT(${only(name)}) - COUNT(DISTINCT ${only(key)})`;
    return Promise.resolve({ expression });
  },
  sqlFlag({ column, measure: { where, columns } }, { access: { dialect }, columns: schema }) {
    if (!column) return Promise.resolve(undefined);
    const tuple = columns
      ? columns.map((name) => schema.find((info) => info.name === name)!)
      : [column];
    const present = allPresent(dialect, tuple);
    const keys = tuple.map((info) => dialect.exact(dialect.ident(info.name), info.dtype))
      .join(", ");
    if (!where) {
      return Promise.resolve(
        `CASE WHEN ${present} AND COUNT(*) OVER (PARTITION BY ${keys}) > 1 THEN 1 ELSE 0 END`,
      );
    }
    // A matching row is flagged when another matching row has its value; the window
    // counts only matching rows, and a row that does not match is never flagged.
    const condition = `(${where.sql(dialect)})`;
    return Promise.resolve(
      `CASE WHEN ${present} AND ${condition} AND ` +
        `COUNT(CASE WHEN ${condition} THEN 1 END) OVER (PARTITION BY ${keys}) > 1 THEN 1 ELSE 0 END`,
    );
  },
  scanFlag({ column, measure: { where, columns } }, { scan, rows }) {
    if (!column) return Promise.resolve(undefined);
    const names = columns ? [...columns] : [column.name];
    const values = duplicatedValues(
      () => scan([...new Set([...names, ...(where?.columns ?? [])])]),
      names.length === 1 ? column.name : names,
      rows,
      names.length === 1 ? rowsPerPartition(column.dtype) : TUPLE_ROWS_PER_PARTITION,
      where?.polars(),
    );
    if (values.length === 0) return Promise.resolve(undefined);
    const repeated = tupleKey(names).isIn(values.implode());
    return Promise.resolve(where ? where.polars().and(repeated) : repeated);
  },
  explain: ({ tier, measure: { columns } }) =>
    tier === "sql"
      ? columns
        ? "(SELECT SUM(n - 1) over the tuples grouped with COUNT(*) > 1, rows with a NULL " +
          "in the tuple left out), a subquery of the statement"
        : "COUNT(col) - COUNT(DISTINCT col)"
      : "exact duplicate count, in a pass of its own (see Reads)",
};

/** `a IS NOT NULL AND b IS NOT NULL …`: the rows whose tuple holds no NULL. */
function allPresent(dialect: Dialect, tuple: readonly ColumnInfo[]): string {
  return tuple.map((info) => `${dialect.ident(info.name)} IS NOT NULL`).join(" AND ");
}

/** The value compared: the column itself, or a struct of the tuple's columns. */
function tupleKey(columns: readonly string[]): Expr {
  return columns.length === 1 ? pl.col(columns[0]) : pl.struct(columns.map((name) => pl.col(name)));
}

/**
 * The distinct non-null values of `column` that occur more than once (among the rows
 * where `where` holds, when given); for several columns, the repeated tuples without a
 * NULL, as structs. Like the duplicate count, the values are split by hash and each
 * partition is grouped in its own streaming pass; only the repeated values are kept.
 */
export function duplicatedValues(
  scan: () => LazyDataFrame,
  column: string | readonly string[],
  rows: number,
  partitionRows: number,
  where?: Expr,
): Series {
  const names = typeof column === "string" ? [column] : [...column];
  const key = names.length === 1 ? names[0] : TUPLE;
  const found = [...repeatedValues(scan, names, rows, partitionRows, where)]
    .map((repeated) => collectStreaming(repeated.select(tupleKey(names).alias(key))));
  return (found.length === 1 ? found[0] : pl.concat(found, { how: "vertical" })).getColumn(key);
}
