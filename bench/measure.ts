/**
 * Measuring a command as a whole process tree: wall time, CPU time (user + sys) and
 * peak resident memory. Linux: `/usr/bin/time` gives CPU time and the largest
 * process's peak (ru_maxrss); /proc is sampled every 50 ms for the sum of the RSS of
 * the process and all its descendants. The figure reported is the larger of the two.
 * @module
 */

/** One measured run. */
export interface Run {
  seconds: number;
  /** user + sys CPU seconds of the whole tree (NaN where unknown). */
  cpuSeconds: number;
  peakRssBytes: number;
  stdout: string;
  stderr: string;
  code: number;
}

const TIME = "/usr/bin/time";
const MARK = "__kontra_bench_time__";
const PAGE = 4096;

let timeAvailable: boolean | undefined;
function hasTime(): boolean {
  if (timeAvailable === undefined) {
    try {
      timeAvailable = Deno.statSync(TIME).isFile && Deno.build.os === "linux";
    } catch {
      timeAvailable = false;
    }
  }
  return timeAvailable;
}

/** Runs `command` and measures it; throws when it exits with a code above `okUpTo`. */
export async function measure(
  command: string[],
  options: { env?: Record<string, string>; okUpTo?: number } = {},
): Promise<Run> {
  const timed = hasTime();
  const args = timed ? ["-f", `${MARK} %e %U %S %M`, ...command] : command.slice(1);
  const started = performance.now();
  const child = new Deno.Command(timed ? TIME : command[0], {
    args,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakTree = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakTree = Math.max(peakTree, treeRss(child.pid));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const output = await child.output();
  sampling = false;
  await sampler;
  const seconds = (performance.now() - started) / 1000;
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  let stderr = decode(output.stderr);
  let cpuSeconds = Number.NaN;
  let maxRss = 0;
  const mark = stderr.lastIndexOf(MARK);
  if (mark >= 0) {
    const [, , user, sys, kib] = stderr.slice(mark).trim().split(/\s+/);
    cpuSeconds = Number(user) + Number(sys);
    maxRss = Number(kib) * 1024;
    stderr = stderr.slice(0, mark).replace(/Command exited with non-zero status \d+\n$/, "");
  }
  const run = {
    seconds,
    cpuSeconds,
    peakRssBytes: Math.max(maxRss, peakTree),
    stdout: decode(output.stdout),
    stderr,
    code: output.code,
  };
  if (output.code > (options.okUpTo ?? 1)) {
    throw new Error(`${command.join(" ")} exited ${output.code}: ${stderr.slice(-2000)}`);
  }
  return run;
}

/** `deno run -A <args>` measured. */
export function measureDeno(
  args: string[],
  options: { env?: Record<string, string>; okUpTo?: number } = {},
): Promise<Run> {
  return measure([Deno.execPath(), "run", "-A", ...args], options);
}

/** The sum of the resident memory of `pid` and all its descendants (Linux), else 0. */
export function treeRss(pid: number): number {
  if (Deno.build.os !== "linux") return 0;
  const children = new Map<number, number[]>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        // The command name may hold spaces and parentheses: fields follow the last ")".
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(entry.name));
        children.set(ppid, list);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    return 0;
  }
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    try {
      const statm = Deno.readTextFileSync(`/proc/${next}/statm`).split(" ");
      total += Number(statm[1]) * PAGE;
    } catch {
      // Gone.
    }
    pending.push(...(children.get(next) ?? []));
  }
  return total;
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
