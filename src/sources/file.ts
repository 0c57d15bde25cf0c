/**
 * Local Parquet and CSV data: one file, a directory of files (symbolic links to files
 * followed), or a glob (`data/*.parquet`); many files are one dataset whose schema is
 * the union of theirs (file_set.ts). Scanned lazily by Polars.
 * @module
 */
import { globSync } from "node:fs";
import type { DataFrame, LazyDataFrame } from "nodejs-polars";
import { polarsColumns } from "../core/polars_types.ts";
import { DataSourceError, describeError } from "../core/errors.ts";
import type { RaggedRowsPolicy } from "./csv_inspect.ts";
import { displayNames } from "./file_schema.ts";
import { type DataFile, type FileFormat, FileSet } from "./file_set.ts";
import { exactGlob, localSiblings } from "./one_scan.ts";
import { localRangeReader } from "./parquet_footer.ts";
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

/** True when a path is a glob pattern rather than a name. */
export function isGlob(path: string): boolean {
  return /[*?[\]{}]/.test(path);
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
  readonly #paths: string[];
  readonly #set: FileSet;

  private constructor(uri: string, paths: string[], set: FileSet) {
    this.uri = uri;
    this.#paths = paths;
    this.#set = set;
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
    const paths = isGlob(path) ? globSync(path).sort() : await filesAt(path, uri);
    if (paths.length === 0) throw new DataSourceError(`${uri}: no files match`, 2);
    const format = commonFormat(paths, uri);
    const names = displayNames(paths);
    const infos = await Promise.all(paths.map((file, index) => statFollowing(file, names[index])));
    // A glob may match a named pipe or a device, which Polars would read forever.
    if (infos.some((info) => !info.isFile)) {
      throw new DataSourceError(`${uri}: matches something that is not a regular file`, 2);
    }
    const kept = withoutEmptyFiles(
      paths.map((file, index) => ({ path: file, name: names[index], size: infos[index].size })),
      format,
    );
    const set = new FileSet(kept.map(({ path, name }) => localFile(path, name)), {
      format,
      raggedRows: options.raggedRows,
      // Many Parquet files as ONE scan: a concat of scans materialises (one_scan.ts).
      glob: format === "parquet"
        ? exactGlob(kept.map((file) => file.path), localSiblings)
        : undefined,
      polarsTypes: true,
    });
    return new LocalFileSource(uri, paths, set);
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
      const { size, mtime } = await Deno.stat(path);
      return { path, size, mtime: mtime?.getTime() ?? null };
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

/** A local file of the dataset. */
function localFile(path: string, name: string): DataFile {
  return {
    path,
    name,
    reader: () => localRangeReader(path),
    chunks: () => fileChunks(path, name),
  };
}

const CHUNK_BYTES = 1024 * 1024;

/** The file's bytes in chunks; each chunk is valid until the next is asked for. */
async function* fileChunks(path: string, name: string): AsyncGenerator<Uint8Array> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw new DataSourceError(`${name}: cannot read: ${osReason(error)}`, 3);
  }
  try {
    const buffer = new Uint8Array(CHUNK_BYTES);
    while (true) {
      let read: number | null;
      try {
        read = await file.read(buffer);
      } catch (error) {
        throw new DataSourceError(`${name}: cannot read: ${osReason(error)}`, 3);
      }
      if (read === null) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    file.close();
  }
}

/**
 * What a path names, symbolic links followed. A link that leads nowhere (its target is
 * gone, or links point at each other in a loop) is an error naming it, never skipped:
 * a data file left out would change every count.
 */
async function statFollowing(path: string, name: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || /loop|too many levels/i.test(String(error))) {
      throw new DataSourceError(
        `${name}: a symbolic link that leads to no file (its target is missing, or links loop)`,
        2,
      );
    }
    throw new DataSourceError(`${name}: cannot read: ${osReason(error)}`, 3);
  }
}

/**
 * The file itself, or a directory's data files in name order: regular files, and
 * symbolic links to regular files (followed one level: a directory is not descended
 * into, so links that loop are never walked).
 */
async function filesAt(path: string, uri: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new DataSourceError(`${uri}: file not found`, 2);
    }
    throw new DataSourceError(`${uri}: cannot read: ${osReason(error)}`, 3);
  }
  if (!info.isFile && !info.isDirectory) {
    // A device or a named pipe would be read forever (or block): only files and directories.
    throw new DataSourceError(`${uri}: not a regular file or directory`, 2);
  }
  if (info.isFile) {
    if (!formatOf(path)) {
      throw new DataSourceError(`${uri}: unsupported file type (expected .parquet or .csv)`, 2);
    }
    return [path];
  }
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(path)) {
      if (formatOf(entry.name)) entries.push(entry);
    }
  } catch (error) {
    throw new DataSourceError(`${uri}: cannot read the directory: ${osReason(error)}`, 3);
  }
  const names: string[] = [];
  for (const entry of entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
    if (entry.isFile) names.push(`${path}/${entry.name}`);
    else if (entry.isSymlink) {
      // Where the link leads: a file is data; a directory is not descended into.
      const target = await statFollowing(`${path}/${entry.name}`, entry.name);
      if (target.isFile) names.push(`${path}/${entry.name}`);
    }
  }
  return names;
}

/** The OS's reason without the path it quotes (the caller names the path its own way). */
function osReason(error: unknown): string {
  const text = describeError(error);
  return text.replace(/:\s*\w+ '.*$/, "").replace(/ \(os error \d+\)/, "");
}
