/**
 * Quarantine into S3: files are staged in a local temporary directory (the checksums
 * need them), then each is uploaded as one object, which S3 makes visible only when
 * the upload completes; `_manifest.json` goes last. Nothing is deleted: objects under
 * the run prefix that are not part of this run stay (`quarantine verify` reports them).
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Environment } from "../core/environment.ts";
import { MANIFEST_NAME } from "./quarantine_manifest.ts";
import { pathSegment, type QuarantineSink } from "./quarantine_sink.ts";
import { s3Access, s3Error } from "../sources/s3_access.ts";
import { s3Prefix, uploadFile } from "./s3_store.ts";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";

/** Run prefixes under `s3://bucket/prefix/<kontract>/`. */
export class S3Sink implements QuarantineSink {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #parent: string;

  private constructor(client: S3Client, bucket: string, parent: string) {
    this.#client = client;
    this.#bucket = bucket;
    this.#parent = parent;
  }

  /** A sink for `s3://bucket/prefix/`, with credentials from `env`. */
  static open(location: string, kontractName: string, env: Environment): S3Sink {
    const { bucket, prefix } = s3Prefix(location);
    return new S3Sink(s3Access(env).client, bucket, `${prefix}${pathSegment(kontractName)}/`);
  }

  locationOf(run: string): string {
    return `s3://${this.#bucket}/${this.#parent}${run}/`;
  }

  async stage(): Promise<string> {
    return await makeTempDir({ prefix: "kontra-quarantine-" });
  }

  async commit(staged: string, run: string, names: string[], signal?: AbortSignal) {
    const prefix = `${this.#parent}${run}/`;
    const ordered = [...names.filter((name) => name !== MANIFEST_NAME), MANIFEST_NAME]
      .filter((name) => names.includes(name));
    const where = (key: string) => `s3://${this.#bucket}/${key}`;
    for (const name of ordered) {
      signal?.throwIfAborted();
      const key = `${prefix}${name}`;
      await uploadFile(this.#client, this.#bucket, key, `${staged}/${name}`)
        .catch((error) => Promise.reject(s3Error(`cannot write ${where(key)}`, error)));
    }
  }

  async discard(staged: string): Promise<void> {
    await removeTempDir(staged);
    this.#client.destroy();
  }
}
