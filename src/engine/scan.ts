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
import pl, { type DataFrame, type Expr, type LazyDataFrame } from "npm:nodejs-polars@0.25.2";
// Loaded for its effect too: Parquet INTERVAL columns must not make Polars panic.
import "../core/polars_types.ts";
import { DataSourceError, describeError, KontractError } from "../core/errors.ts";
import { FIXED_WIDTH_TYPES } from "../core/dtypes.ts";
import { assertNever } from "../core/assert_never.ts";
import type { DuckdbTable } from "../sources/source.ts";
import type { Capabilities } from "./capabilities.ts";
import type { Pass } from "./plan_model.ts";
import { countDuplicatesInDuckdb } from "./duckdb_duplicates.ts";
import { countWithDuckdb, type SqlCountRequest } from "./duckdb_sql.ts";
import { countMissingReferences } from "./duckdb_references.ts";
import { copyLocally, type LocalCopy } from "./local_copy.ts";
import { failureReason, type RuleErrors } from "./rule_failure.ts";
import type { ValueSet } from "../rules/define.ts";
import type { BoundValue, ColumnInfo } from "../core/dataset.ts";
import { joinValueSets } from "./value_sets.ts";
import { aggregateInDuckdb, DUCKDB_STATS } from "./duckdb_aggregates.ts";

export type { DuplicatesRequest } from "./duckdb_duplicates.ts";

/**
 * A count to take in the single pass: the number of rows where `predicate` holds. Or,
 * with `value`, one aggregate over the rows instead (a column's max), read by `read`;
 * its `predicate` then marks the rows the aggregate needs (the pass may drop the others).
 */
export interface CountRequest {
  key: string;
  predicate: Expr;
  /** An aggregate to take instead of the count, and how to read its one value. */
  value?: { aggregate: Expr; read(raw: unknown): BoundValue | null };
  /** The column the predicate reads, for finding the rule that broke a failed pass. */
  column?: string;
  /** False when the predicate must not reach the Parquet reader (see {@linkcode filtersInReader}). */
  pushable?: boolean;
  /** Value sets the predicate looks rows up in, joined on first (see value_sets.ts). */
  valueSets?: ValueSet[];
}

// Parquet's fixed-length byte arrays (UUID, INTERVAL) make Polars' reader panic when a
// filter on them is pushed into it (polars-parquet 0.54: "FixedSizeBinaryArray requires
// every item to be of its length", "not yet implemented: Interval"); Polars shows them
// as Binary and Struct. Reading them without a pushed filter works (or fails cleanly).
const READER_UNSAFE = /^(Binary|Struct)$/;

/** Whether a filter on a column of this Polars type may be pushed into the Parquet reader. */
export function filtersInReader(dtype: string): boolean {
  return !READER_UNSAFE.test(dtype);
}

/**
 * `frame` with a barrier that keeps later filters out of the Parquet reader: Polars does
 * not push a predicate below a row index, and drops the unused index afterwards, so the
 * barrier costs nothing but the pushdown.
 */
export function keepFiltersAboveReader(frame: LazyDataFrame): LazyDataFrame {
  return frame.withRowIndex(BARRIER).drop(BARRIER);
}

const BARRIER = "__kontra_barrier";

/** What a scan measured. */
export interface ScanCounts {
  counts: Map<string, number>;
  /** The aggregates of `value` requests, by key. */
  values: Map<string, BoundValue | null>;
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
const FIXED_WIDTH = FIXED_WIDTH_TYPES;

/** How many rows one duplicates partition should hold for a column of this Polars type. */
export function rowsPerPartition(dtype: string): number {
  return FIXED_WIDTH.test(dtype)
    ? FIXED_WIDTH_ROWS_PER_PARTITION
    : VARIABLE_WIDTH_ROWS_PER_PARTITION;
}

/**
 * Rows per duplicates partition for a tuple of columns (a compound `unique`): a tuple's
 * key is as wide as its columns together, so it takes the variable-width partitions.
 */
export const TUPLE_ROWS_PER_PARTITION = VARIABLE_WIDTH_ROWS_PER_PARTITION;

/** Rows per duplicates partition for one column or a tuple of them. */
export function tupleRowsPerPartition(columns: readonly Pick<ColumnInfo, "dtype">[]): number {
  return columns.length === 1 ? rowsPerPartition(columns[0].dtype) : TUPLE_ROWS_PER_PARTITION;
}

/**
 * Streams the data once, counting each predicate (or taking each `value` aggregate) and
 * (optionally) the rows. With no requests and no row count, reads nothing.
 */
export function countInOnePass(
  scanned: LazyDataFrame,
  requests: CountRequest[],
  countRows: boolean,
): ScanCounts {
  if (requests.length === 0 && !countRows) {
    return { counts: new Map(), values: new Map(), passes: 0 };
  }
  const data = joinValueSets(scanned, requests.flatMap((request) => request.valueSets ?? []));
  const aggregates = requests.map((request, index) =>
    (request.value?.aggregate ?? request.predicate.cast(pl.UInt32).sum()).alias(`__kontra_${index}`)
  );
  if (countRows) aggregates.push(pl.len().alias(ROWS_ALIAS));
  // When the rows are counted elsewhere (footers), keep only rows that violate
  // something: sums are unchanged, Polars can push the filter into the Parquet reader
  // to skip row groups, and fewer rows reach the aggregates (measured: 10M rows,
  // same time, 0.4 GB instead of 0.7 GB).
  const pushable = requests.every((request) => request.pushable !== false);
  const rows = countRows ? data : (pushable ? data : keepFiltersAboveReader(data))
    .filter(requests.map((request) => request.predicate).reduce((a, b) => a.or(b)));
  const frame = collectStreaming(rows.select(...aggregates));
  const counts = new Map<string, number>();
  const values = new Map<string, BoundValue | null>();
  requests.forEach((request, index) => {
    const column = `__kontra_${index}`;
    if (request.value) values.set(request.key, request.value.read(frame.getColumn(column).get(0)));
    else counts.set(request.key, numberAt(frame, column));
  });
  return { counts, values, rows: countRows ? numberAt(frame, ROWS_ALIAS) : undefined, passes: 1 };
}

/**
 * The single pass over `columns`; when it fails, the rules that broke it are found and
 * only they get an error (`errors`: rule id → reason), the others their counts. The
 * search is bounded: one pass per column that rules read (all its rules together), then
 * one per rule only on a column whose pass failed. The row count, when asked for, is a
 * pass of its own then; if even that fails the data is unreadable and the first error
 * is thrown.
 */
export function countInOnePassOrFindFailures(
  scan: (columns: string[]) => LazyDataFrame,
  columns: string[],
  requests: CountRequest[],
  countRows: boolean,
): ScanCounts & { errors: RuleErrors } {
  try {
    return { ...countInOnePass(scan(columns), requests, countRows), errors: new Map() };
  } catch (error) {
    if (requests.length === 0) throw error;
    let passes = 1;
    let rows: number | undefined;
    if (countRows) {
      rows = countInOnePass(scan([]), [], true).rows;
      passes += 1;
    }
    const counts = new Map<string, number>();
    const values = new Map<string, BoundValue | null>();
    const errors: RuleErrors = new Map();
    const byColumn = Map.groupBy(requests, (request) => request.column ?? "");
    for (const [column, group] of byColumn) {
      const names = column === "" ? columns : [column];
      const tries = [group, ...(group.length > 1 ? group.map((request) => [request]) : [])];
      for (const attempt of tries) {
        if (attempt.every((request) => counts.has(request.key) || values.has(request.key))) {
          continue;
        }
        passes += 1;
        try {
          const found = countInOnePass(scan(names), attempt, false);
          for (const [key, count] of found.counts) counts.set(key, count);
          for (const [key, value] of found.values) values.set(key, value);
        } catch (failure) {
          if (attempt.length === 1) errors.set(attempt[0].key, failureReason(failure));
        }
      }
    }
    return { counts, values, rows, passes, errors };
  }
}

/**
 * The values of `column` that occur more than once, with their counts (`REPEAT_COUNT`),
 * one lazy query per hash partition: each is grouped in its own streaming pass, so at
 * most one partition's distinct values are held at a time. With `where` (a rule's
 * `when:`, never NULL), only the rows where it holds count. Given several columns (a
 * compound `unique`), the repeated tuples of rows whose values are all non-null.
 */
export function* repeatedValues(
  scan: () => LazyDataFrame,
  column: string | readonly string[],
  rows: number,
  partitionRows: number,
  where?: Expr,
): Generator<LazyDataFrame> {
  const columns = typeof column === "string" ? [column] : [...column];
  const partitions = Math.max(1, Math.ceil(rows / partitionRows));
  const present = columns.map((name) => pl.col(name).isNotNull()).reduce((a, b) => a.and(b));
  // One hash of the whole tuple spreads tuples over the partitions however skewed one
  // of its columns is.
  const key = columns.length === 1 ? pl.col(columns[0]) : pl.struct(columns.map((c) => pl.col(c)));
  for (let partition = 0; partition < partitions; partition++) {
    // Nothing to gain from pushing these filters into the reader (every value is read
    // anyway), and on some column types it panics: see `filtersInReader`.
    let values = keepFiltersAboveReader(scan()).filter(present);
    if (where) values = values.filter(where);
    if (partitions > 1) {
      // The hash's declared type is unknown to the planner until cast (it is a map).
      const bucket = key.hash(0, 0, 0, 0).cast(pl.UInt64)
        .modulo(pl.lit(partitions).cast(pl.UInt64));
      values = values.filter(bucket.eq(pl.lit(partition).cast(pl.UInt64)));
    }
    yield values.groupBy(columns).agg(pl.len().alias(REPEAT_COUNT))
      .filter(pl.col(REPEAT_COUNT).gt(1));
  }
}

/**
 * Non-null values minus distinct non-null values of `column` (in the rows where `where`
 * holds, when given), exactly, in partitioned passes.
 */
export function countDuplicates(
  scan: () => LazyDataFrame,
  column: string | readonly string[],
  rows: number,
  partitionRows: number,
  where?: Expr,
): { count: number; passes: number } {
  let count = 0;
  let passes = 0;
  for (const repeated of repeatedValues(scan, column, rows, partitionRows, where)) {
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
    throw new DataSourceError(`scan failed: ${describeError(error)}`, 3);
  }
}

function numberAt(frame: DataFrame, column: string): number {
  const value = frame.getColumn(column).get(0);
  return value === null || value === undefined ? 0 : Number(value);
}

/** The passes after the single one, as planned (see plan.ts), and the rows they cover. */
export interface RescanRequests {
  /** The planned passes: source table, local copy, duplicates, user SQL. */
  passes: Pass[];
  /** `custom_sql_check` SELECTs, vetted, for the user SQL pass. */
  queries: SqlCountRequest[];
  /** Rows in the dataset (sizes Polars' partitions). */
  rows: number;
}

/** How the engine times phases and shows progress. */
export interface RescanHooks {
  time<T>(phase: string, work: () => Promise<T>): Promise<T>;
  onProgress?: (message: string) => void;
}

type FileCapabilities = Extract<Capabilities, { kind: "files" }>;

/**
 * Runs the planned passes after the single one. Phases: `local_copy` (the source's own
 * table or a copy of columns), `duplicates`, `sql`. Temporary files are removed before it
 * returns, also after an error.
 *
 * Each rule is measured on its own: a count that fails (a column the copy cannot read, a
 * query that fails on some row) puts that rule's reason in `errors` and the others go on.
 * Only a failure to reach the data at all (the source's DuckDB table) stops the run.
 */
export async function measureRescans(
  source: FileCapabilities & { uri: string },
  { passes, queries, rows }: RescanRequests,
  { time, onProgress }: RescanHooks,
): Promise<{
  counts: Map<string, number>;
  /** The values of `aggregate` measures taken in DuckDB, by rule id. */
  values: Map<string, BoundValue | null>;
  passes: number;
  errors: RuleErrors;
}> {
  const counts = new Map<string, number>();
  const values = new Map<string, BoundValue | null>();
  const errors: RuleErrors = new Map();
  let read = 0;
  const releases: (() => Promise<void>)[] = [];
  try {
    let table: DuckdbTable | undefined;
    const copies = new Map<string, LocalCopy>();
    const copyFailures = new Map<string, string>();
    for (const pass of passes) {
      switch (pass.kind) {
        case "source_table": {
          if (!source.duckdb) {
            throw new KontractError(`${source.uri}: custom_sql_check is not available`);
          }
          const opened = await time("local_copy", () => source.duckdb!());
          releases.push(() => opened.release());
          table = opened;
          if (!source.cheapRescans) read += 1;
          break;
        }
        case "local_copy": {
          onProgress?.(`copying ${pass.columns.join(", ")} to a local file`);
          const copy = await time("local_copy", () => copyColumns(source, pass.columns, releases));
          read += copy.passes;
          for (const [column, found] of copy.copies) copies.set(column, found);
          for (const [column, failure] of copy.failures) copyFailures.set(column, failure);
          break;
        }
        case "duplicates": {
          const key = pass.rule.instance.id;
          const failure = pass.columns.map(({ name }) => copyFailures.get(name))
            .find((reason) => reason !== undefined);
          if (pass.input === "local_copy" && failure !== undefined) {
            errors.set(key, failure);
            break;
          }
          const copy = copies.get(pass.column.name);
          const checked = pass.columns.map(({ name }) => name).join(", ");
          onProgress?.(`checking ${checked} for duplicates`);
          try {
            const found = await time(
              "duplicates",
              () => countDuplicatesPass(pass, table, copy, source, rows),
            );
            counts.set(key, found.count);
            read += found.passes;
          } catch (error) {
            errors.set(key, failureReason(error));
          }
          break;
        }
        case "references": {
          const key = pass.rule.instance.id;
          const failure = copyFailures.get(pass.column.name);
          if (pass.input === "local_copy" && failure !== undefined) {
            errors.set(key, failure);
            break;
          }
          onProgress?.(`checking ${pass.column.name} against its reference`);
          try {
            const copy = copies.get(pass.column.name);
            counts.set(key, await time("references", () => countReferencesPass(pass, table, copy)));
            read += 1;
          } catch (error) {
            errors.set(key, failureReason(error));
          }
          break;
        }
        case "aggregate": {
          const key = pass.rule.instance.id;
          const failure = copyFailures.get(pass.column.name);
          if (pass.input === "local_copy" && failure !== undefined) {
            errors.set(key, failure);
            break;
          }
          const { measure } = pass.rule;
          if (measure.kind !== "aggregate" || !DUCKDB_STATS.has(measure.stat)) break;
          onProgress?.(`taking the ${measure.stat} of ${pass.column.name}`);
          try {
            const target = pass.input === "source_table"
              ? table!
              : copies.get(pass.column.name)!.table;
            const found = await time("aggregate", () =>
              aggregateInDuckdb(target, {
                key,
                column: pass.column,
                stat: measure.stat as "median" | "count_distinct",
                ...(measure.where ? { where: measure.where } : {}),
              }));
            values.set(key, found.value);
            read += found.passes;
          } catch (error) {
            errors.set(key, failureReason(error));
          }
          break;
        }
        case "user_sql": {
          onProgress?.(`running ${queries.length} SQL check${queries.length === 1 ? "" : "s"}`);
          const found = await time("sql", () => countWithDuckdb(table!, queries, errors));
          for (const [key, count] of found) counts.set(key, count);
          break;
        }
        case "footers":
        case "single_scan":
        case "pushdown":
          break;
        default:
          assertNever(pass);
      }
    }
    return { counts, values, passes: read, errors };
  } finally {
    for (const release of releases.reverse()) await release();
  }
}

/** One `references` pass: the anti-join of the dataset's table (or copy) and the reference. */
async function countReferencesPass(
  pass: Extract<Pass, { kind: "references" }>,
  table: DuckdbTable | undefined,
  copy: LocalCopy | undefined,
): Promise<number> {
  const { rule, column } = pass;
  const measure = rule.measure;
  if (measure.kind !== "references" || !measure.reference?.table) {
    throw new KontractError(`${rule.instance.id}: references: its reference was not resolved`);
  }
  const data = pass.input === "source_table" ? table! : copy!.table;
  const reference = await measure.reference.table();
  try {
    return await countMissingReferences({
      data,
      column: column.name,
      reference,
      referenceColumn: measure.reference.column.name,
      ...(measure.where ? { where: measure.where } : {}),
    });
  } finally {
    await reference.release();
  }
}

/** One duplicates pass, on the engine and input the plan chose. */
async function countDuplicatesPass(
  pass: Extract<Pass, { kind: "duplicates" }>,
  table: DuckdbTable | undefined,
  copy: LocalCopy | undefined,
  source: FileCapabilities,
  rows: number,
): Promise<{ count: number; passes: number }> {
  const { rule, column, columns } = pass;
  // A `when:` limits the count to its rows; its columns are read (and copied) too.
  const where = rule.measure.kind === "duplicates" ? rule.measure.where : undefined;
  if (pass.engine === "duckdb") {
    const target = pass.input === "source_table" ? table! : copy!.table;
    const request = {
      key: rule.instance.id,
      column,
      ...(columns.length > 1 ? { columns } : {}),
      ...(where ? { where } : {}),
    };
    const found = await countDuplicatesInDuckdb(target, [request]);
    return { count: found.counts.get(rule.instance.id) ?? 0, passes: found.passes };
  }
  const scan = pass.input === "local_copy" ? copy!.scan : source.scan;
  const names = columns.map(({ name }) => name);
  return countDuplicates(
    () => scan([...new Set([...names, ...(where?.columns ?? [])])]),
    names,
    rows,
    tupleRowsPerPartition(columns),
    where?.polars(),
  );
}

/**
 * Copies the columns into ONE private local file; when that fails (a column Polars
 * cannot read), each column into its own, so one unreadable column costs only the
 * rules on it. `failures` holds the reason per column that could not be copied.
 */
async function copyColumns(
  source: FileCapabilities,
  columns: string[],
  releases: (() => Promise<void>)[],
): Promise<{ copies: Map<string, LocalCopy>; failures: Map<string, string>; passes: number }> {
  const copies = new Map<string, LocalCopy>();
  const failures = new Map<string, string>();
  const copyOf = async (names: string[]) => {
    const copy = await copyLocally(source.scan(names));
    releases.push(copy.release);
    for (const name of names) copies.set(name, copy);
  };
  try {
    await copyOf(columns);
    return { copies, failures, passes: 1 };
  } catch (error) {
    if (columns.length === 1) {
      failures.set(columns[0], failureReason(error));
      return { copies, failures, passes: 1 };
    }
  }
  for (const column of columns) {
    try {
      await copyOf([column]);
    } catch (error) {
      failures.set(column, failureReason(error));
    }
  }
  return { copies, failures, passes: 1 + columns.length };
}
