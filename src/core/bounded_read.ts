/**
 * Reading a small text file a user names (a Kontract, a `.env` file, a manifest) with
 * a size limit, and only when it is a regular file: `/dev/zero` would be read until the
 * machine runs out of memory, and opening a FIFO blocks until someone writes to it. The
 * type is checked before the file is opened and again on the open handle; reading stops
 * one byte past the limit, whatever size the file claims (`/proc` files claim 0).
 *
 * This module imports nothing from the rest of Kontra: callers turn a
 * {@linkcode BoundedReadError} into their own error, naming the file their way.
 * @module
 */

/** Why a file could not be read. */
export type BoundedReadProblem =
  | "not_found"
  | "directory"
  | "not_regular"
  | "too_large"
  | "unreadable";

/** A file that could not be read within the rules; `message` is one line without the path. */
export class BoundedReadError extends Error {
  /** What kind of problem it was. */
  readonly problem: BoundedReadProblem;

  constructor(problem: BoundedReadProblem, message: string) {
    super(message);
    this.name = "BoundedReadError";
    this.problem = problem;
  }
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The text of the regular file at `path` (symbolic links followed), at most `maxBytes`
 * bytes of it, decoded as UTF-8. Throws a {@linkcode BoundedReadError} otherwise.
 */
export async function readBoundedTextFile(path: string, maxBytes: number): Promise<string> {
  const bytes = await readBoundedFile(path, maxBytes);
  return new TextDecoder().decode(bytes);
}

/** The bytes of the regular file at `path`, at most `maxBytes`; see readBoundedTextFile. */
export async function readBoundedFile(path: string, maxBytes: number): Promise<Uint8Array> {
  if (path === "") throw new BoundedReadError("not_found", "empty path");
  // Before opening: opening a FIFO for reading would wait for a writer forever.
  checkType(await statOf(path), maxBytes);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw readError(error);
  }
  try {
    // The name may have been swapped between the check and the open: check the handle.
    checkType(await file.stat(), maxBytes);
    return await readUpTo(file, maxBytes);
  } catch (error) {
    throw error instanceof BoundedReadError ? error : readError(error);
  } finally {
    file.close();
  }
}

/** A human description of a size limit: `10 MB`, `1 MB`, `512 KB`. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

async function statOf(path: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    throw readError(error);
  }
}

function checkType(info: Deno.FileInfo, maxBytes: number): void {
  if (info.isDirectory) throw new BoundedReadError("directory", "is a directory, not a file");
  if (!info.isFile) {
    throw new BoundedReadError(
      "not_regular",
      `is not a regular file (${kindOf(info)}); name a file`,
    );
  }
  if (info.size > maxBytes) throw tooLarge(maxBytes);
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isFifo) return "a named pipe";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "a special file";
}

async function readUpTo(file: Deno.FsFile, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const buffer = new Uint8Array(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
    const n = await file.read(buffer);
    if (n === null) break;
    chunks.push(buffer.subarray(0, n));
    total += n;
    if (total > maxBytes) throw tooLarge(maxBytes);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function tooLarge(maxBytes: number): BoundedReadError {
  return new BoundedReadError("too_large", `is larger than ${describeBytes(maxBytes)}`);
}

function readError(error: unknown): BoundedReadError {
  if (error instanceof BoundedReadError) return error;
  if (error instanceof Deno.errors.NotFound) return new BoundedReadError("not_found", "not found");
  if (error instanceof Deno.errors.PermissionDenied) {
    return new BoundedReadError("unreadable", "permission denied");
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new BoundedReadError("directory", "is a directory, not a file");
  }
  // The runtime's message quotes the path, which the caller prints its own way.
  const text = error instanceof Error ? error.message : String(error);
  const reason = text.split("\n")[0].replace(/:\s*\w+ '.*'$/, "").replace(/ \(os error \d+\)/, "");
  return new BoundedReadError("unreadable", `cannot read: ${reason || "I/O error"}`);
}
