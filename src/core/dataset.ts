/**
 * What Kontra knows about a dataset before reading its rows: its columns with their
 * types, how they differ across the files of a dataset, and the exact facts metadata
 * gives (Parquet footers, database catalogs). Every layer speaks these types.
 * @module
 */

/** What the engine knows about a column when it builds a rule's predicate. */
export interface ColumnInfo {
  /** The column's name. */
  name: string;
  /** The Polars type name of the column, e.g. `Int64`, `String`, `Datetime`. */
  dtype: string;
  /**
   * `Datetime` only: the time zone of a column of instants (Parquet `isAdjustedToUTC`,
   * PostgreSQL `timestamptz`, Snowflake `TIMESTAMP_TZ`/`LTZ`, MySQL `TIMESTAMP`: `UTC`; a
   * Polars frame's own zone). Absent for wall-clock timestamps (no time zone).
   */
  timeZone?: string;
  /** `Datetime` only, when the source knows it: the unit its values are stored in. */
  timeUnit?: TimeUnit;
}

/** The units a `Datetime` column stores its values in. */
export type TimeUnit = "ms" | "us" | "ns";

/**
 * The dataset's columns, in order. A dataset of many files has the UNION of the files'
 * columns: those every file holds with one type (or with widths of one family, e.g.
 * Int32 in one file and Int64 in another, read as Int64) are `columns`; the others
 * drifted and are in `drift`, never read.
 */
export interface Schema {
  /** The columns every file holds with one type (or one family's widths), in order. */
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
  /** The column's name. */
  column: string;
  /** One line naming the files, e.g. `column "a" differs across files: missing from …`. */
  message: string;
}

/** A column typed with different widths of one family across the files. */
export interface ColumnVariants {
  /** The column's name. */
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
  /**
   * The smallest and largest non-null value of a column, exactly, from statistics; or
   * undefined where some part lacks them (or they are not exact, e.g. truncated text).
   */
  bounds?(column: string): ValueBounds | undefined;
  /** Parquet row groups (for `--timings`). */
  rowGroups?: number;
  /** Bytes read from storage to learn these facts. */
  bytesRead?: number;
  /** Files (objects) in the dataset. */
  files?: number;
  /** Total size of the dataset's files in storage. */
  bytesTotal?: number;
}

/**
 * A column's smallest and largest non-null values. Numbers for numeric columns (integers
 * only within ±2^53), strings for text, booleans; `Date` as days since 1970-01-01 and
 * `Datetime` as microseconds since 1970-01-01T00:00:00 (UTC for zoned columns, wall
 * time for naive ones), both numbers.
 */
export interface ValueBounds {
  /** The smallest non-null value. */
  min: BoundValue;
  /** The largest non-null value. */
  max: BoundValue;
}

/** One end of {@linkcode ValueBounds}. */
export type BoundValue = number | string | boolean;
