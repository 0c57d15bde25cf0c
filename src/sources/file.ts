/**
 * Local Parquet and CSV data: one file, a directory of files, or a glob
 * (`data/*.parquet`); many files are one dataset. Scanned lazily by Polars.
 * @module
 */
import { globSync } from "node:fs";
import pl, { type DataFrame, type LazyDataFrame } from "nodejs-polars";
import { DataSourceError } from "../errors.ts";
import { duckdb } from "../sql/duckdb.ts";
import { exactGlob, localSiblings } from "./one_scan.ts";
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

/** True when a path is a glob pattern rather than a name. */
export function isGlob(path: string): boolean {
  return /[*?[\]{}]/.test(path);
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

/** One format shared by every file, or a usage error naming the odd one out. */
export function commonFormat(files: string[], uri: string): FileFormat {
  const formats = new Set(files.map(formatOf));
  const [format] = formats;
  if (formats.size !== 1 || format === undefined) {
    throw new DataSourceError(
      `${uri}: expected .parquet or .csv files of one format, found ${files.join(", ")}`,
      2,
    );
  }
  return format;
}

/** Local Parquet or CSV files that together form one dataset. */
export class LocalFileSource implements Source {
  readonly uri: string;
  readonly duckdbVia = "DuckDB reads the local files";
  readonly cheapRescans = true;
  readonly #files: string[];
  readonly #format: FileFormat;
  readonly #empty: boolean;
  #glob?: string;

  private constructor(files: string[], uri: string, format: FileFormat, empty: boolean) {
    this.#files = files;
    this.uri = uri;
    this.#format = format;
    this.#empty = empty;
  }

  /**
   * Opens a file, a directory (its .parquet/.csv files) or a glob. A name that does
   * not exist or matches nothing is the user's to fix: exit code 2.
   */
  static async open(path: string, uri: string): Promise<LocalFileSource> {
    const files = isGlob(path) ? globSync(path).sort() : await filesAt(path, uri);
    if (files.length === 0) throw new DataSourceError(`${uri}: no files match`, 2);
    const format = commonFormat(files, uri);
    // Polars refuses a zero-byte CSV; to a user it is simply an empty dataset.
    const sizes = await Promise.all(files.map(async (file) => (await Deno.stat(file)).size));
    return new LocalFileSource(files, uri, format, sizes.every((size) => size === 0));
  }

  schema(): Promise<Schema> {
    if (this.#empty) return Promise.resolve({ columns: [] });
    return Promise.resolve(this.#guard(() => schemaOf(this.#lazy().limit(0).collectSync())));
  }

  async stats(): Promise<DatasetStats | undefined> {
    if (this.#empty) return { rows: 0, nullCount: () => 0 };
    if (this.#format !== "parquet") return undefined;
    try {
      return await readParquetStats(await Promise.all(this.#files.map(localRangeReader)));
    } catch (error) {
      throw new DataSourceError(`${this.uri}: cannot read the Parquet footer: ${error}`, 3);
    }
  }

  scan(columns: string[]): LazyDataFrame {
    if (this.#empty) return pl.DataFrame({}).lazy();
    // No columns still means every row: an empty select would have none.
    if (columns.length === 0) return this.#lazy();
    return this.#lazy().select(...columns.map((name) => pl.col(name)));
  }

  /** Every file's path, size and modification time. */
  async identity(): Promise<string> {
    const files = await Promise.all(this.#files.map(async (path) => {
      const { size, mtime } = await Deno.stat(path);
      return { path, size, mtime: mtime?.getTime() ?? null };
    }));
    return JSON.stringify(files);
  }

  duckdb(): Promise<DuckdbTable> {
    const list = `[${this.#files.map((file) => duckdb.literal(file)).join(", ")}]`;
    const from = this.#format === "parquet"
      ? `read_parquet(${list})`
      : `read_csv(${list}, auto_detect = true)`;
    return Promise.resolve({
      from,
      allowedPaths: this.#files,
      exactTypes: this.#format === "parquet",
      release: () => Promise.resolve(),
    });
  }

  #lazy(): LazyDataFrame {
    // Many Parquet files as ONE scan: a concat of scans materialises (one_scan.ts).
    this.#glob ??= this.#format === "parquet" ? exactGlob(this.#files, localSiblings) ?? "" : "";
    if (this.#glob) return pl.scanParquet(this.#glob);
    const scanOne = (file: string) =>
      this.#format === "parquet"
        ? pl.scanParquet(file)
        : pl.scanCSV(file, { inferSchemaLength: CSV_INFER_ROWS });
    const scans = this.#files.map(scanOne);
    return scans.length === 1 ? scans[0] : pl.concat(scans, { how: "vertical" });
  }

  #guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw new DataSourceError(
        `${this.uri}: cannot read ${this.#format}: ${String(error).split("\n")[0]}`,
        3,
      );
    }
  }
}

/** The file itself, or a directory's data files in name order. */
async function filesAt(path: string, uri: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new DataSourceError(`${uri}: file not found`, 2);
    }
    throw new DataSourceError(`${uri}: cannot read: ${error}`, 3);
  }
  if (info.isFile) {
    if (!formatOf(path)) {
      throw new DataSourceError(`${uri}: unsupported file type (expected .parquet or .csv)`, 2);
    }
    return [path];
  }
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (entry.isFile && formatOf(entry.name)) names.push(`${path}/${entry.name}`);
  }
  return names.sort();
}
