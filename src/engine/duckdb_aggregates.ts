/**
 * The `aggregate` statistics a single streaming pass cannot give, exactly, in DuckDB
 * over files (the source's own DuckDB table or a private local copy), one pass each:
 *
 * - `median`: the non-null values are counted, then sorted (`ORDER BY … LIMIT … OFFSET`,
 *   which spills past the memory limit) to take the middle one, or the mean of the middle
 *   two as 64-bit floats. DuckDB's own `median` holds every value in memory whatever the
 *   limit (measured at 100M Int64: 1.7 GB peak RSS; the sort: 0.65 GB, as fast);
 * - `count_distinct`: non-null values minus duplicates, the duplicates counted by the
 *   bounded-memory counting of duckdb_duplicates.ts (a bitmap of an integer range, or a
 *   spilling GROUP BY; text grouped by hash first).
 *
 * The instance may read only the table's files and write only its spill directory.
 * @module
 */
import type { ColumnInfo } from "../core/dataset.ts";
import type { AggregateStat, RowCondition } from "../rules/define.ts";
import type { DuckdbTable } from "../sources/source.ts";
import { duckdb } from "../sql/duckdb.ts";
import { countDuplicatesInDuckdb } from "./duckdb_duplicates.ts";
import { withSpillingDuckdb } from "./duckdb_spilling.ts";

/** Stats that need a DuckDB pass of their own on files (not one aggregate of the scan). */
export const DUCKDB_STATS: ReadonlySet<AggregateStat> = new Set(["median", "count_distinct"]);

/** One statistic to take in DuckDB. */
export interface DuckdbAggregateRequest {
  /** The rule id it is for. */
  key: string;
  column: ColumnInfo;
  stat: "median" | "count_distinct";
  /** Only the rows where this holds take part (a rule's `when:`). */
  where?: RowCondition;
}

/** The statistic (null: no non-null value for a median) and the passes over the data. */
export async function aggregateInDuckdb(
  table: DuckdbTable,
  request: DuckdbAggregateRequest,
): Promise<{ value: number | null; passes: number }> {
  const { column, stat, where } = request;
  const c = duckdb.ident(column.name);
  const filter = `${c} IS NOT NULL${where ? ` AND (${where.sql(duckdb)})` : ""}`;
  const count = `SELECT COUNT(*) FROM ${table.from} WHERE ${filter}`;
  if (stat === "median") {
    return await withDuckdb(table, async (scalar) => {
      const values = Number(await scalar(count) ?? 0);
      if (values === 0) return { value: null, passes: 1 };
      // The middle value, or the middle two: 0-based positions ⌊(n-1)/2⌋ and ⌊n/2⌋.
      const middle = `SELECT CAST(${c} AS DOUBLE) AS v FROM ${table.from} WHERE ${filter} ` +
        `ORDER BY ${c} LIMIT ${values % 2 === 1 ? 1 : 2} OFFSET ${Math.floor((values - 1) / 2)}`;
      const median = await scalar(`SELECT AVG(v) FROM (${middle}) AS m`);
      return { value: median === null ? null : Number(median), passes: 2 };
    });
  }
  const value = await withDuckdb(table, (scalar) => scalar(count));
  const duplicates = await countDuplicatesInDuckdb(table, [
    { key: request.key, column, ...(where ? { where } : {}) },
  ]);
  const repeated = duplicates.counts.get(request.key) ?? 0;
  return { value: Number(value ?? 0) - repeated, passes: 1 + duplicates.passes };
}

/** `work` in a spilling DuckDB that may read the table's files; `scalar` gives a first value. */
async function withDuckdb<T>(
  table: Pick<DuckdbTable, "allowedPaths">,
  work: (scalar: (sql: string) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  return await withSpillingDuckdb(
    { allowedPaths: table.allowedPaths, pass: "aggregate" },
    (run) => work(async (sql) => (await run(sql))[0]?.[0] ?? null),
  );
}
