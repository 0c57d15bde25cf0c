/**
 * Where quarantined files go. Every sink stages files in a local directory first (the
 * Polars sink and the checksums need a path), then publishes them so that no reader
 * ever sees a partial file: a local directory by rename, S3 by one completed upload
 * per object. Data files are published before `_manifest.json`, which marks a run
 * directory as complete; files of an earlier run in the same directory that are not
 * part of this one are removed afterwards.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { MANIFEST_NAME } from "./quarantine_manifest.ts";

/** Where runs of one Kontract go: `<location>/<kontract>/<run fingerprint>/`. */
export interface QuarantineSink {
  /** The run directory's URI, for results and messages (ends with `/`). */
  locationOf(run: string): string;
  /** A fresh local directory to write one run's files into. */
  stage(): Promise<string>;
  /**
   * Publishes `names` (data files, then `_manifest.json`) from the staging directory
   * into the run directory, replacing what is there, and removes other files there.
   * Publishes nothing more once `signal` is aborted.
   */
  commit(staged: string, run: string, names: string[], signal?: AbortSignal): Promise<void>;
  /** Removes the staging directory (and whatever is left in it) and releases the sink. Never throws. */
  discard(staged: string): Promise<void>;
}

/** Prefix of staging directories and files: never mistaken for a run's data. */
export const STAGING_PREFIX = ".kontra-tmp-";

/** A Kontract name made safe as one path segment. */
export function pathSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.*$/.test(safe) ? `_${safe}` : safe;
}

/** Staging directories older than this are leftovers of a crash and are removed. */
const STALE_STAGING_MS = 60 * 60 * 1000;

/** Run directories under a local directory (relative to `baseDir`). */
export class LocalDirSink implements QuarantineSink {
  readonly #parent: string;

  constructor(root: string, baseDir: string, kontractName: string) {
    const absolute = isAbsolute(root) ? root : resolve(baseDir, root);
    this.#parent = `${absolute.replace(/\/+$/, "")}/${pathSegment(kontractName)}`;
  }

  locationOf(run: string): string {
    return `${this.#parent}/${run}/`;
  }

  async stage(): Promise<string> {
    await Deno.mkdir(this.#parent, { recursive: true });
    // Beside the run directory, so that publishing is a rename on one file system.
    const staged = await Deno.makeTempDir({ dir: this.#parent, prefix: STAGING_PREFIX });
    await Deno.chmod(staged, 0o755); // it becomes the run directory: readable like any other
    return staged;
  }

  async commit(staged: string, run: string, names: string[], signal?: AbortSignal) {
    signal?.throwIfAborted();
    const runDir = `${this.#parent}/${run}`;
    try {
      // A new run directory appears whole, manifest included.
      await Deno.rename(staged, runDir);
    } catch (error) {
      if (!(await exists(runDir))) throw error;
      await replaceFiles(staged, runDir, names, signal);
    }
    await removeStaleStaging(this.#parent);
  }

  async discard(staged: string): Promise<void> {
    await Deno.remove(staged, { recursive: true }).catch(() => {});
  }
}

/** Replaces the files of an existing run directory one by one, manifest last. */
async function replaceFiles(
  staged: string,
  runDir: string,
  names: string[],
  signal?: AbortSignal,
): Promise<void> {
  const ordered = [...names.filter((name) => name !== MANIFEST_NAME), MANIFEST_NAME]
    .filter((name) => names.includes(name));
  for (const name of ordered) {
    signal?.throwIfAborted();
    await Deno.rename(`${staged}/${name}`, `${runDir}/${name}`);
  }
  for await (const entry of Deno.readDir(runDir)) {
    if (!names.includes(entry.name)) {
      await Deno.remove(`${runDir}/${entry.name}`, { recursive: true });
    }
  }
}

/** Removes staging directories a crashed run left behind (not ones still in use). */
async function removeStaleStaging(parent: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(parent)) {
      if (!entry.name.startsWith(STAGING_PREFIX)) continue;
      const path = `${parent}/${entry.name}`;
      const { mtime } = await Deno.stat(path);
      if (mtime && Date.now() - mtime.getTime() > STALE_STAGING_MS) {
        await Deno.remove(path, { recursive: true });
      }
    }
  } catch {
    // Best effort: a leftover never looks like a run (no manifest in a run directory).
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
