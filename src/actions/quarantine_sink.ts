/**
 * Where quarantined files go. Every sink stages files in a local directory first (the
 * Polars sink and the checksums need a path), then publishes them so that no reader
 * ever sees a partial file: a local directory by rename, S3 by one completed upload
 * per object. Data files are published before `_manifest.json`, which marks a run
 * directory as complete.
 *
 * Others may be able to write inside a quarantine location, so a sink never follows a
 * symbolic link below the location and never deletes anything it did not create in
 * this run: a stray file in a run directory stays (and `quarantine verify` reports it).
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { MANIFEST_NAME } from "./quarantine_manifest.ts";
import { forgetTempDir, makeTempDir, removeTempDir } from "../core/temp_dirs.ts";

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

/** Prefix of staging directories and files: never mistaken for a run's data. */
export const STAGING_PREFIX = ".kontra-tmp-";

/** A Kontract name made safe as one path segment. */
export function pathSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.*$/.test(safe) ? `_${safe}` : safe;
}

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
    await requireRealDirectory(this.#parent);
    // Beside the run directory, so that publishing is a rename on one file system.
    const staged = await makeTempDir({ dir: this.#parent, prefix: STAGING_PREFIX });
    await Deno.chmod(staged, 0o755); // it becomes the run directory: readable like any other
    return staged;
  }

  async commit(staged: string, run: string, names: string[], signal?: AbortSignal) {
    signal?.throwIfAborted();
    const runDir = `${this.#parent}/${run}`;
    if (await entryKind(runDir) === "missing") {
      try {
        // A new run directory appears whole, manifest included; it is no longer temporary.
        await Deno.rename(staged, runDir);
        return forgetTempDir(staged);
      } catch (error) {
        // Someone made it meanwhile: fall through and look at what is there now.
        if (await entryKind(runDir) === "missing") throw error;
      }
    }
    await requireRealDirectory(runDir);
    await replaceFiles(staged, runDir, names, signal);
  }

  async discard(staged: string): Promise<void> {
    await removeTempDir(staged);
  }
}

/**
 * Replaces the files of an existing run directory one by one, manifest last. A rename
 * onto a symbolic link replaces the link itself, never the file it points to; a
 * directory in the way is refused rather than removed.
 */
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
    const target = `${runDir}/${name}`;
    if (await entryKind(target) === "directory") {
      throw new Error(`${target} is a directory: refusing to replace it`);
    }
    await Deno.rename(`${staged}/${name}`, target);
  }
}

/** What is at `path` itself, links not followed. */
async function entryKind(path: string): Promise<"missing" | "link" | "directory" | "other"> {
  try {
    const info = await Deno.lstat(path);
    return info.isSymlink ? "link" : info.isDirectory ? "directory" : "other";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
}

/** Refuses a path below the location that is a link (or not a directory): never followed. */
async function requireRealDirectory(path: string): Promise<void> {
  const kind = await entryKind(path);
  if (kind === "link") {
    throw new Error(`${path} is a symbolic link: quarantine never follows links`);
  }
  if (kind !== "directory") throw new Error(`${path} is not a directory`);
}
