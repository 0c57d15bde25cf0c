/**
 * Exact duplicate counts in DuckDB, whose GROUP BY spills to disk past a memory limit:
 * memory stays bounded however many distinct values a column has, in one pass (two
 * for strings) instead of one Polars pass per hash partition.
 *
 * Measured on 100M rows (2 cores): a string column (98M distinct) in 11.6 s at 0.57 GB,
 * where Polars needed 33 s at 1.1 GB in eight partitioned passes, or 7.6 GB in one.
 * Strings are grouped by their 64-bit hash first (cheap, fixed width); only values whose
 * hash repeats are then grouped by value, so a hash collision can never change the
 * count. Integers whose range is small enough set one bit per value instead
 * (`bitstring_agg`): 100M distinct Int64 in 1.9 s at 0.15 GB, against 8.0 s grouped.
 * @module
 */
import type { ColumnInfo } from "../core/dataset.ts";
import { BIGINT_INTEGERS, dtypeSet, FLOATS, INTEGERS_64, STORED_TEXTS } from "../core/dtypes.ts";
import type { RowCondition } from "../rules/define.ts";
import type { DuckdbTable } from "../sources/source.ts";
import { duckdb } from "../sql/duckdb.ts";
import { withSpillingDuckdb } from "./duckdb_spilling.ts";

// Types whose values DuckDB groups exactly as Polars does (checked by the tests,
// including 0.0 = -0.0 and NaN = NaN for floats). Others stay with Polars.
const COMPARABLE = dtypeSet(INTEGERS_64, FLOATS, STORED_TEXTS, "Bool", "Date", "Datetime");
const VARIABLE_WIDTH = /^(String|Utf8)$/;
/** Integers that fit a BIGINT, counted with a bitmap of their range when it fits. */
export const BITMAP_TYPES = BIGINT_INTEGERS;
// One bitmap per DuckDB thread: together at most this many bytes.
const BITMAP_BUDGET_BYTES = 256 * 1024 * 1024;

/** Whether DuckDB counts duplicates of a column of this Polars type exactly as Polars would. */
export function duckdbComparable(dtype: string): boolean {
  return COMPARABLE.test(dtype);
}

/** A duplicates count to take. */
export interface DuplicatesRequest {
  /** The rule id the count is for. */
  key: string;
  column: ColumnInfo;
  /** A compound `unique`'s tuple (two or more columns, `column` first), counted together. */
  columns?: readonly ColumnInfo[];
  /** Only the rows where this holds take part (a rule's `when:`). */
  where?: RowCondition;
}

/** Tuning, for tests. */
export interface DuckdbDuplicatesOptions {
  /** DuckDB's memory limit (default 512MB: the time hardly depends on it, measured 400 MB–1 GB). */
  memoryLimit?: string;
  /** Told when each column starts. */
  onColumn?: (column: string) => void;
}

/**
 * Non-null values minus distinct non-null values of each requested column of `table`,
 * exactly. `table` must have {@linkcode DuckdbTable.exactTypes}.
 */
export async function countDuplicatesInDuckdb(
  table: DuckdbTable,
  requests: DuplicatesRequest[],
  options: DuckdbDuplicatesOptions = {},
): Promise<{ counts: Map<string, number>; passes: number }> {
  const counts = new Map<string, number>();
  if (requests.length === 0) return { counts, passes: 0 };
  const spilling = {
    allowedPaths: table.allowedPaths,
    memoryLimit: options.memoryLimit,
    pass: "duplicates count",
  };
  return await withSpillingDuckdb(spilling, async (run) => {
    let passes = 0;
    for (const { key, column, columns, where } of requests) {
      const tuple = columns !== undefined && columns.length > 1 ? columns : undefined;
      options.onColumn?.(tuple ? tuple.map(({ name }) => name).join(",") : column.name);
      const scalar = async (sql: string) => (await run(sql))[0].map((value) => value ?? null);
      let sql = duplicatesSql(table.from, tuple ?? column, where);
      if (!tuple && BITMAP_TYPES.test(column.dtype)) {
        const c = duckdb.ident(column.name);
        const [low, high] = await scalar(
          `SELECT MIN(${c})::VARCHAR, MAX(${c})::VARCHAR FROM ${table.from}${
            where ? ` WHERE ${where.sql(duckdb)}` : ""
          }`,
        );
        passes += 1;
        if (low === null || high === null) {
          counts.set(key, 0);
          continue;
        }
        const bits = BigInt(String(high)) - BigInt(String(low)) + 1n;
        const threads = Math.max(1, navigator.hardwareConcurrency);
        if (bits <= BigInt(Math.floor(BITMAP_BUDGET_BYTES * 8 / threads))) {
          sql = bitmapSql(table.from, column, String(low), String(high), where);
        }
      }
      counts.set(key, Number((await scalar(sql))[0] ?? 0));
      passes += tuple || VARIABLE_WIDTH.test(column.dtype) ? 2 : 1;
    }
    return { counts, passes };
  });
}

/**
 * The statement counting duplicates of `column` in the table expression `from` (among
 * the rows where `where` holds, when given). Given several columns (a compound
 * `unique`), it counts repeated tuples of rows whose values are all non-null.
 */
export function duplicatesSql(
  from: string,
  column: ColumnInfo | readonly ColumnInfo[],
  where?: RowCondition,
): string {
  const columns = Array.isArray(column) ? column : [column as ColumnInfo];
  const c = columns.map(({ name }) => duckdb.ident(name)).join(", ");
  const present = columns.map(({ name }) => `${duckdb.ident(name)} IS NOT NULL`).join(" AND ") +
    (where ? ` AND (${where.sql(duckdb)})` : "");
  const repeated = (filter: string, by: string) =>
    `SELECT COUNT(*) AS n FROM ${from} WHERE ${filter} GROUP BY ${by} HAVING COUNT(*) > 1`;
  const total = (groups: string) => `SELECT COALESCE(SUM(n - 1), 0) FROM (${groups}) AS g`;
  if (columns.length === 1 && !VARIABLE_WIDTH.test(columns[0].dtype)) {
    return total(repeated(present, c));
  }
  // Hash first: 8-byte keys group far cheaper than strings or tuples (one hash of all
  // the tuple's columns). Candidates are the hashes seen more than once; their rows are
  // then grouped by the real values, so a collision never changes the count.
  const candidates = `SELECT hash(${c}) AS h FROM ${from} WHERE ${present} ` +
    `GROUP BY h HAVING COUNT(*) > 1`;
  return `WITH candidates AS (${candidates}) ` +
    total(repeated(`${present} AND hash(${c}) IN (SELECT h FROM candidates)`, c));
}

/**
 * Duplicates of an integer column whose values lie in [low, high] (in the rows where
 * `where` holds, when given): non-null values minus the bits set in a bitmap of the
 * range, one bit per distinct value.
 */
export function bitmapSql(
  from: string,
  column: ColumnInfo,
  low: string,
  high: string,
  where?: RowCondition,
): string {
  const c = duckdb.ident(column.name);
  const bound = (value: string) => `CAST(${duckdb.literal(value)} AS BIGINT)`;
  return `SELECT COUNT(${c}) - bit_count(bitstring_agg(CAST(${c} AS BIGINT), ${bound(low)}, ` +
    `${bound(high)})) FROM ${from}${where ? ` WHERE ${where.sql(duckdb)}` : ""}`;
}
