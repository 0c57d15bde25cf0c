/**
 * A {@linkcode Storage} over a local directory. Keys are paths below the root (with an
 * empty root, paths as given). Listings do not follow symbolic links to folders (a loop
 * is never walked) and report links, pipes and devices as what they are, so that a
 * caller never reads one by mistake. Writing never follows a symbolic link below the
 * root and never removes a folder in the way: others may be able to write there.
 * @module
 */
import { dirname } from "node:path";
import { BoundedReadError, readBoundedFile } from "../core/bounded_read.ts";
import { describeError } from "../core/errors.ts";
import { printable } from "../core/printable.ts";
import { forgetTempDir, makeTempDir } from "../core/temp_dirs.ts";
import {
  byKey,
  type ListOptions,
  STAGING_PREFIX,
  type Storage,
  StorageError,
  type StorageProblem,
  type StoredObject,
} from "./storage.ts";

const CHUNK_BYTES = 1024 * 1024;

/** Files under a local directory. */
export class LocalStorage implements Storage {
  readonly uri: string;
  readonly folders = true;
  /** The root without trailing slashes; `""` when keys are paths as given. */
  readonly #root: string;

  /** `root` as given (relative to the working directory, or absolute); `""`: no root. */
  constructor(root: string) {
    this.uri = root;
    this.#root = root === "" ? "" : root.replace(/\/+$/, "") || "/";
  }

  describe(key: string): string {
    // The root as a folder: `dlq/`, like any folder key.
    if (key === "" && this.#root !== "") return this.#root === "/" ? "/" : `${this.#root}/`;
    return this.#path(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<StoredObject[]> {
    const folder = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    const where = printable(prefix === "" ? this.uri : this.#path(prefix));
    const root = await this.#statOr(folder, where);
    if (!root.isDirectory) {
      throw new StorageError(`${where}: not a directory`, "not a directory", "not_directory");
    }
    const found: StoredObject[] = [];
    try {
      await this.#walk(folder, options.maxDepth ?? Infinity, found);
    } catch (error) {
      throw this.#error(where, "cannot read", error);
    }
    return found.filter((object) => object.key.startsWith(prefix)).sort(byKey);
  }

  async stat(key: string): Promise<StoredObject & { folder?: boolean }> {
    const info = await this.#statOr(key, printable(this.#path(key)));
    return {
      ...stored(key, info),
      kind: info.isFile ? "file" : "other",
      ...(info.isDirectory ? { folder: true } : {}),
    };
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    try {
      using file = await Deno.open(this.#path(key));
      await file.seek(start, Deno.SeekMode.Start);
      const buffer = new Uint8Array(end - start);
      let filled = 0;
      while (filled < buffer.length) {
        const n = await file.read(buffer.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      return buffer.subarray(0, filled);
    } catch (error) {
      throw this.#error(printable(this.#path(key)), "cannot read", error);
    }
  }

  async read(key: string, maxBytes: number): Promise<Uint8Array> {
    const where = printable(this.#path(key));
    try {
      return await readBoundedFile(this.#path(key), maxBytes);
    } catch (error) {
      if (!(error instanceof BoundedReadError)) throw this.#error(where, "cannot read", error);
      const problem: StorageProblem = error.problem === "not_found"
        ? "not_found"
        : error.problem === "too_large"
        ? "too_large"
        : error.problem === "directory"
        ? "is_directory"
        : "failed";
      throw new StorageError(`${where}: ${error.message}`, error.message, problem);
    }
  }

  async *chunks(key: string): AsyncGenerator<Uint8Array> {
    const where = printable(this.#path(key));
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path(key), { read: true });
    } catch (error) {
      throw this.#error(where, "cannot read", error);
    }
    try {
      const buffer = new Uint8Array(CHUNK_BYTES);
      while (true) {
        let read: number | null;
        try {
          read = await file.read(buffer);
        } catch (error) {
          throw this.#error(where, "cannot read", error);
        }
        if (read === null) return;
        yield buffer.subarray(0, read);
      }
    } finally {
      file.close();
    }
  }

  async download(key: string, path: string): Promise<void> {
    try {
      const input = await Deno.open(this.#path(key), { read: true });
      let output: Deno.FsFile;
      try {
        output = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
      } catch (error) {
        input.close();
        throw error;
      }
      // Closes both, also on failure.
      await input.readable.pipeTo(output.writable);
    } catch (error) {
      throw this.#error(printable(this.#path(key)), "cannot read", error);
    }
  }

  localPath(key: string): string {
    return this.#path(key);
  }

  async stagingDir(prefix: string): Promise<string> {
    // Without a trailing slash, which would make lstat follow a link.
    const folder = this.#path(prefix).replace(/(.)\/+$/, "$1");
    try {
      await this.#folders(prefix);
      // Beside what it becomes, so that publishing is a rename on one file system.
      const staged = await makeTempDir({ dir: folder, prefix: STAGING_PREFIX });
      await Deno.chmod(staged, 0o755); // it may become a folder readable like any other
      return staged;
    } catch (error) {
      throw this.#error(printable(folder), "cannot write", error);
    }
  }

  async put(key: string, file: string): Promise<void> {
    const target = this.#path(key);
    try {
      await this.#folders(key.slice(0, key.lastIndexOf("/") + 1));
      if ((await kindOf(target)) === "directory") {
        throw new StorageError(
          `${printable(target)} is a directory: refusing to replace it`,
          "a directory: refusing to replace it",
          "is_directory",
        );
      }
      // A rename onto a symbolic link replaces the link itself, never what it points to.
      await Deno.rename(file, target).catch(async (error) => {
        if (!/cross-device|EXDEV/i.test(String(error))) throw error;
        // Another file system: copied beside the target first, then renamed into place.
        const beside = `${dirname(target)}/${STAGING_PREFIX}${crypto.randomUUID()}`;
        await Deno.copyFile(file, beside);
        await Deno.rename(beside, target).catch(async (renameError) => {
          await Deno.remove(beside).catch(() => {});
          throw renameError;
        });
      });
    } catch (error) {
      throw this.#error(printable(target), "cannot write", error);
    }
  }

  async putFolder(staged: string, prefix: string): Promise<boolean> {
    // Without a trailing slash, which would make lstat follow a link.
    const folder = this.#path(prefix).replace(/(.)\/+$/, "$1");
    try {
      if ((await kindOf(folder)) === "missing") {
        try {
          // A new folder appears whole; it is no longer temporary.
          await Deno.rename(staged, folder);
          forgetTempDir(staged);
          return true;
        } catch (error) {
          // Someone made it meanwhile: look at what is there now.
          if ((await kindOf(folder)) === "missing") throw error;
        }
      }
      await requireRealFolder(folder);
      return false;
    } catch (error) {
      throw this.#error(printable(folder), "cannot write", error);
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      if ((await kindOf(path)) === "directory") {
        throw new StorageError(
          `${printable(path)} is a directory: refusing to remove it`,
          "a directory: refusing to remove it",
          "is_directory",
        );
      }
      await Deno.remove(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw this.#error(printable(path), "cannot delete", error);
    }
  }

  close(): void {}

  #path(key: string): string {
    if (this.#root === "" || key === "") return this.#root || key;
    return this.#root === "/" ? `/${key}` : `${this.#root}/${key}`;
  }

  /** What a key names, links followed; a missing one is `not_found`. */
  async #statOr(key: string, where: string): Promise<Deno.FileInfo> {
    try {
      return await Deno.stat(this.#path(key));
    } catch (error) {
      throw this.#error(where, "cannot read", error);
    }
  }

  /** Objects below `folder`, folders looked into down to `depth`; links never followed. */
  async #walk(folder: string, depth: number, found: StoredObject[]): Promise<void> {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(this.#path(folder))) entries.push(entry);
    for (const entry of entries) {
      const key = `${folder}${entry.name}`;
      if (entry.isDirectory) {
        if (depth > 0) await this.#walk(`${key}/`, depth - 1, found);
        continue;
      }
      const info = await Deno.lstat(this.#path(key)).catch(() => undefined);
      const kind = entry.isSymlink ? "link" : entry.isFile ? "file" : "other";
      found.push({ ...stored(key, info), kind });
    }
  }

  /**
   * Makes the folders of `prefix` below the root, refusing any that is a symbolic link or
   * not a directory: a link planted there is never followed.
   */
  async #folders(prefix: string): Promise<void> {
    if (this.#root !== "") await Deno.mkdir(this.#root, { recursive: true });
    let folder = "";
    for (const part of prefix.split("/").filter((part) => part !== "")) {
      folder += `${part}/`;
      const path = this.#path(folder).replace(/\/$/, "");
      if ((await kindOf(path)) === "missing") {
        await Deno.mkdir(path).catch(async (error) => {
          if ((await kindOf(path)) === "missing") throw error;
        });
      }
      await requireRealFolder(path);
    }
  }

  /** One line: `<what>: <verb>: <the OS's reason>`; `not_found` for a missing file. */
  #error(what: string, verb: string, error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const reason = osReason(error);
    const problem = error instanceof Deno.errors.NotFound ? "not_found" : "failed";
    return new StorageError(`${what}: ${verb}: ${reason}`, reason, problem);
  }
}

function stored(key: string, info: Deno.FileInfo | undefined): Omit<StoredObject, "kind"> {
  const mtimeMs = info?.mtime?.getTime();
  return { key, size: info?.size ?? 0, ...(mtimeMs === undefined ? {} : { mtimeMs }) };
}

/** What is at `path` itself, links not followed. */
async function kindOf(path: string): Promise<"missing" | "link" | "directory" | "other"> {
  try {
    const info = await Deno.lstat(path);
    return info.isSymlink ? "link" : info.isDirectory ? "directory" : "other";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
}

/** Refuses a folder below the root that is a link (or not a directory): never followed. */
async function requireRealFolder(path: string): Promise<void> {
  const kind = await kindOf(path);
  if (kind === "link") {
    throw new StorageError(
      `${printable(path)} is a symbolic link: links below a storage root are never followed`,
      "a symbolic link: never followed",
      "link",
    );
  }
  if (kind !== "directory") {
    throw new StorageError(
      `${printable(path)} is not a directory`,
      "not a directory",
      "not_directory",
    );
  }
}

/** The OS's reason without the path it quotes (the caller names the path its own way). */
export function osReason(error: unknown): string {
  return describeError(error).replace(/:\s*\w+ '.*$/, "").replace(/ \(os error \d+\)/, "");
}
