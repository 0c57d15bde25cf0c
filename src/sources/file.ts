/**
 * Local Parquet and CSV data: one file, a directory of files (symbolic links to files
 * followed), or a glob (`data/*.parquet`); many files are one dataset whose schema is
 * the union of theirs (file_set.ts). Scanned lazily by Polars.
 * @module
 */
import { globSync } from "node:fs";
import type { DataFrame, LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import { polarsColumns } from "../core/polars_types.ts";
import { DataSourceError } from "../core/errors.ts";
import { LocalStorage } from "../storage/local.ts";
import { isGlob, StorageError, type StoredObject } from "../storage/storage.ts";
import type { RaggedRowsPolicy } from "./csv_inspect.ts";
import { displayNames } from "./file_schema.ts";
import { type FileFormat, FileSet } from "./file_set.ts";
import { exactGlob, localSiblings } from "./one_scan.ts";
import { storedFile } from "./stored_file.ts";
import type { DuckdbTable, Source } from "./source.ts";
import type { DatasetStats, Schema } from "../core/dataset.ts";

export type { FileFormat } from "./file_set.ts";

/** How to read files, from the Kontract. */
export interface FileReadOptions {
  /** Ragged CSV rows: `warn` (default) or `fail` (`csv: { ragged_rows }`). */
  raggedRows?: RaggedRowsPolicy;
}

/** The format implied by a path's extension, or undefined. */
export function formatOf(path: string): FileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".parquet") || lower.endsWith(".pq")) return "parquet";
  if (lower.endsWith(".csv")) return "csv";
  return undefined;
}

/** The schema of a Polars frame, in column order. */
export function schemaOf(frame: DataFrame): Schema {
  // Column by column: `frame.dtypes` throws on a type JS cannot hold (Binary).
  return { columns: polarsColumns(frame) };
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

/**
 * A Parquet file of 0 bytes is damaged (being written, or cut off), never an empty
 * dataset: exit 3 naming it. A 0-byte CSV file holds no rows and no header: left out.
 */
export function withoutEmptyFiles<T extends { name: string; size: number }>(
  files: T[],
  format: FileFormat,
): T[] {
  const empty = files.find((file) => file.size === 0);
  if (empty && format === "parquet") {
    throw new DataSourceError(
      `${empty.name}: cannot read Parquet: damaged file, 0 bytes ` +
        "(a Parquet file ends with its footer)",
      3,
    );
  }
  return files.filter((file) => file.size > 0);
}

/** Local Parquet or CSV files that together form one dataset. */
export class LocalFileSource implements Source {
  readonly uri: string;
  readonly duckdbVia = "DuckDB reads the local files";
  readonly cheapRescans = true;

  /** Uniform Parquet: DuckDB types each column as a Polars scan does. */
  get duckdbExactTypes(): boolean {
    return this.#set.format === "parquet" && this.#set.uniform;
  }
  readonly #paths: string[];
  readonly #set: FileSet;
  readonly #storage: LocalStorage;

  private constructor(uri: string, paths: string[], set: FileSet, storage: LocalStorage) {
    this.uri = uri;
    this.#paths = paths;
    this.#set = set;
    this.#storage = storage;
  }

  /**
   * Opens a file, a directory (its .parquet/.csv files) or a glob. A name that does
   * not exist or matches nothing is the user's to fix: exit code 2.
   */
  static async open(
    path: string,
    uri: string,
    options: FileReadOptions = {},
  ): Promise<LocalFileSource> {
    // Keys are paths as given, relative to the working directory or absolute.
    const storage = new LocalStorage("");
    const paths = isGlob(path) ? globSync(path).sort() : await filesAt(storage, path, uri);
    if (paths.length === 0) throw new DataSourceError(`${uri}: no files match`, 2);
    const format = commonFormat(paths, uri);
    const names = displayNames(paths);
    const infos = await Promise.all(
      paths.map((file, index) => statFollowing(storage, file, names[index])),
    );
    // A glob may match a named pipe or a device, which Polars would read forever.
    if (infos.some((info) => info.kind !== "file")) {
      throw new DataSourceError(`${uri}: matches something that is not a regular file`, 2);
    }
    const kept = withoutEmptyFiles(
      paths.map((file, index) => ({ path: file, name: names[index], size: infos[index].size })),
      format,
    );
    const files = kept.map((file) =>
      storedFile(storage, { ...file, key: file.path }, (error) => cannotRead(file.name, error))
    );
    const set = new FileSet(files, {
      format,
      raggedRows: options.raggedRows,
      // Many Parquet files as ONE scan: a concat of scans materialises (one_scan.ts).
      glob: format === "parquet"
        ? exactGlob(kept.map((file) => file.path), localSiblings)
        : undefined,
      polarsTypes: true,
    });
    return new LocalFileSource(uri, paths, set, storage);
  }

  schema(): Promise<Schema> {
    return this.#set.schema();
  }

  stats(): Promise<DatasetStats | undefined> {
    return this.#set.stats();
  }

  /** Ragged CSV rows, once the schema has been read. */
  get warnings(): readonly string[] {
    return this.#set.warnings;
  }

  scan(columns: string[]): LazyDataFrame {
    return this.#set.scan(columns);
  }

  failingFile(columns: string[]): string | undefined {
    return this.#set.failingFile(columns);
  }

  /** Every file's path, size and modification time. */
  async identity(): Promise<string> {
    const files = await Promise.all(this.#paths.map(async (path) => {
      const { size, mtimeMs } = await this.#storage.stat(path);
      return { path, size, mtime: mtimeMs ?? null };
    }));
    return JSON.stringify(files);
  }

  async duckdb(): Promise<DuckdbTable> {
    await this.#set.schema(); // whether the files agree decides how DuckDB reads them
    const paths = this.#set.files.map((file) => file.path);
    return {
      from: this.#set.duckdbFrom(paths),
      allowedPaths: paths,
      exactTypes: this.#set.format === "parquet" && this.#set.uniform,
      release: () => Promise.resolve(),
    };
  }
}

/** A storage failure named as the dataset names the file. */
function cannotRead(name: string, error: StorageError): DataSourceError {
  return new DataSourceError(`${name}: cannot read: ${error.reason}`, 3);
}

/**
 * What a path names, symbolic links followed. A link that leads nowhere (its target is
 * gone, or links point at each other in a loop) is an error naming it, never skipped:
 * a data file left out would change every count.
 */
async function statFollowing(
  storage: LocalStorage,
  path: string,
  name: string,
): Promise<StoredObject> {
  try {
    return await storage.stat(path);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (error.problem === "not_found" || /loop|too many levels/i.test(error.reason)) {
      throw new DataSourceError(
        `${name}: a symbolic link that leads to no file (its target is missing, or links loop)`,
        2,
      );
    }
    throw cannotRead(name, error);
  }
}

/**
 * The file itself, or a directory's data files in name order: regular files, and
 * symbolic links to regular files (followed one level: a directory is not descended
 * into, so links that loop are never walked).
 */
async function filesAt(storage: LocalStorage, path: string, uri: string): Promise<string[]> {
  let info: StoredObject & { folder?: boolean };
  try {
    info = await storage.stat(path);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (error.problem === "not_found") throw new DataSourceError(`${uri}: file not found`, 2);
    throw new DataSourceError(`${uri}: cannot read: ${error.reason}`, 3);
  }
  if (info.kind !== "file" && !info.folder) {
    // A device or a named pipe would be read forever (or block): only files and directories.
    throw new DataSourceError(`${uri}: not a regular file or directory`, 2);
  }
  if (!info.folder) {
    if (!formatOf(path)) {
      throw new DataSourceError(`${uri}: unsupported file type (expected .parquet or .csv)`, 2);
    }
    return [path];
  }
  let entries: StoredObject[];
  try {
    entries = await storage.list(`${path}/`, { maxDepth: 0 });
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    throw new DataSourceError(`${uri}: cannot read the directory: ${error.reason}`, 3);
  }
  const names: string[] = [];
  for (const entry of entries.filter((entry) => formatOf(entry.key))) {
    if (entry.kind === "file") names.push(entry.key);
    else if (entry.kind === "link") {
      // Where the link leads: a file is data; a directory is not descended into.
      const name = entry.key.slice(path.length + 1);
      const target = await statFollowing(storage, entry.key, name);
      if (target.kind === "file") names.push(entry.key);
    }
  }
  return names;
}
