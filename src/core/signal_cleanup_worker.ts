/**
 * The worker of `signal_cleanup.ts`: keeps the list of live temporary directories and, on
 * SIGINT or SIGTERM, removes them, stops listening and raises the same signal again, so
 * the process ends the way an uncaught signal ends it.
 * @module
 */
import type { TempDirChange } from "./temp_dirs.ts";

const live = new Set<string>();

globalThis.addEventListener("message", (event) => {
  const change = (event as MessageEvent<TempDirChange>).data;
  if ("add" in change) live.add(change.add);
  else live.delete(change.remove);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  const onSignal = () => {
    for (const path of live) {
      try {
        Deno.removeSync(path, { recursive: true });
      } catch {
        // Gone already, or not ours to remove any more: nothing else to do on the way out.
      }
    }
    Deno.removeSignalListener(signal, onSignal);
    Deno.kill(Deno.pid, signal);
  };
  Deno.addSignalListener(signal, onSignal);
}
