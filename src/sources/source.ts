/**
 * The interface every data source implements. The planner asks a source what it can
 * do (statistics? a Polars scan? SQL?) and never switches on what kind it is.
 * @module
 */
import type { LazyDataFrame } from "nodejs-polars";
import type { ColumnInfo } from "../rules/define.ts";
import type { SqlAccess } from "./sql_access.ts";

export type { SqlAccess } from "./sql_access.ts";

/**
 * The dataset's columns, in order. A dataset of many files has the UNION of the files'
 * columns: those every file holds with one type (or with widths of one family, e.g.
 * Int32 in one file and Int64 in another, read as Int64) are `columns`; the others
 * drifted and are in `drift`, never read.
 */
export interface Schema {
  columns: ColumnInfo[];
  /**
   * Columns some files lack or type differently (different families, e.g. String and
   * Int64). Every rule on such a column fails with the row count and the message.
   */
  drift?: ColumnDrift[];
  /**
   * Columns of `columns` whose type differs by file within one family: a `dtype` rule
   * passes only if every file's type matches it (`int` passes, `int64` fails).
   */
  variants?: ColumnVariants[];
}

/** A column that drifted across the files of a dataset. */
export interface ColumnDrift {
  column: string;
  /** One line naming the files, e.g. `column "a" differs across files: missing from …`. */
  message: string;
}

/** A column typed with different widths of one family across the files. */
export interface ColumnVariants {
  column: string;
  /** Each Polars type name with the files holding it (display names). */
  types: { dtype: string; files: string[] }[];
  /** One line naming the types and files, like a drift message. */
  message: string;
}

/** Exact facts read from metadata (Parquet footers, database catalogs) without reading rows. */
export interface DatasetStats {
  /** Rows in the dataset. */
  rows: number;
  /** Exact NULL count of a column, or undefined where some part lacks the statistic. */
  nullCount(column: string): number | undefined;
  /** Parquet row groups (for `--timings`). */
  rowGroups?: number;
  /** Bytes read from storage to learn these facts. */
  bytesRead?: number;
  /** Files (objects) in the dataset. */
  files?: number;
  /** Total size of the dataset's files in storage. */
  bytesTotal?: number;
}

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
