/**
 * `deno task bench:compound-unique [--rows 100000000] [--chunk 5000000] [--runs 3]`
 *
 * Compound `unique` on (user_id, email) over the users dataset (scripts/users_data.ts),
 * next to two hand-written DuckDB queries counting the same, in the same run
 * (interleaved, medians reported). Kontra runs as the CLI; each hand-written query runs
 * in a process of its own (this file with `--hand-written <variant> <data>`), in DuckDB
 * under the memory limit Kontra gives DuckDB (512MB, spilling to a temporary directory),
 * over the rows with both columns set:
 * - `group_by`: the query one writes first, `GROUP BY user_id, email HAVING COUNT(*) > 1`;
 * - `hash_first`: the best we know (as bench/hand_written.ts counts `email`): GROUP BY
 *   `hash(user_id, email)`, then by the values only where hashes repeat.
 * All must give the same count. Target of issue #14: under 1.5 GB at 100M rows.
 * Writes `bench/results/<name>.json` and `.md` and prints the Markdown.
 *
 * By construction every (user_id, email) tuple is distinct (user_id is the row number),
 * so the count is 0; the work is the same as with repeats: every tuple is hashed and
 * grouped.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { stringify } from "yaml";
import { ensureUsersData } from "./data.ts";
import { measureDeno, median, type Run } from "./measure.ts";
import { benchArgs, resultName, ROOT, writeResult } from "./suite.ts";

/** The tuple measured. */
export const TUPLE = ["user_id", "email"];

/** One contender's figures. */
export interface Figures {
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  runs_s: number[];
}

/** What the benchmark measured. */
export interface CompoundUniqueReport {
  rows: number;
  runs: number;
  columns: string[];
  /** The failed count both gave. */
  failed_count: number;
  kontra: Figures;
  hand_written: Record<Variant, Figures>;
  /** Kontra's wall time over each hand-written query's. */
  ratio_vs_hand_written: Record<Variant, number>;
}

/** The hand-written queries. */
export const VARIANTS = ["group_by", "hash_first"] as const;
/** One hand-written query. */
export type Variant = (typeof VARIANTS)[number];

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** The hand-written count: rows beyond the first of each repeated all-non-null tuple. */
export async function handWrittenCount(variant: Variant, data: string): Promise<number> {
  const spill = await Deno.makeTempDir({ prefix: "kontra-bench-spill-" });
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: "512MB",
    temp_directory: spill,
  });
  try {
    const connection = await instance.connect();
    const [a, b] = TUPLE;
    const rows = `read_parquet('${data}/*.parquet') WHERE ${a} IS NOT NULL AND ${b} IS NOT NULL`;
    const repeated = (filter: string) =>
      `SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM ${rows}${filter} ` +
      `GROUP BY ${a}, ${b} HAVING COUNT(*) > 1)`;
    const sql = variant === "group_by" ? repeated("") : (
      `WITH candidates AS (SELECT hash(${a}, ${b}) AS h FROM ${rows} GROUP BY h ` +
      `HAVING COUNT(*) > 1) ` + repeated(` AND hash(${a}, ${b}) IN (SELECT h FROM candidates)`)
    );
    const reader = await connection.runAndReadAll(sql);
    connection.closeSync();
    return Number(reader.getRows()[0][0]);
  } finally {
    instance.closeSync();
    await Deno.remove(spill, { recursive: true });
  }
}

/** Runs Kontra and the hand-written query `runs` times each, interleaved. */
export async function measureCompoundUnique(options: {
  rows: number;
  chunk: number;
  runs: number;
  log: (message: string) => void;
}): Promise<CompoundUniqueReport> {
  const { rows, runs, log } = options;
  const data = await ensureUsersData(rows, options.chunk, { log });
  const work = await Deno.makeTempDir({ prefix: "kontra-bench-compound-unique-" });
  try {
    const kontract = `${work}/compound_unique.yml`;
    await Deno.writeTextFile(
      kontract,
      stringify({
        name: "compound_unique",
        datasource: data,
        rules: [{ name: "unique", params: { columns: TUPLE } }],
      }),
    );
    const kontra: Run[] = [];
    const hand: Record<Variant, Run[]> = { group_by: [], hash_first: [] };
    const counts = new Set<number>();
    for (let run = 0; run < runs; run++) {
      const measured = await measureDeno([
        "cli.ts",
        "validate",
        kontract,
        "--data",
        data,
        "-o",
        "json",
      ]);
      const [result] = JSON.parse(measured.stdout).results;
      if (result.status === "error") throw new Error(`Kontra: ${result.message}`);
      counts.add(result.failed_count);
      kontra.push(measured);
      log(`  run ${run + 1}, kontra: ${measured.seconds.toFixed(2)} s`);
      for (const variant of VARIANTS) {
        const baseline = await measureDeno([
          "bench/compound_unique.ts",
          "--hand-written",
          variant,
          data,
        ]);
        counts.add(JSON.parse(baseline.stdout).count);
        hand[variant].push(baseline);
        log(`  run ${run + 1}, hand-written ${variant}: ${baseline.seconds.toFixed(2)} s`);
      }
    }
    if (counts.size !== 1) throw new Error(`the counts differ: ${[...counts].join(", ")}`);
    const figuresOf = (measured: Run[]): Figures => ({
      seconds: round(median(measured.map((r) => r.seconds))),
      cpu_seconds: round(median(measured.map((r) => r.cpuSeconds))),
      peak_rss_mb: Math.round(Math.max(...measured.map((r) => r.peakRssBytes)) / 1e6),
      runs_s: measured.map((r) => round(r.seconds)),
    });
    const kontraFigures = figuresOf(kontra);
    const handFigures = {
      group_by: figuresOf(hand.group_by),
      hash_first: figuresOf(hand.hash_first),
    };
    return {
      rows,
      runs,
      columns: TUPLE,
      failed_count: [...counts][0],
      kontra: kontraFigures,
      hand_written: handFigures,
      ratio_vs_hand_written: {
        group_by: round(kontraFigures.seconds / handFigures.group_by.seconds),
        hash_first: round(kontraFigures.seconds / handFigures.hash_first.seconds),
      },
    };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The report as Markdown. */
export function compoundUniqueMarkdown(report: CompoundUniqueReport): string {
  const row = (label: string, figures: Figures) =>
    `| ${label} | ${figures.seconds.toFixed(2)} s | ${figures.cpu_seconds.toFixed(1)} s | ` +
    `${(figures.peak_rss_mb / 1000).toFixed(2)} GB |`;
  return [
    `\`unique\` on (${report.columns.join(", ")}), ${report.rows.toLocaleString("en")} rows; ` +
    `median of ${report.runs} runs; failed_count ${report.failed_count} from all three.`,
    "",
    "| | wall time | CPU time | peak RSS |",
    "| --- | ---: | ---: | ---: |",
    row("Kontra (CLI)", report.kontra),
    row("hand-written DuckDB: GROUP BY user_id, email", report.hand_written.group_by),
    row("hand-written DuckDB: hash first, then values", report.hand_written.hash_first),
    "",
    `Kontra: ${report.ratio_vs_hand_written.group_by.toFixed(2)}× the time of the plain ` +
    `GROUP BY, ${report.ratio_vs_hand_written.hash_first.toFixed(2)}× that of hash first ` +
    "(both hand-written queries under DuckDB's 512MB limit, as Kontra's).",
  ].join("\n") + "\n";
}

if (import.meta.main) {
  const { rows, chunk, runs, name, own, positionals } = benchArgs({ "hand-written": undefined });
  const variant = own["hand-written"];
  if (variant !== undefined) {
    if (!(VARIANTS as readonly string[]).includes(variant)) {
      throw new Error(`--hand-written: one of ${VARIANTS.join(", ")}`);
    }
    const started = performance.now();
    const count = await handWrittenCount(variant as Variant, positionals[0]);
    console.log(JSON.stringify({ count, seconds: (performance.now() - started) / 1000 }));
  } else {
    Deno.chdir(ROOT);
    const report = await measureCompoundUnique({
      rows,
      chunk,
      runs,
      log: (message) => console.error(`[bench:compound-unique] ${message}`),
    });
    await writeResult(
      name ?? resultName("compound_unique", rows),
      report,
      compoundUniqueMarkdown(report),
    );
  }
}
