/**
 * `deno task bench:references [--rows 100000000] [--chunk 5000000] [--runs 3]
 *  [--reference-rows 10000000] [--name references_100m]`
 *
 * Time and peak RSS of a Kontract with ONE rule, `references` of the users dataset's
 * `user_id` (0 … rows−1, every value distinct) against `id` of a reference of
 * `--reference-rows` rows (id = 10·k; every 1,000th id is NULL, and a NULL matches
 * nothing), generated once into bench/data/references_<n>/ (git-ignored). Next to it, in
 * the same run and interleaved: the hand-written DuckDB anti-join (`SELECT count(*) FROM
 * users ANTI JOIN ids ON … WHERE user_id IS NOT NULL`, memory limit 512MB as Kontra's;
 * the fastest form we know: a correlated `NOT EXISTS` becomes a DELIM join, 2× slower).
 * Kontra runs as the CLI; medians reported. Both must count
 * rows − #{k < reference rows : k % 1000 ≠ 0 and 10·k < rows}.
 * Writes `bench/results/<name>.json` and `.md` and prints the Markdown.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import pl from "nodejs-polars";
import { stringify } from "yaml";
import { ensureUsersData } from "./data.ts";
import { measureDeno, median, type Run } from "./measure.ts";
import { benchArgs, resultName, ROOT, writeResult } from "./suite.ts";

const MARKER = "_kontra_bench.json";
const NULL_EVERY = 1000;
const STEP = 10;

/** The reference's directory, generated first unless it is already there. */
export async function ensureReference(rows: number, log: (message: string) => void) {
  const dir = `bench/data/references_${rows}`;
  const want = JSON.stringify({ generator: 1, rows, step: STEP, null_every: NULL_EVERY });
  try {
    if ((await Deno.readTextFile(`${dir}/${MARKER}`)).trim() === want) return `${dir}/ids.parquet`;
  } catch {
    // Missing: generate.
  }
  log(`generating a reference of ${rows.toLocaleString("en")} ids into ${dir} …`);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const k = pl.col("k");
  pl.DataFrame({ k: pl.intRange(0, rows, 1, pl.Int64, true) }).lazy()
    .select(
      pl.when(k.modulo(pl.lit(NULL_EVERY).cast(pl.Int64)).eq(pl.lit(0).cast(pl.Int64)))
        .then(pl.lit(null).cast(pl.Int64))
        .otherwise(k.mul(pl.lit(STEP).cast(pl.Int64))).alias("id"),
    )
    .collectSync().writeParquet(`${dir}/ids.parquet`, { compression: "zstd" });
  await Deno.writeTextFile(`${dir}/${MARKER}`, want + "\n");
  return `${dir}/ids.parquet`;
}

/** The failed count by construction. */
export function expectedMissing(rows: number, referenceRows: number): number {
  const below = Math.min(referenceRows, Math.ceil(rows / STEP));
  const nulls = Math.ceil(below / NULL_EVERY);
  return rows - (below - nulls);
}

/** The hand-written anti-join, run in a child process (`--hand-written data reference`). */
async function handWritten(data: string, reference: string): Promise<void> {
  const started = performance.now();
  const spill = await Deno.makeTempDir({ prefix: "bench-spill-" });
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: "512MB",
    temp_directory: spill,
  });
  const connection = await instance.connect();
  const rows = (await connection.runAndReadAll(
    `SELECT count(*) FROM read_parquet('${data}/*.parquet') AS t ANTI JOIN ` +
      `read_parquet('${reference}') AS r ON r.id = t.user_id WHERE t.user_id IS NOT NULL`,
  )).getRows();
  connection.closeSync();
  instance.closeSync();
  await Deno.remove(spill, { recursive: true });
  console.log(JSON.stringify({
    count: Number(rows[0][0]),
    seconds: (performance.now() - started) / 1000,
  }));
}

/** One side's figures. */
export interface Figures {
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  runs_s: number[];
}

/** What the benchmark measured. */
export interface ReferencesReport {
  rows: number;
  reference_rows: number;
  runs: number;
  failed_count: number;
  kontra: Figures & { anti_join_seconds: number };
  hand_written_duckdb: Figures;
  ratio_kontra_vs_hand_written: number;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function figuresOf(runs: Run[]): Figures {
  return {
    seconds: round(median(runs.map((r) => r.seconds))),
    cpu_seconds: round(median(runs.map((r) => r.cpuSeconds))),
    peak_rss_mb: Math.round(Math.max(...runs.map((r) => r.peakRssBytes)) / 1e6),
    runs_s: runs.map((r) => round(r.seconds)),
  };
}

/** Runs Kontra and the hand-written anti-join, interleaved. */
export async function measureReferences(options: {
  rows: number;
  chunk: number;
  referenceRows: number;
  runs: number;
  log: (message: string) => void;
}): Promise<ReferencesReport> {
  const { rows, referenceRows, runs, log } = options;
  const data = await ensureUsersData(rows, options.chunk, { log });
  const reference = await ensureReference(referenceRows, log);
  const expected = expectedMissing(rows, referenceRows);
  const work = await Deno.makeTempDir({ prefix: "kontra-bench-refs-" });
  try {
    const kontract = `${work}/references.yml`;
    await Deno.writeTextFile(
      kontract,
      stringify({
        name: "references",
        rules: [{
          name: "references",
          params: { column: "user_id", to: { datasource: `${ROOT}${reference}`, column: "id" } },
        }],
      }),
    );
    const kontra: Run[] = [];
    const hand: Run[] = [];
    const antiJoin: number[] = [];
    for (let run = 0; run < runs; run++) {
      const measured = await measureDeno(
        ["cli.ts", "validate", kontract, "--data", data, "-o", "json", "--timings"],
      );
      const document = JSON.parse(measured.stdout);
      const count = document.results[0].failed_count;
      if (count !== expected) throw new Error(`Kontra counted ${count}, expected ${expected}`);
      antiJoin.push(document.stats.phases_ms.references / 1000);
      kontra.push(measured);
      log(`  run ${run + 1}, Kontra: ${measured.seconds.toFixed(2)} s`);
      const written = await measureDeno([
        "bench/references.ts",
        "--hand-written",
        data,
        reference,
      ]);
      const handCount = JSON.parse(written.stdout).count;
      if (handCount !== expected) {
        throw new Error(`the hand-written query counted ${handCount}, expected ${expected}`);
      }
      hand.push(written);
      log(`  run ${run + 1}, hand-written DuckDB: ${written.seconds.toFixed(2)} s`);
    }
    const kontraFigures = figuresOf(kontra);
    const handFigures = figuresOf(hand);
    return {
      rows,
      reference_rows: referenceRows,
      runs,
      failed_count: expected,
      kontra: { ...kontraFigures, anti_join_seconds: round(median(antiJoin)) },
      hand_written_duckdb: handFigures,
      ratio_kontra_vs_hand_written: round(kontraFigures.seconds / handFigures.seconds),
    };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The report as Markdown. */
export function referencesMarkdown(report: ReferencesReport): string {
  const gb = (mb: number) => `${(mb / 1000).toFixed(2)} GB`;
  const row = (name: string, f: Figures) =>
    `| ${name} | ${f.seconds.toFixed(2)} s | ${f.cpu_seconds.toFixed(1)} s | ${
      gb(f.peak_rss_mb)
    } | ${f.runs_s.map((s) => s.toFixed(2)).join(", ")} |`;
  return [
    `\`references\` of ${report.rows.toLocaleString("en")} rows (user_id, all distinct) ` +
    `against ${report.reference_rows.toLocaleString("en")} reference ids (every 1,000th ` +
    `NULL); ${report.failed_count.toLocaleString("en")} values missing, counted by both; ` +
    `median of ${report.runs} runs, interleaved.`,
    "",
    "| | wall time | CPU time (user+sys) | peak RSS | runs |",
    "| --- | ---: | ---: | ---: | --- |",
    row("Kontra (CLI, whole run)", report.kontra),
    row("hand-written DuckDB anti-join (512MB)", report.hand_written_duckdb),
    "",
    `Kontra / hand-written: ${report.ratio_kontra_vs_hand_written.toFixed(2)}× wall time; ` +
    `Kontra's anti-join phase alone: ${report.kontra.anti_join_seconds.toFixed(2)} s.`,
  ].join("\n") + "\n";
}

if (import.meta.main) {
  if (Deno.args[0] === "--hand-written") {
    await handWritten(Deno.args[1], Deno.args[2]);
  } else {
    const { rows, chunk, runs, name, own } = benchArgs({ "reference-rows": "10000000" });
    Deno.chdir(ROOT);
    const report = await measureReferences({
      rows,
      chunk,
      referenceRows: Number(own["reference-rows"]),
      runs,
      log: (message) => console.error(`[bench:references] ${message}`),
    });
    await writeResult(name ?? resultName("references", rows), report, referencesMarkdown(report));
  }
}
