/**
 * On SIGINT or SIGTERM the CLI removes its temporary directories, then dies of the
 * signal (exit code 130 or 143, as a shell reports it). The listener lives in a worker:
 * a Polars pass blocks the main thread for its whole length, and a listener there would
 * only run once it ended. The worker is told of every directory as it is made or removed.
 * @module
 */
import { watchTempDirs } from "./temp_dirs.ts";

let installed = false;

/** Installs the cleanup once per process (the CLI's entry point calls it). */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  const worker = new Worker(new URL("./signal_cleanup_worker.ts", import.meta.url), {
    type: "module",
  });
  watchTempDirs((change) => worker.postMessage(change));
}
