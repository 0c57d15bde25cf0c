/**
 * Kontra against ONE hand-written query on a database, the way bench/postgres.ts and
 * bench/mysql.ts compare them: one warm-up of each (which must give the same counts),
 * then `runs` interleaved timings, medians, and the ratio, written to
 * `bench/results/<name>.json`.
 * @module
 */
import { median } from "./measure.ts";

/** One timed measurement: seconds and the failed counts it found, in rule order. */
export interface Timed {
  seconds: number;
  counts: number[];
}

/** What the comparison found. */
export interface VersusResult {
  rows: number;
  rules: number;
  runs: number;
  kontra_seconds: number;
  hand_written_seconds: number;
  ratio: number;
  kontra_runs: number[];
  hand_written_runs: number[];
  counts: number[];
}

/** Runs the comparison and writes `bench/results/<name>.json`. */
export async function versusHandWritten(
  name: string,
  shape: { rows: number; rules: number; runs: number },
  kontra: () => Promise<Timed>,
  handWritten: () => Promise<Timed>,
): Promise<VersusResult> {
  // Warm the cache once each, and check both measure the same counts.
  const warmKontra = await kontra();
  const warmHand = await handWritten();
  if (JSON.stringify(warmKontra.counts) !== JSON.stringify(warmHand.counts)) {
    throw new Error(`counts differ: ${warmKontra.counts} vs ${warmHand.counts}`);
  }
  const kontraRuns: number[] = [];
  const handRuns: number[] = [];
  for (let run = 0; run < shape.runs; run++) {
    kontraRuns.push((await kontra()).seconds);
    handRuns.push((await handWritten()).seconds);
  }
  const round = (seconds: number) => Number(seconds.toFixed(3));
  const result = {
    ...shape,
    kontra_seconds: round(median(kontraRuns)),
    hand_written_seconds: round(median(handRuns)),
    ratio: round(median(kontraRuns) / median(handRuns)),
    kontra_runs: kontraRuns.map(round),
    hand_written_runs: handRuns.map(round),
    counts: warmKontra.counts,
  };
  await Deno.mkdir("bench/results", { recursive: true });
  await Deno.writeTextFile(`bench/results/${name}.json`, JSON.stringify(result, null, 2) + "\n");
  return result;
}
