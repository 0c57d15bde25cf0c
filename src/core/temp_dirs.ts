/**
 * Temporary directories Kontra makes (local copies, DuckDB spill, downloaded objects,
 * quarantine staging) are made and removed here, so that the ones still alive are known:
 * when the CLI is interrupted (SIGINT, SIGTERM) they are removed before it exits, even
 * while a Polars pass blocks the main thread (see `signal_cleanup.ts`).
 * @module
 */

/** Directories made and not yet removed. */
const live = new Set<string>();
/** Told of every change, once signal cleanup is installed. */
let listener: ((change: TempDirChange) => void) | undefined;

/** A directory made or removed, as the signal-cleanup worker is told of it. */
export type TempDirChange = { add: string } | { remove: string };

/** `Deno.makeTempDir`, remembered until {@linkcode removeTempDir}. */
export async function makeTempDir(options: Deno.MakeTempOptions): Promise<string> {
  const path = await Deno.makeTempDir(options);
  live.add(path);
  listener?.({ add: path });
  return path;
}

/**
 * Removes a directory {@linkcode makeTempDir} made (recursively; gone already is fine) and
 * forgets it. Never throws: cleaning up must not turn a result into an error.
 */
export async function removeTempDir(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
  forgetTempDir(path);
}

/** Forgets a directory that is no longer temporary (a quarantine staging dir, published). */
export function forgetTempDir(path: string): void {
  if (live.delete(path)) listener?.({ remove: path });
}

/** Directories made and not yet removed (for tests and signal cleanup). */
export function liveTempDirs(): string[] {
  return [...live];
}

/** Calls `notify` with every live directory now and with every change from now on. */
export function watchTempDirs(notify: (change: TempDirChange) => void): void {
  listener = notify;
  for (const path of live) notify({ add: path });
}
