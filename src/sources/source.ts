/**
 * The interface every data source implements. The planner asks a source what it can
 * do (statistics? a Polars scan? SQL?) and never switches on what kind it is.
 * @module
 */
import type { LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import type { DatasetStats, Schema } from "../core/dataset.ts";
import type { SqlAccess } from "../sql/sql_access.ts";

export type { SqlAccess } from "../sql/sql_access.ts";

/** A table DuckDB can query for `custom_sql_check`, and how to release it afterwards. */
export interface DuckdbTable {
  /** A DuckDB table expression, e.g. `read_parquet('/abs/path.parquet')`. */
  from: string;
  /** The only files DuckDB may touch while running user SQL. */
  allowedPaths: string[];
  /** DuckDB sees each column with the type a Polars scan gives it (Parquet). */
  exactTypes?: boolean;
  /** Releases temporary files. Always called, also after an error. */
  release(): Promise<void>;
}

/** A dataset Kontra can validate. */
export interface Source {
  /** Where the data is, for output: never holds a secret. */
  readonly uri: string;
  /** The dataset's columns and their types. */
  schema(): Promise<Schema>;
  /** Footer or catalog statistics, if the source has them. */
  stats?(): Promise<DatasetStats | undefined>;
  /** A lazy Polars scan of just these columns. */
  scan?(columns: string[]): LazyDataFrame;
  /** A table for DuckDB, for `custom_sql_check`. */
  duckdb?(): Promise<DuckdbTable>;
  /** How `duckdb()` reaches the data, for `--explain`. */
  readonly duckdbVia?: string;
  /**
   * `duckdb()` gives each column the type a Polars scan gives it (uniform Parquet), so
   * DuckDB may count on the source's own table; otherwise on a copy Polars wrote.
   */
  readonly duckdbExactTypes?: boolean;
  /**
   * Reading the data again costs no more than the first read (local files), so passes
   * after the first read the source itself; otherwise the engine first copies the
   * columns they need into a private local file, once.
   */
  readonly cheapRescans?: boolean;
  /**
   * What identifies exactly this data (file paths + sizes + mtimes, S3 ETags, a table
   * snapshot), for idempotent quarantine locations; undefined when nothing does.
   */
  identity?(): Promise<string | undefined>;
  /** A database the planner pushes rules into as ONE SQL statement (PostgreSQL, Snowflake). */
  readonly sql?: SqlAccess;
  /**
   * Problems found on opening that do not stop the run (a PostgreSQL superuser role):
   * printed once and listed in the result's `warnings`.
   */
  readonly warnings?: readonly string[];
  /**
   * After a read of `columns` failed: the file (of a file dataset) that fails on its
   * own, for the message; undefined when none does or the source cannot tell.
   */
  failingFile?(columns: string[]): string | undefined;
  /** Releases connections and temporary files. */
  close?(): Promise<void>;
}
