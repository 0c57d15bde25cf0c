/**
 * Parquet and CSV in S3 (or any S3-compatible store): one object, a prefix or a glob,
 * many objects being one dataset, whose schema is the union of theirs (file_set.ts).
 * Polars streams the rows through its object store; footers are read by Kontra itself
 * with explicit byte ranges, so rules the metadata answers cost a few KiB per file.
 * @module
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { join } from "node:path";
import type { LazyDataFrame } from "nodejs-polars";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";
import { DataSourceError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import { commonFormat, type FileReadOptions, withoutEmptyFiles } from "./file.ts";
import { displayNames } from "./file_schema.ts";
import { type DataFile, FileSet } from "./file_set.ts";
import { exactGlob, keySiblings } from "./one_scan.ts";
import type { ByteRangeReader } from "./parquet_footer.ts";
import { type S3Access, s3Access, s3Error } from "./s3_access.ts";
import { keyMatches, parseS3Uri, type S3Location } from "./s3_location.ts";
import { listPages, sendS3 } from "./s3_request.ts";
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
  readonly #bucket: string;
  readonly #objects: S3Object[];
  readonly #access: S3Access;
  readonly #set: FileSet;

  private constructor(
    uri: string,
    bucket: string,
    objects: S3Object[],
    access: S3Access,
    set: FileSet,
  ) {
    this.uri = uri;
    this.#bucket = bucket;
    this.#objects = objects;
    this.#access = access;
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
    const listed: string[] = [];
    const objects = await listObjects(access, location, uri, listed);
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
      s3File(access, location.bucket, object, paths[index])
    );
    return new S3Source(
      uri,
      location.bucket,
      objects,
      access,
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
    try {
      const response = await sendS3<GetObjectCommandOutput>(
        this.#access.client,
        new GetObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      const output = await Deno.open(file, { write: true, createNew: true, mode: 0o600 });
      await response.Body!.transformToWebStream().pipeTo(output.writable);
    } catch (error) {
      throw s3Error(uri, error, this.#access.endpoint);
    }
  }
}

/** An object of the dataset as the file set reads it. */
function s3File(
  access: S3Access,
  bucket: string,
  object: S3Object & { name: string },
  path: string,
): DataFile {
  return {
    path,
    name: object.name,
    reader: () => Promise.resolve(objectReader(access, bucket, object)),
    chunks: () => objectChunks(access, bucket, object.key),
  };
}

/** Ranged reads with explicit `bytes=a-b` (some servers answer suffix ranges wrongly). */
function objectReader(access: S3Access, bucket: string, object: S3Object): ByteRangeReader {
  return {
    size: object.size,
    read: async (start, end) => {
      try {
        // The body is read within the same attempt and deadline as the request.
        const bytes = await sendS3<GetObjectCommandOutput, Uint8Array>(
          access.client,
          new GetObjectCommand({
            Bucket: bucket,
            Key: object.key,
            Range: `bytes=${start}-${end - 1}`,
          }),
          { consume: (output) => output.Body!.transformToByteArray() },
        );
        return new Uint8Array(bytes).buffer;
      } catch (error) {
        throw s3Error(`s3://${bucket}/${object.key}`, error, access.endpoint);
      }
    },
  };
}

/** The whole object, streamed. */
async function* objectChunks(
  access: S3Access,
  bucket: string,
  key: string,
): AsyncGenerator<Uint8Array> {
  const uri = `s3://${bucket}/${key}`;
  let body: ReadableStream<Uint8Array>;
  try {
    const response = await sendS3<GetObjectCommandOutput>(
      access.client,
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    body = response.Body!.transformToWebStream();
  } catch (error) {
    throw s3Error(uri, error, access.endpoint);
  }
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw s3Error(uri, error, access.endpoint);
  }
}

/** The objects a location names, in key order, with their sizes and ETags. */
async function listObjects(
  access: S3Access,
  location: S3Location,
  uri: string,
  listed: string[] = [],
): Promise<S3Object[]> {
  try {
    if (location.kind === "object") {
      const head = await sendS3<HeadObjectCommandOutput>(
        access.client,
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.path }),
      );
      return [{ key: location.path, size: head.ContentLength ?? 0, etag: head.ETag ?? "" }];
    }
    const objects: S3Object[] = [];
    // One deadline for all pages; a repeated token or too many pages end it.
    const pages = listPages<ListObjectsV2CommandOutput>(
      access.client,
      (token) =>
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: location.listPrefix,
          ContinuationToken: token,
        }),
    );
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        if (item.Key) listed.push(item.Key);
        if (item.Key && keyMatches(location, item.Key) && isDataKey(item.Key)) {
          objects.push({ key: item.Key, size: item.Size ?? 0, etag: item.ETag ?? "" });
        }
      }
    }
    return objects.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  } catch (error) {
    throw s3Error(uri, error, access.endpoint);
  }
}

/** Markers such as `_SUCCESS` and hidden files are not data. */
function isDataKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf("/") + 1);
  return !name.startsWith("_") && !name.startsWith(".");
}
