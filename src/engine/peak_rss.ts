/**
 * Peak resident memory of this process, for `--timings` and benchmarks.
 * @module
 */

/** The high-water mark of resident memory (Linux `VmHWM`), else the current RSS. */
export function peakRssBytes(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kib = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (kib) return Number(kib) * 1024;
  } catch {
    // Not Linux: fall through to the current figure.
  }
  return Deno.memoryUsage().rss;
}
