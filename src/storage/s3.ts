/**
 * A {@linkcode Storage} over an S3 bucket and key prefix (or any S3-compatible store),
 * through the bounded requests of `s3_objects.ts`. Failures become one line naming the
 * object and the reason (`s3Reason`): the HTTP status or S3's code, the deadline that
 * passed, the endpoint without its userinfo; never a secret.
 * @module
 */
import type { S3Client } from "npm:@aws-sdk/client-s3@3.1175.0";
import { makeTempDir } from "../core/temp_dirs.ts";
import type { S3Access } from "./s3_access.ts";
import { s3Reason } from "./s3_access.ts";
import {
  deleteObject,
  downloadFile,
  headObject,
  listObjects,
  objectStream,
  readRange,
  type S3ObjectInfo,
  uploadFile,
} from "./s3_objects.ts";
import { S3Failure } from "./s3_request.ts";
import {
  byKey,
  depthOf,
  type ListOptions,
  type Storage,
  StorageError,
  type StorageProblem,
  type StoredObject,
} from "./storage.ts";

/** Objects under `s3://bucket/prefix`. */
export class S3Storage implements Storage {
  readonly uri: string;
  readonly folders = false;
  readonly #client: S3Client;
  readonly #endpoint?: string;
  readonly #bucket: string;
  readonly #prefix: string;

  /** `prefix` is empty or ends with `/`; `uri` names the location in messages. */
  constructor(access: S3Access, bucket: string, prefix: string, uri: string) {
    this.uri = uri;
    this.#client = access.client;
    this.#endpoint = access.endpoint;
    this.#bucket = bucket;
    this.#prefix = prefix;
  }

  describe(key: string): string {
    return `s3://${this.#bucket}/${this.#prefix}${key}`;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<StoredObject[]> {
    let listed: S3ObjectInfo[];
    try {
      listed = await listObjects(this.#client, this.#bucket, this.#prefix + prefix);
    } catch (error) {
      throw this.#error("cannot list", prefix === "" ? this.uri : this.describe(prefix), error);
    }
    const maxDepth = options.maxDepth ?? Infinity;
    return listed
      .map((object) => this.#stored(object))
      // S3 lists every key below the prefix; deeper ones are left out as a folder walk would.
      .filter((object) => !object.key.endsWith("/") && depthOf(object.key, prefix) <= maxDepth)
      .sort(byKey);
  }

  async stat(key: string): Promise<StoredObject> {
    try {
      return this.#stored(await headObject(this.#client, this.#bucket, this.#prefix + key));
    } catch (error) {
      throw this.#error("cannot read", this.describe(key), error);
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    try {
      return await readRange(this.#client, this.#bucket, this.#prefix + key, start, end);
    } catch (error) {
      throw this.#error("cannot read", this.describe(key), error);
    }
  }

  async read(key: string, maxBytes: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this.chunks(key)) {
      total += chunk.length;
      if (total > maxBytes) {
        const reason = `larger than ${maxBytes} bytes`;
        throw new StorageError(`${this.describe(key)}: ${reason}`, reason, "too_large");
      }
      parts.push(chunk.slice());
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return bytes;
  }

  async *chunks(key: string): AsyncGenerator<Uint8Array> {
    let body: ReadableStream<Uint8Array>;
    try {
      body = await objectStream(this.#client, this.#bucket, this.#prefix + key);
    } catch (error) {
      throw this.#error("cannot read", this.describe(key), error);
    }
    try {
      for await (const chunk of body) yield chunk;
    } catch (error) {
      throw this.#error("cannot read", this.describe(key), error);
    }
  }

  async download(key: string, path: string): Promise<void> {
    try {
      await downloadFile(this.#client, this.#bucket, this.#prefix + key, path);
    } catch (error) {
      throw this.#error("cannot read", this.describe(key), error);
    }
  }

  localPath(): undefined {
    return undefined;
  }

  async stagingDir(): Promise<string> {
    return await makeTempDir({ prefix: "kontra-quarantine-" });
  }

  async put(key: string, file: string): Promise<void> {
    try {
      // One PUT, or a multipart upload: S3 shows the object only once it is complete.
      await uploadFile(this.#client, this.#bucket, this.#prefix + key, file);
    } catch (error) {
      throw this.#error("cannot write", this.describe(key), error);
    }
  }

  putFolder(): Promise<boolean> {
    return Promise.resolve(false); // S3 has no folders: objects go up one by one
  }

  async delete(key: string): Promise<void> {
    try {
      await deleteObject(this.#client, this.#bucket, this.#prefix + key);
    } catch (error) {
      throw this.#error("cannot delete", this.describe(key), error);
    }
  }

  close(): void {
    this.#client.destroy();
  }

  #stored(object: S3ObjectInfo): StoredObject {
    return {
      key: object.key.slice(this.#prefix.length),
      size: object.size,
      etag: object.etag,
      ...(object.mtimeMs === undefined ? {} : { mtimeMs: object.mtimeMs }),
      kind: "file",
    };
  }

  /** `<verb> <what>: <reason>`, one line; the problem kept for callers that decide on it. */
  #error(verb: string, what: string, error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const reason = s3Reason(error, this.#endpoint);
    return new StorageError(`${verb} ${what}: ${reason}`, reason, problemOf(error));
  }
}

function problemOf(error: unknown): StorageProblem {
  const facts = error instanceof S3Failure ? error.facts : undefined;
  // deno-lint-ignore no-explicit-any
  const e = error as any;
  const code = String(facts?.code ?? e?.name ?? "");
  const status = facts?.status ?? Number(e?.$metadata?.httpStatusCode ?? 0);
  if (code === "NoSuchBucket") return "no_bucket";
  if (code === "NoSuchKey" || status === 404) return "not_found";
  return "failed";
}
