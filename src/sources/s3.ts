/**
 * Parquet and CSV in S3 (or any S3-compatible store): one object, a prefix or a glob,
 * many objects being one dataset, whose schema is the union of theirs (file_set.ts).
 * Polars streams the rows through its object store; footers are read by Kontra itself
 * with explicit byte ranges, so rules the metadata answers cost a few KiB per file.
 * @module
 */
import { join } from "node:path";
import type { LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";
import { DataSourceError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import { S3Storage } from "../storage/s3.ts";
import { s3Access } from "../storage/s3_access.ts";
import { keyMatches, parseS3Uri, type S3Location } from "../storage/s3_location.ts";
import { StorageError, type StoredObject } from "../storage/storage.ts";
import { commonFormat, type FileReadOptions, withoutEmptyFiles } from "./file.ts";
import { displayNames } from "./file_schema.ts";
import { FileSet } from "./file_set.ts";
import { exactGlob, keySiblings } from "./one_scan.ts";
import { storedFile } from "./stored_file.ts";
import type { DuckdbTable, Source } from "./source.ts";
import type { DatasetStats, Schema } from "../core/dataset.ts";

/** One object of the dataset. */
interface S3Object {
  key: string;
  size: number;
  etag: string;
}

/** A dataset of one or more S3 objects. */
export class S3Source implements Source {
  readonly uri: string;
  // DuckDB's httpfs extension cannot be installed offline, so it never reads S3 itself.
  readonly duckdbVia = "objects streamed to a private temporary directory, then DuckDB";

  /** Uniform Parquet: DuckDB types each column as a Polars scan does. */
  get duckdbExactTypes(): boolean {
    return this.#set.format === "parquet" && this.#set.uniform;
  }
  readonly #bucket: string;
  readonly #objects: S3Object[];
  readonly #storage: S3Storage;
  readonly #set: FileSet;

  private constructor(
    uri: string,
    bucket: string,
    objects: S3Object[],
    storage: S3Storage,
    set: FileSet,
  ) {
    this.uri = uri;
    this.#bucket = bucket;
    this.#objects = objects;
    this.#storage = storage;
    this.#set = set;
  }

  /** Lists what the URI names; errors name the URI and the reason, never a secret. */
  static async open(
    uri: string,
    env: Environment,
    options: FileReadOptions = {},
  ): Promise<S3Source> {
    const location = parseS3Uri(uri);
    const access = s3Access(env);
    // Keys are the bucket's own: the dataset's messages name objects as s3://bucket/key.
    const storage = new S3Storage(access, location.bucket, "", `s3://${location.bucket}/`);
    const listed: string[] = [];
    const objects = await listObjects(storage, location, uri, listed);
    if (objects.length === 0) throw new DataSourceError(`${uri}: no objects match`, 3);
    const format = commonFormat(objects.map((object) => object.key), uri);
    const base = `s3://${location.bucket}`;
    const names = displayNames(objects.map((object) => `${base}/${object.key}`));
    const kept = withoutEmptyFiles(
      objects.map((object, index) => ({ ...object, name: names[index] })),
      format,
    );
    const paths = kept.map((object) => `${base}/${object.key}`);
    const files = kept.map((object, index) =>
      storedFile(
        storage,
        { ...object, path: paths[index] },
        (error) => renamed(paths[index], error),
      )
    );
    return new S3Source(
      uri,
      location.bucket,
      objects,
      storage,
      new FileSet(files, {
        format,
        raggedRows: options.raggedRows,
        cloudOptions: access.cloudOptions,
        // Many Parquet objects as ONE scan: a concat of scans materialises (one_scan.ts).
        glob: format === "parquet" ? exactGlob(paths, keySiblings(listed, base)) : undefined,
      }),
    );
  }

  schema(): Promise<Schema> {
    return this.#set.schema();
  }

  async stats(): Promise<DatasetStats | undefined> {
    const stats = await this.#set.stats();
    if (this.#set.format !== "parquet" || stats === undefined) return stats;
    return {
      ...stats,
      files: this.#objects.length,
      bytesTotal: this.#objects.reduce((sum, object) => sum + object.size, 0),
    };
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

  identity(): Promise<string> {
    const parts = this.#objects.map((object) => `${object.key}@${object.etag}`);
    return Promise.resolve(`s3://${this.#bucket}/${parts.join(",")}`);
  }

  /**
   * DuckDB cannot reach S3 here (its httpfs extension is not installable offline), so
   * the objects are streamed into a private temporary directory, removed on release.
   */
  async duckdb(): Promise<DuckdbTable> {
    await this.#set.schema(); // whether the objects agree decides how DuckDB reads them
    const dir = await makeTempDir({ prefix: "kontra-s3-" });
    await Deno.chmod(dir, 0o700);
    const release = () => removeTempDir(dir);
    try {
      const files: string[] = [];
      for (const [index, file] of this.#set.files.entries()) {
        const local = join(dir, `${index}.${this.#set.format}`);
        await this.#download(file.path, local);
        files.push(local);
      }
      return {
        from: this.#set.duckdbFrom(files),
        allowedPaths: files,
        exactTypes: this.#set.format === "parquet" && this.#set.uniform,
        release,
      };
    } catch (error) {
      await release();
      throw error;
    }
  }

  async #download(uri: string, file: string): Promise<void> {
    const key = uri.slice(`s3://${this.#bucket}/`.length);
    await this.#storage.download(key, file).catch((error) =>
      Promise.reject(error instanceof StorageError ? renamed(uri, error) : error)
    );
  }
}

/** A storage failure named the way the dataset names the object (or itself). */
function renamed(what: string, error: StorageError): DataSourceError {
  return new DataSourceError(`${what}: ${error.reason}`, 3);
}

/** The objects a location names, in key order, with their sizes and ETags. */
async function listObjects(
  storage: S3Storage,
  location: S3Location,
  uri: string,
  listed: string[],
): Promise<S3Object[]> {
  let found: StoredObject[];
  try {
    found = location.kind === "object"
      ? [await storage.stat(location.path)]
      : await storage.list(location.listPrefix);
  } catch (error) {
    throw error instanceof StorageError ? renamed(uri, error) : error;
  }
  if (location.kind !== "object") listed.push(...found.map((object) => object.key));
  return found
    .filter((object) =>
      location.kind === "object" || (keyMatches(location, object.key) && isDataKey(object.key))
    )
    .map((object) => ({ key: object.key, size: object.size, etag: object.etag ?? "" }));
}

/** Markers such as `_SUCCESS` and hidden files are not data. */
function isDataKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf("/") + 1);
  return !name.startsWith("_") && !name.startsWith(".");
}
