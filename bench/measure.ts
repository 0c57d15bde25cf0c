/**
 * Runs a command and measures its wall time; the command reports its own peak RSS
 * (Polars runs in-process, so one process is the whole tree).
 * @module
 */

/** One measured run. */
export interface Run {
  seconds: number;
  peakRssBytes: number;
  stdout: string;
}

/** Runs `deno run -A <args>` and times it. `rss` extracts the peak RSS from stdout. */
export async function measureDeno(args: string[], rss: (stdout: string) => number): Promise<Run> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const stdout = new TextDecoder().decode(output.stdout);
  if (output.code > 1) {
    throw new Error(
      `${args.join(" ")} exited ${output.code}: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return { seconds, peakRssBytes: rss(stdout), stdout };
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
