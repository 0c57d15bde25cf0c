/**
 * What Kontra needs of a place that holds files: a local directory or an S3 bucket and
 * prefix. Sources, the quarantine sink and `quarantine verify` work through a
 * {@linkcode Storage} and never ask which kind it is; `open_storage.ts` is the one place
 * that maps a location to one.
 *
 * Keys are `/`-separated and relative to the storage's root. Every failure is a
 * {@linkcode StorageError}: one line naming the object, never a secret, with the reason
 * apart so callers that name objects their own way (a dataset's display names) can.
 * @module
 */
import { DataSourceError } from "../core/errors.ts";

/** One file or object. */
export interface StoredObject {
  /** Its key below the root. */
  key: string;
  /** Bytes. */
  size: number;
  /** The store's version tag (S3's ETag); undefined where there is none (local files). */
  etag?: string;
  /** Last modification, milliseconds since the epoch, when known. */
  mtimeMs?: number;
  /**
   * `file` for a regular file or object; `link` for a symbolic link and `other` for a pipe,
   * a device or a socket (local only, as listed: never followed, never read).
   */
  kind: "file" | "link" | "other";
}

/** How far a listing looks. */
export interface ListOptions {
  /** Folders below the prefix to look into (0: only objects directly under it); default all. */
  maxDepth?: number;
}

/** What kind of failure a {@linkcode StorageError} is. */
export type StorageProblem =
  | "not_found"
  | "no_bucket"
  | "not_directory"
  | "is_directory"
  | "link"
  | "too_large"
  | "failed";

/** A storage operation that failed; the message is one line, without secrets. */
export class StorageError extends DataSourceError {
  /** What kind of failure. */
  readonly problem: StorageProblem;
  /** Why, without naming the object (e.g. `access denied (…)`, `Permission denied`). */
  readonly reason: string;

  constructor(message: string, reason: string, problem: StorageProblem = "failed") {
    // A store that refused or could not be reached is runtime trouble: exit 3.
    super(message, 3);
    this.reason = reason;
    this.problem = problem;
  }
}

/** A place that holds files or objects. */
export interface Storage {
  /** The location as it was given (a path or a URI without secrets), for messages. */
  readonly uri: string;
  /**
   * True where a folder exists apart from its files (a local directory); false where a
   * prefix exists only through its objects (S3), so an empty listing means nothing is there.
   */
  readonly folders: boolean;
  /** `key` as messages and results name it: a path or `s3://bucket/key`. */
  describe(key: string): string;
  /**
   * Every object whose key starts with `prefix` (a folder ends with `/`; `""` is the
   * root), in key order. A root that does not exist is `not_found` (`no_bucket` for a
   * missing bucket); a root that is a file is `not_directory`.
   */
  list(prefix: string, options?: ListOptions): Promise<StoredObject[]>;
  /** One object (symbolic links followed); `not_found` when there is none. */
  stat(key: string): Promise<StoredObject & { folder?: boolean }>;
  /** Bytes `start` to `end` (exclusive); fewer when the object ends first. */
  readRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** The whole object, when it is at most `maxBytes` (`too_large` otherwise). */
  read(key: string, maxBytes: number): Promise<Uint8Array>;
  /** The whole object, chunk by chunk; a chunk is valid until the next is asked for. */
  chunks(key: string): AsyncIterable<Uint8Array>;
  /** Copies the object into the new local file `path` (created, readable by the owner only). */
  download(key: string, path: string): Promise<void>;
  /** The object's own local path when it can be read in place; undefined when not local. */
  localPath(key: string): string | undefined;
  /**
   * A fresh private local directory for files to {@linkcode put} under `prefix` (beside it
   * when the storage is local, so that publishing is a rename). Remove it with
   * `removeTempDir` (`src/core/temp_dirs.ts`).
   */
  stagingDir(prefix: string): Promise<string>;
  /**
   * Stores the local file `file` as `key`, whole or not at all (the local file may be
   * moved). Never follows a symbolic link below the root; a folder in the way is refused.
   */
  put(key: string, file: string): Promise<void>;
  /**
   * Publishes a whole staged directory as the folder `prefix` in one step when nothing is
   * there yet and the storage can (a local rename); false when it did not.
   */
  putFolder(staged: string, prefix: string): Promise<boolean>;
  /** Removes one object; one that is not there is fine. */
  delete(key: string): Promise<void>;
  /** Releases connections. The storage is not used afterwards. */
  close(): void;
}

/** Prefix of staging directories and files: never mistaken for data. */
export const STAGING_PREFIX = ".kontra-tmp-";

/** True when a path or key is a glob pattern rather than a name. */
export function isGlob(path: string): boolean {
  return /[*?[\]{}]/.test(path);
}

/** Sorts by key, byte order (as S3 lists). */
export function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** How many folders below `prefix` a key is (`a/b/file` under `""`: 2). */
export function depthOf(key: string, prefix: string): number {
  return key.slice(prefix.length).split("/").length - 1;
}
