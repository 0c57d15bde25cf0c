/**
 * Local Parquet and CSV files, scanned lazily by Polars.
 * @module
 */
import pl, { type DataFrame, type LazyDataFrame } from "nodejs-polars";
import { DataSourceError } from "../errors.ts";
import { duckdb } from "../sql/duckdb.ts";
import { localRangeReader, readParquetStats } from "./parquet_footer.ts";
import type { DatasetStats, DuckdbTable, Schema, Source } from "./source.ts";

/** File formats Kontra reads. */
export type FileFormat = "parquet" | "csv";

// Polars infers CSV types from the first rows; more rows make a wrong guess rarer.
const CSV_INFER_ROWS = 10_000;

/** The format implied by a path's extension, or undefined. */
export function formatOf(path: string): FileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".parquet") || lower.endsWith(".pq")) return "parquet";
  if (lower.endsWith(".csv")) return "csv";
  return undefined;
}

/** The schema of a Polars frame, in column order. */
export function schemaOf(frame: DataFrame): Schema {
  return {
    columns: frame.columns.map((name, index) => ({
      name,
      dtype: String(frame.dtypes[index].variant),
    })),
  };
}

/** A local Parquet or CSV file. */
export class LocalFileSource implements Source {
  readonly uri: string;
  readonly #path: string;
  readonly #format: FileFormat;
  #empty = false;

  /**
   * @param path absolute path of the file
   * @param uri the path as the user wrote it, for output
   */
  constructor(path: string, uri: string, format: FileFormat) {
    this.#path = path;
    this.uri = uri;
    this.#format = format;
  }

  /** Opens the file, failing with exit code 2 when it does not exist. */
  static async open(path: string, uri: string): Promise<LocalFileSource> {
    const format = formatOf(path);
    if (!format) {
      throw new DataSourceError(`${uri}: unsupported file type (expected .parquet or .csv)`, 2);
    }
    let size: number;
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) throw new DataSourceError(`${uri}: not a file`, 2);
      size = info.size;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new DataSourceError(`${uri}: file not found`, 2);
      }
      throw error;
    }
    const source = new LocalFileSource(path, uri, format);
    // Polars refuses a zero-byte CSV; to a user it is simply an empty dataset.
    source.#empty = size === 0;
    return source;
  }

  schema(): Promise<Schema> {
    if (this.#empty) return Promise.resolve({ columns: [] });
    return Promise.resolve(this.#guard(() => schemaOf(this.#lazy().limit(0).collectSync())));
  }

  async stats(): Promise<DatasetStats | undefined> {
    if (this.#empty) return { rows: 0, nullCount: () => 0 };
    if (this.#format !== "parquet") return undefined;
    try {
      return await readParquetStats([await localRangeReader(this.#path)]);
    } catch (error) {
      throw new DataSourceError(`${this.uri}: cannot read the Parquet footer: ${error}`, 3);
    }
  }

  scan(columns: string[]): LazyDataFrame {
    if (this.#empty) return pl.DataFrame({}).lazy();
    return this.#lazy().select(...columns.map((name) => pl.col(name)));
  }

  duckdb(): Promise<DuckdbTable> {
    const path = duckdb.literal(this.#path);
    const from = this.#format === "parquet"
      ? `read_parquet(${path})`
      : `read_csv(${path}, auto_detect = true)`;
    return Promise.resolve({
      from,
      allowedPaths: [this.#path],
      via: `DuckDB reading the local file`,
      release: () => Promise.resolve(),
    });
  }

  #lazy(): LazyDataFrame {
    return this.#format === "parquet"
      ? pl.scanParquet(this.#path)
      : pl.scanCSV(this.#path, { inferSchemaLength: CSV_INFER_ROWS });
  }

  #guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw new DataSourceError(`${this.uri}: cannot read ${this.#format}: ${error}`, 3);
    }
  }
}
