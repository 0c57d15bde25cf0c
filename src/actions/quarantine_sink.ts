/**
 * Where quarantined files go. Every sink stages files in a local directory first (the
 * Polars sink and the checksums need a path), then publishes them through a `Storage`
 * (`src/storage/`) so that no reader ever sees a partial file: a new local run directory
 * by one rename, otherwise each file whole (a rename, or one completed S3 upload). Data
 * files are published before `_manifest.json`, which marks a run directory as complete.
 *
 * Others may be able to write inside a quarantine location, so a sink never follows a
 * symbolic link below the location and never deletes anything it did not create in
 * this run: a stray file in a run directory stays (and `quarantine verify` reports it).
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { KontractError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import { removeTempDir } from "../core/temp_dirs.ts";
import { LocalStorage } from "../storage/local.ts";
import { openStorage, schemeOf } from "../storage/open_storage.ts";
import type { Storage } from "../storage/storage.ts";
import { MANIFEST_NAME } from "./quarantine_manifest.ts";

/** Where runs of one Kontract go: `<location>/<kontract>/<run fingerprint>/`. */
export interface QuarantineSink {
  /** The run directory's URI, for results and messages (ends with `/`). */
  locationOf(run: string): string;
  /** A fresh local directory to write one run's files into. */
  stage(): Promise<string>;
  /**
   * Publishes `names` (data files, then `_manifest.json`) from the staging directory
   * into the run directory, replacing files of the same names; other files stay.
   * Publishes nothing more once `signal` is aborted.
   */
  commit(staged: string, run: string, names: string[], signal?: AbortSignal): Promise<void>;
  /** Removes the staging directory (and whatever is left in it) and releases the sink. Never throws. */
  discard(staged: string): Promise<void>;
}

/** A Kontract name made safe as one path segment. */
export function pathSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.*$/.test(safe) ? `_${safe}` : safe;
}

/** Run directories under `<storage root>/<kontract>/`, local or S3 alike. */
export class StorageSink implements QuarantineSink {
  readonly #storage: Storage;
  readonly #parent: string;

  constructor(storage: Storage, kontractName: string) {
    this.#storage = storage;
    this.#parent = `${pathSegment(kontractName)}/`;
  }

  locationOf(run: string): string {
    return this.#storage.describe(`${this.#parent}${run}/`);
  }

  async stage(): Promise<string> {
    return await this.#storage.stagingDir(this.#parent);
  }

  async commit(staged: string, run: string, names: string[], signal?: AbortSignal) {
    signal?.throwIfAborted();
    const prefix = `${this.#parent}${run}/`;
    // A new run directory appears whole, manifest included, where the storage can.
    if (await this.#storage.putFolder(staged, prefix)) return;
    const ordered = [...names.filter((name) => name !== MANIFEST_NAME), MANIFEST_NAME]
      .filter((name) => names.includes(name));
    for (const name of ordered) {
      signal?.throwIfAborted();
      await this.#storage.put(`${prefix}${name}`, `${staged}/${name}`);
    }
  }

  async discard(staged: string): Promise<void> {
    await removeTempDir(staged);
    this.#storage.close();
  }
}

/** Run directories under a local directory (relative to `baseDir`). */
export class LocalDirSink extends StorageSink {
  constructor(root: string, baseDir: string, kontractName: string) {
    super(new LocalStorage(isAbsolute(root) ? root : resolve(baseDir, root)), kontractName);
  }
}

/**
 * The sink a location names: `s3://bucket/prefix/` or a local directory (relative to
 * `baseDir`, or a `file://` URI); S3 credentials from `env`.
 */
export async function openStorageSink(
  location: string,
  kontract: { name: string; baseDir: string; env: Environment },
): Promise<QuarantineSink> {
  const scheme = schemeOf(location);
  if (scheme !== undefined && scheme !== "file" && scheme !== "s3") {
    throw new KontractError(
      `actions.quarantine.location: unsupported scheme "${scheme}://" (a directory or s3://)`,
    );
  }
  const storage = await openStorage(location, kontract.env, { baseDir: kontract.baseDir });
  return new StorageSink(storage, kontract.name);
}
