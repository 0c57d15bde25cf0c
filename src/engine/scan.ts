/**
 * The scan tier: every row-local rule in ONE streaming Polars pass; then the passes
 * that need more than one row at a time, with memory bounded as rows grow: exact
 * duplicate counts (DuckDB's spilling GROUP BY, or hash-partitioned Polars passes for
 * types DuckDB would compare differently) and `custom_sql_check` in DuckDB.
 *
 * A source whose data is expensive to read again (S3, CSV) is read once more at most:
 * the columns the duplicate counts need are copied into a private local Parquet file
 * first (see local_copy.ts), unless user SQL already needs the source's own local table.
 * @module
 */
import pl, { type DataFrame, type Expr, type LazyDataFrame } from "nodejs-polars";
import { DataSourceError, KontractError } from "../errors.ts";
import type { Source } from "../sources/source.ts";
import {
  countDuplicatesInDuckdb,
  duckdbComparable,
  type DuplicatesRequest,
} from "./duckdb_duplicates.ts";
import { countWithDuckdb, type SqlCountRequest } from "./duckdb_sql.ts";
import { copyLocally, type LocalCopy } from "./local_copy.ts";

export type { DuplicatesRequest } from "./duckdb_duplicates.ts";

/** A count to take in the single pass: the number of rows where `predicate` holds. */
export interface CountRequest {
  key: string;
  predicate: Expr;
}

/** What a scan measured. */
export interface ScanCounts {
  counts: Map<string, number>;
  rows?: number;
  passes: number;
}

const ROWS_ALIAS = "__kontra_rows";
/** The count column of {@linkcode repeatedValues}. */
export const REPEAT_COUNT = "__kontra_count";

// One partition's distinct values must fit in memory, so partitions grow with the
// row count. Measured on 10M distinct values (2 cores): a string column grouped in
// one pass peaked at 1.8 GB, in 2.5M-row partitions at 0.8 GB (and ran faster); an
// Int64 column in one 10M-row pass at 0.6 GB.
const FIXED_WIDTH_ROWS_PER_PARTITION = 10_000_000;
const VARIABLE_WIDTH_ROWS_PER_PARTITION = 2_500_000;
const FIXED_WIDTH = /^(U?Int\d+|Float\d+|Bool|Date|Datetime|Time|Duration)$/;

/** How many rows one duplicates partition should hold for a column of this Polars type. */
export function rowsPerPartition(dtype: string): number {
  return FIXED_WIDTH.test(dtype)
    ? FIXED_WIDTH_ROWS_PER_PARTITION
    : VARIABLE_WIDTH_ROWS_PER_PARTITION;
}

/**
 * Streams the data once, counting each predicate and (optionally) the rows. With no
 * requests and no row count, reads nothing.
 */
export function countInOnePass(
  data: LazyDataFrame,
  requests: CountRequest[],
  countRows: boolean,
): { counts: Map<string, number>; rows?: number; passes: number } {
  if (requests.length === 0 && !countRows) return { counts: new Map(), passes: 0 };
  const aggregates = requests.map((request, index) =>
    request.predicate.cast(pl.UInt32).sum().alias(`__kontra_${index}`)
  );
  if (countRows) aggregates.push(pl.len().alias(ROWS_ALIAS));
  // When the rows are counted elsewhere (footers), keep only rows that violate
  // something: sums are unchanged, Polars can push the filter into the Parquet reader
  // to skip row groups, and fewer rows reach the aggregates (measured: 10M rows,
  // same time, 0.4 GB instead of 0.7 GB).
  const rows = countRows
    ? data
    : data.filter(requests.map((request) => request.predicate).reduce((a, b) => a.or(b)));
  const frame = collectStreaming(rows.select(...aggregates));
  const counts = new Map(
    requests.map((request, index) => [request.key, numberAt(frame, `__kontra_${index}`)]),
  );
  return { counts, rows: countRows ? numberAt(frame, ROWS_ALIAS) : undefined, passes: 1 };
}

/**
 * The values of `column` that occur more than once, with their counts (`REPEAT_COUNT`),
 * one lazy query per hash partition: each is grouped in its own streaming pass, so at
 * most one partition's distinct values are held at a time.
 */
export function* repeatedValues(
  scan: () => LazyDataFrame,
  column: string,
  rows: number,
  partitionRows: number,
): Generator<LazyDataFrame> {
  const partitions = Math.max(1, Math.ceil(rows / partitionRows));
  for (let partition = 0; partition < partitions; partition++) {
    let values = scan().filter(pl.col(column).isNotNull());
    if (partitions > 1) {
      // The hash's declared type is unknown to the planner until cast (it is a map).
      const bucket = pl.col(column).hash(0, 0, 0, 0).cast(pl.UInt64)
        .modulo(pl.lit(partitions).cast(pl.UInt64));
      values = values.filter(bucket.eq(pl.lit(partition).cast(pl.UInt64)));
    }
    yield values.groupBy(column).agg(pl.len().alias(REPEAT_COUNT))
      .filter(pl.col(REPEAT_COUNT).gt(1));
  }
}

/** Non-null values minus distinct non-null values of `column`, exactly, in partitioned passes. */
export function countDuplicates(
  scan: () => LazyDataFrame,
  column: string,
  rows: number,
  partitionRows: number,
): { count: number; passes: number } {
  let count = 0;
  let passes = 0;
  for (const repeated of repeatedValues(scan, column, rows, partitionRows)) {
    const extra = pl.col(REPEAT_COUNT).sub(1).cast(pl.UInt64).sum().alias(REPEAT_COUNT);
    count += numberAt(collectStreaming(repeated.select(extra)), REPEAT_COUNT);
    passes++;
  }
  return { count, passes };
}

/** Runs a lazy query on Polars' streaming engine, the only mode that bounds memory. */
export function collectStreaming(query: LazyDataFrame): DataFrame {
  try {
    // deno-lint-ignore no-explicit-any
    return query.collectSync({ engine: "streaming" } as any);
  } catch (error) {
    throw new DataSourceError(`scan failed: ${String(error).split("\n")[0]}`, 3);
  }
}

function numberAt(frame: DataFrame, column: string): number {
  const value = frame.getColumn(column).get(0);
  return value === null || value === undefined ? 0 : Number(value);
}

/** What the passes after the single one measure. */
export interface RescanRequests {
  /** `unique` rules: exact duplicates of a column. */
  duplicates: DuplicatesRequest[];
  /** `custom_sql_check` SELECTs, counted in DuckDB. */
  queries: SqlCountRequest[];
  /** Rows in the dataset (sizes Polars' partitions). */
  rows: number;
}

/** How the engine times phases and shows progress. */
export interface RescanHooks {
  time<T>(phase: string, work: () => Promise<T>): Promise<T>;
  onProgress?: (message: string) => void;
}

/**
 * Counts duplicates and user SQL rows. Phases: `local_copy` (the source's local table
 * or a copy of columns), `duplicates`, `sql`. Temporary files are removed before it
 * returns, also after an error.
 */
export async function measureRescans(
  source: Source,
  { duplicates, queries, rows }: RescanRequests,
  { time, onProgress }: RescanHooks,
): Promise<{ counts: Map<string, number>; passes: number }> {
  const counts = new Map<string, number>();
  let passes = 0;
  if (queries.length > 0 && !source.duckdb) {
    throw new KontractError(`${source.uri}: custom_sql_check is not available`);
  }
  const releases: (() => Promise<void>)[] = [];
  try {
    // The source's own DuckDB table: user SQL needs it; duplicates use it when it is
    // cheap to get (local files) or fetched anyway, and typed like the scan (Parquet).
    const cheap = source.cheapRescans === true;
    const table = queries.length > 0 || (cheap && duplicates.length > 0)
      ? await time("local_copy", async () => await source.duckdb?.())
      : undefined;
    if (table) releases.push(() => table.release());
    if (table && !cheap) passes += 1;
    const inDuckdb = duplicates.filter(({ column }) => duckdbComparable(column.dtype));
    const inPolars = duplicates.filter(({ column }) => !duckdbComparable(column.dtype));
    const direct = table?.exactTypes === true;
    const copied = [
      ...new Set([...(direct ? [] : inDuckdb), ...(cheap ? [] : inPolars)].map(nameOf)),
    ];
    let copy: LocalCopy | undefined;
    if (copied.length > 0) {
      if (!source.scan) throw new KontractError(`${source.uri}: this source cannot be scanned`);
      onProgress?.(`copying ${copied.join(", ")} to a local file`);
      copy = await time("local_copy", () => copyLocally(source.scan!(copied)));
      releases.push(copy.release);
      passes += 1;
    }
    if (inDuckdb.length > 0) {
      const found = await time(
        "duplicates",
        () =>
          countDuplicatesInDuckdb(direct ? table! : copy!.table, inDuckdb, {
            onColumn: (column) => onProgress?.(`checking ${column} for duplicates`),
          }),
      );
      for (const [key, count] of found.counts) counts.set(key, count);
      passes += found.passes;
    }
    for (const { key, column } of inPolars) {
      const scan = copy && !cheap ? copy.scan : source.scan?.bind(source);
      if (!scan) throw new KontractError(`${source.uri}: this source cannot be scanned`);
      onProgress?.(`checking ${column.name} for duplicates`);
      const found = await time("duplicates", () =>
        Promise.resolve(
          countDuplicates(
            () => scan([column.name]),
            column.name,
            rows,
            rowsPerPartition(column.dtype),
          ),
        ));
      counts.set(key, found.count);
      passes += found.passes;
    }
    if (queries.length > 0) {
      onProgress?.(`running ${queries.length} SQL checks`);
      const found = await time("sql", () => countWithDuckdb(table!, queries));
      for (const [key, count] of found) counts.set(key, count);
    }
    return { counts, passes };
  } finally {
    for (const release of releases.reverse()) await release();
  }
}

function nameOf({ column }: DuplicatesRequest): string {
  return column.name;
}
