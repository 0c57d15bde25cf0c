/**
 * Parquet and CSV in S3 (or any S3-compatible store): one object, a prefix or a glob,
 * many objects being one dataset. Polars streams the rows through its object store;
 * footers are read by Kontra itself with explicit byte ranges, so rules the metadata
 * answers cost a few KiB per file.
 * @module
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { join } from "node:path";
import pl, { type LazyDataFrame } from "nodejs-polars";
import { DataSourceError } from "../errors.ts";
import type { Environment } from "../kontract/env.ts";
import { duckdb } from "../sql/duckdb.ts";
import { commonFormat, type FileFormat, schemaOf } from "./file.ts";
import { exactGlob, keySiblings } from "./one_scan.ts";
import { type ByteRangeReader, readParquetFooters } from "./parquet_footer.ts";
import { type S3Access, s3Access, s3Error } from "./s3_access.ts";
import { keyMatches, parseS3Uri, type S3Location } from "./s3_location.ts";
import type { DatasetStats, DuckdbTable, Schema, Source } from "./source.ts";

/** One object of the dataset. */
interface S3Object {
  key: string;
  size: number;
  etag: string;
}

// Polars infers CSV types from the first rows; more rows make a wrong guess rarer.
const CSV_INFER_ROWS = 10_000;

/** A dataset of one or more S3 objects. */
export class S3Source implements Source {
  readonly uri: string;
  // DuckDB's httpfs extension cannot be installed offline, so it never reads S3 itself.
  readonly duckdbVia = "objects streamed to a private temporary directory, then DuckDB";
  readonly #bucket: string;
  readonly #objects: S3Object[];
  readonly #format: FileFormat;
  readonly #access: S3Access;
  #footers?: Promise<{ stats: DatasetStats; schema: Schema }>;
  #glob?: string;

  private constructor(
    uri: string,
    bucket: string,
    objects: S3Object[],
    format: FileFormat,
    access: S3Access,
  ) {
    this.uri = uri;
    this.#bucket = bucket;
    this.#objects = objects;
    this.#format = format;
    this.#access = access;
  }

  /** Lists what the URI names; errors name the URI and the reason, never a secret. */
  static async open(uri: string, env: Environment): Promise<S3Source> {
    const location = parseS3Uri(uri);
    const access = s3Access(env);
    const listed: string[] = [];
    const objects = await listObjects(access, location, uri, listed);
    if (objects.length === 0) throw new DataSourceError(`${uri}: no objects match`, 3);
    const source = new S3Source(
      uri,
      location.bucket,
      objects,
      commonFormat(
        objects.map((object) => object.key),
        uri,
      ),
      access,
    );
    // Many Parquet objects as ONE scan: a concat of scans materialises (one_scan.ts).
    const base = `s3://${location.bucket}`;
    const paths = objects.map((object) => `${base}/${object.key}`);
    if (source.#format === "parquet") source.#glob = exactGlob(paths, keySiblings(listed, base));
    return source;
  }

  async schema(): Promise<Schema> {
    if (this.#format === "parquet") return (await this.#readFooters()).schema;
    try {
      return schemaOf(this.#lazy().limit(0).collectSync());
    } catch (error) {
      throw new DataSourceError(`${this.uri}: cannot read csv: ${firstLine(error)}`, 3);
    }
  }

  async stats(): Promise<DatasetStats | undefined> {
    if (this.#format !== "parquet") return undefined;
    const { stats } = await this.#readFooters();
    return {
      ...stats,
      files: this.#objects.length,
      bytesTotal: this.#objects.reduce((sum, object) => sum + object.size, 0),
    };
  }

  scan(columns: string[]): LazyDataFrame {
    // No columns still means every row: an empty select would have none.
    if (columns.length === 0) return this.#lazy();
    return this.#lazy().select(...columns.map((name) => pl.col(name)));
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
    const dir = await Deno.makeTempDir({ prefix: "kontra-s3-" });
    await Deno.chmod(dir, 0o700);
    const release = () => Deno.remove(dir, { recursive: true }).catch(() => {});
    try {
      const files: string[] = [];
      for (const [index, object] of this.#objects.entries()) {
        const file = join(dir, `${index}.${this.#format}`);
        await this.#download(object, file);
        files.push(file);
      }
      const list = `[${files.map((file) => duckdb.literal(file)).join(", ")}]`;
      return {
        from: this.#format === "parquet"
          ? `read_parquet(${list})`
          : `read_csv(${list}, auto_detect = true)`,
        allowedPaths: files,
        exactTypes: this.#format === "parquet",
        release,
      };
    } catch (error) {
      await release();
      throw error;
    }
  }

  #readFooters(): Promise<{ stats: DatasetStats; schema: Schema }> {
    this.#footers ??= readParquetFooters(this.#objects.map((object) => this.#reader(object)))
      .catch((error) => {
        if (error instanceof DataSourceError) throw error;
        throw new DataSourceError(
          `${this.uri}: cannot read the Parquet footer: ${firstLine(error)}`,
          3,
        );
      });
    return this.#footers;
  }

  /** Ranged reads with explicit `bytes=a-b` (some servers answer suffix ranges wrongly). */
  #reader(object: S3Object): ByteRangeReader {
    return {
      size: object.size,
      read: async (start, end) => {
        try {
          const response = await this.#access.client.send(
            new GetObjectCommand({
              Bucket: this.#bucket,
              Key: object.key,
              Range: `bytes=${start}-${end - 1}`,
            }),
          );
          const bytes = await response.Body!.transformToByteArray();
          return new Uint8Array(bytes).buffer;
        } catch (error) {
          throw s3Error(`s3://${this.#bucket}/${object.key}`, error, this.#access.endpoint);
        }
      },
    };
  }

  async #download(object: S3Object, file: string): Promise<void> {
    try {
      const response = await this.#access.client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: object.key }),
      );
      const output = await Deno.open(file, { write: true, createNew: true, mode: 0o600 });
      await response.Body!.transformToWebStream().pipeTo(output.writable);
    } catch (error) {
      throw s3Error(`s3://${this.#bucket}/${object.key}`, error, this.#access.endpoint);
    }
  }

  #lazy(): LazyDataFrame {
    const cloudOptions = this.#access.cloudOptions;
    if (this.#glob) return pl.scanParquet(this.#glob, { cloudOptions });
    const scans = this.#objects.map((object) => {
      const path = `s3://${this.#bucket}/${object.key}`;
      return this.#format === "parquet"
        ? pl.scanParquet(path, { cloudOptions })
        : pl.scanCSV(path, { cloudOptions, inferSchemaLength: CSV_INFER_ROWS });
    });
    return scans.length === 1 ? scans[0] : pl.concat(scans, { how: "vertical" });
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
      const head = await access.client.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.path }),
      );
      return [{ key: location.path, size: head.ContentLength ?? 0, etag: head.ETag ?? "" }];
    }
    const objects: S3Object[] = [];
    let token: string | undefined;
    do {
      const page = await access.client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: location.listPrefix,
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key) listed.push(item.Key);
        if (item.Key && keyMatches(location, item.Key) && isDataKey(item.Key)) {
          objects.push({ key: item.Key, size: item.Size ?? 0, etag: item.ETag ?? "" });
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
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

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}
