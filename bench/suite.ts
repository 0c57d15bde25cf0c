/**
 * The benchmark suite behind `bench:scale` and `bench:ci`. Every figure is measured
 * next to its baseline in the same run, runs interleaved, medians reported: absolute
 * seconds are noisy on shared machines, ratios much less.
 *
 * Kontra runs as the CLI in a child process (`kontra validate … -o json --timings`), so
 * wall time, CPU time and peak RSS cover the whole process tree (measure.ts). The S3
 * server (s3rver) runs in this process, on loopback, and counts the bytes it sends.
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { join } from "node:path";
import { startS3Server } from "../tests/support/s3_server.ts";
import { ensureUsersData, parquetFiles } from "./data.ts";
import { writeKontracts } from "./kontracts.ts";
import { describeMachine, type Machine } from "./machine.ts";
import { measureDeno, median, type Run } from "./measure.ts";

/** The columns bench/users.yml's rules read. */
const RULE_COLUMNS = ["user_id", "email", "name", "age", "country", "status"];

/** What to run. */
export interface SuiteOptions {
  rows: number;
  /** Rows per file. */
  chunk: number;
  runs: number;
  /** Also read the data from an S3 server on loopback. */
  s3: boolean;
  /** Rule counts for the scaling series (prefixes of kontracts.ts's list). */
  ruleCounts: number[];
  /** Hand-written baselines (bench/hand_written.ts) to run locally. */
  handVariants: string[];
  log: (message: string) => void;
}

/** The median of a few measured runs. */
export interface Summary {
  seconds: number;
  /** (user + sys) / wall / cores. */
  cpu_utilisation: number;
  peak_rss_mb: number;
  runs_s: number[];
}

/** One Kontra figure with what Kontra said about its own run (`--timings`). */
export interface KontraSummary extends Summary {
  phases_ms: Record<string, number>;
  rows_scanned: number;
  scan_passes: number;
}

/** Everything the suite measured. */
export interface Report {
  machine: Machine;
  dataset: { rows: number; files: number; bytes: number; columns: number };
  runs: number;
  local: {
    kontra: KontraSummary;
    bare_scan: Summary;
    hand_written: Record<string, Summary>;
    best_hand_written: string;
    ratio_vs_bare_scan: number;
    ratio_vs_hand_written: number;
  };
  s3?: {
    kontra: KontraSummary;
    bare_scan: Summary;
    hand_written: Summary;
    ratio_vs_bare_scan: number;
    ratio_vs_hand_written: number;
    /** Bytes the server sent during one Kontra run, and over the objects' total size. */
    bytes_read: number;
    bytes_ratio: number;
    requests: number;
  };
  metadata_only: {
    rules: number;
    local_bytes_read: number;
    s3_bytes_read?: number;
    bytes_total: number;
    fraction: number;
    tiers: string[];
  };
  rule_counts: { rules: number; seconds: number; peak_rss_mb: number }[];
  ratio_20_vs_10_rules?: number;
  counts: Record<string, number>;
}

const mb = (bytes: number) => Math.round(bytes / 1e6);
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function summarize(runs: Run[]): Summary {
  const cores = navigator.hardwareConcurrency;
  return {
    seconds: round(median(runs.map((run) => run.seconds))),
    cpu_utilisation: round(median(runs.map((run) => run.cpuSeconds / run.seconds / cores))),
    peak_rss_mb: mb(Math.max(...runs.map((run) => run.peakRssBytes))),
    runs_s: runs.map((run) => round(run.seconds)),
  };
}

// deno-lint-ignore no-explicit-any
type Document = any;

function kontraSummary(runs: Run[]): KontraSummary {
  const documents: Document[] = runs.map((run) => JSON.parse(run.stdout));
  const phases = new Set(documents.flatMap((doc) => Object.keys(doc.stats.phases_ms)));
  return {
    ...summarize(runs),
    phases_ms: Object.fromEntries(
      [...phases].map((phase) => [
        phase,
        Math.round(median(documents.map((doc) => doc.stats.phases_ms[phase] ?? 0))),
      ]),
    ),
    rows_scanned: documents[0].stats.rows_scanned,
    scan_passes: documents[0].stats.scan_passes,
  };
}

function countsOf(run: Run): Record<string, number> {
  const document = JSON.parse(run.stdout);
  return Object.fromEntries(
    document.results.map((rule: Document) => [rule.rule_id, rule.failed_count]),
  );
}

function sameCounts(
  what: string,
  expected: Record<string, number>,
  actual: Record<string, number>,
) {
  const a = JSON.stringify(Object.entries(expected).sort());
  const b = JSON.stringify(Object.entries(actual).sort());
  if (a !== b) throw new Error(`${what}: counts differ from Kontra's:\n  ${a}\n  ${b}`);
}

const kontra = (kontract: string, data: string, env?: Record<string, string>) =>
  measureDeno(["cli.ts", "validate", kontract, "--data", data, "-o", "json", "--timings"], {
    env,
  });

/** The repository root: every path the suite uses is relative to it. */
export const ROOT = new URL("../", import.meta.url).pathname;

/** Runs the suite. */
export async function runSuite(options: SuiteOptions): Promise<Report> {
  const { rows, runs, log } = options;
  const machine = await describeMachine();
  const dir = await ensureUsersData(rows, options.chunk, { log });
  const files = parquetFiles(dir);
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  const work = await Deno.makeTempDir({ prefix: "kontra-bench-" });
  try {
    const kontracts = await writeKontracts(work, options.ruleCounts);

    log(`local: kontra, bare scan, hand-written (${options.handVariants.join(", ")}) × ${runs}`);
    const local = { kontra: [] as Run[], bare: [] as Run[], hand: new Map<string, Run[]>() };
    for (let run = 0; run < runs; run++) {
      local.kontra.push(await kontra(kontracts.bench, dir));
      local.bare.push(await measureDeno(["bench/bare_scan.ts", dir, ...RULE_COLUMNS]));
      for (const variant of options.handVariants) {
        const measured = await measureDeno(["bench/hand_written.ts", variant, dir]);
        local.hand.set(variant, [...local.hand.get(variant) ?? [], measured]);
      }
      log(`  run ${run + 1}: kontra ${local.kontra.at(-1)!.seconds.toFixed(2)} s`);
    }
    const counts = countsOf(local.kontra[0]);
    for (const [variant, measured] of local.hand) {
      sameCounts(`hand-written ${variant}`, counts, JSON.parse(measured[0].stdout).counts);
    }
    const hand = Object.fromEntries(
      [...local.hand].map(([v, measured]) => [v, summarize(measured)]),
    );
    const best = Object.entries(hand).sort((a, b) => a[1].seconds - b[1].seconds)[0][0];
    const kontraLocal = kontraSummary(local.kontra);
    const bareLocal = summarize(local.bare);

    log("metadata only");
    const metadataRun = await kontra(kontracts.metadata, dir);
    const metadataDocument = JSON.parse(metadataRun.stdout);

    log(`rule counts ${options.ruleCounts.join(", ")} × ${runs}`);
    const byCount = new Map<number, Run[]>();
    for (let run = 0; run < runs; run++) {
      for (const count of options.ruleCounts) {
        const measured = await kontra(kontracts.byCount.get(count)!, dir);
        byCount.set(count, [...byCount.get(count) ?? [], measured]);
      }
    }
    const ruleCounts = options.ruleCounts.map((count) => {
      const summary = summarize(byCount.get(count)!);
      return { rules: count, seconds: summary.seconds, peak_rss_mb: summary.peak_rss_mb };
    });
    const at = (count: number) => ruleCounts.find((entry) => entry.rules === count)?.seconds;

    const report: Report = {
      machine,
      dataset: { rows, files: files.length, bytes: bytesTotal, columns: 10 },
      runs,
      local: {
        kontra: kontraLocal,
        bare_scan: bareLocal,
        hand_written: hand,
        best_hand_written: best,
        ratio_vs_bare_scan: round(kontraLocal.seconds / bareLocal.seconds),
        ratio_vs_hand_written: round(kontraLocal.seconds / hand[best].seconds),
      },
      metadata_only: {
        rules: metadataDocument.results.length,
        local_bytes_read: metadataDocument.stats.bytes_read ?? 0,
        bytes_total: bytesTotal,
        fraction: (metadataDocument.stats.bytes_read ?? 0) / bytesTotal,
        tiers: [
          ...new Set<string>(metadataDocument.results.map((r: Document) => r.execution_source)),
        ],
      },
      rule_counts: ruleCounts,
      ...(at(20) && at(10) ? { ratio_20_vs_10_rules: round(at(20)! / at(10)!) } : {}),
      counts,
    };
    if (options.s3) report.s3 = await s3Figures(dir, kontracts, report, options);
    return report;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

async function s3Figures(
  dir: string,
  kontracts: { bench: string; metadata: string },
  report: Report,
  { runs, log }: SuiteOptions,
): Promise<Report["s3"]> {
  const server = await startS3Server();
  try {
    log("S3: uploading to s3rver on loopback");
    await server.createBucket("bench");
    for (const file of parquetFiles(dir)) {
      await server.putFile("bench", `users/${file.name}`, file.path);
    }
    const env = server.env();
    const data = "s3://bench/users/";
    log(`S3: kontra, bare scan, hand-written × ${runs}`);
    const measured = { kontra: [] as Run[], bare: [] as Run[], hand: [] as Run[] };
    let bytes = 0;
    let requests = 0;
    for (let run = 0; run < runs; run++) {
      server.resetBytes();
      measured.kontra.push(await kontra(kontracts.bench, data, env));
      bytes = server.bytesSent();
      requests = server.requests().length;
      measured.bare.push(await measureDeno(["bench/bare_scan.ts", data, ...RULE_COLUMNS], { env }));
      measured.hand.push(
        await measureDeno(["bench/hand_written.ts", "polars+duckdb", data], { env }),
      );
      log(`  run ${run + 1}: kontra ${measured.kontra.at(-1)!.seconds.toFixed(2)} s`);
    }
    sameCounts("S3 kontra", report.counts, countsOf(measured.kontra[0]));
    sameCounts("S3 hand-written", report.counts, JSON.parse(measured.hand[0].stdout).counts);
    server.resetBytes();
    await kontra(kontracts.metadata, data, env);
    report.metadata_only.s3_bytes_read = server.bytesSent();
    const kontraS3 = kontraSummary(measured.kontra);
    const bare = summarize(measured.bare);
    const hand = summarize(measured.hand);
    return {
      kontra: kontraS3,
      bare_scan: bare,
      hand_written: hand,
      ratio_vs_bare_scan: round(kontraS3.seconds / bare.seconds),
      ratio_vs_hand_written: round(kontraS3.seconds / hand.seconds),
      bytes_read: bytes,
      bytes_ratio: round(bytes / report.dataset.bytes, 3),
      requests,
    };
  } finally {
    await server.close();
  }
}

/** The report as Markdown tables. */
export function markdown(report: Report): string {
  const { local, s3, machine, dataset } = report;
  const gb = (megabytes: number) => (megabytes / 1000).toFixed(2);
  const pct = (value: number) => `${Math.round(value * 100)}%`;
  const s = (value: number) => value.toFixed(1);
  const lines = [
    `${dataset.rows.toLocaleString("en")} rows, ${dataset.files} Parquet files, ` +
    `${
      (dataset.bytes / 1e6).toFixed(1)
    } MB; bench/users.yml (13 rules); median of ${report.runs} runs; ` +
    `${machine.cores} cores, ${machine.memory_gb} GB, ${machine.os}, Deno ${machine.deno}, ` +
    `nodejs-polars ${machine.nodejs_polars}, DuckDB ${machine.duckdb}.`,
    "",
    "| figure | local | S3 (s3rver, loopback) |",
    "| --- | ---: | ---: |",
    `| Kontra wall time | ${s(local.kontra.seconds)} s | ${
      s3 ? `${s(s3.kontra.seconds)} s` : "—"
    } |`,
    `| peak RSS, whole process tree | ${gb(local.kontra.peak_rss_mb)} GB | ${
      s3 ? `${gb(s3.kontra.peak_rss_mb)} GB` : "—"
    } |`,
    `| CPU utilisation ((user+sys)/wall/cores) | ${pct(local.kontra.cpu_utilisation)} | ${
      s3 ? pct(s3.kontra.cpu_utilisation) : "—"
    } |`,
    `| bytes read / dataset size | — | ${
      s3 ? `${s3.bytes_ratio.toFixed(2)} (${s3.requests} requests)` : "—"
    } |`,
    `| bare Polars scan of the rule columns | ${s(local.bare_scan.seconds)} s | ${
      s3 ? `${s(s3.bare_scan.seconds)} s` : "—"
    } |`,
    `| best hand-written query (${local.best_hand_written}) | ${
      s(local.hand_written[local.best_hand_written].seconds)
    } s | ${s3 ? `${s(s3.hand_written.seconds)} s` : "—"} |`,
    `| **Kontra / best hand-written** | **${local.ratio_vs_hand_written.toFixed(2)}** | **${
      s3 ? s3.ratio_vs_hand_written.toFixed(2) : "—"
    }** |`,
    `| Kontra / bare scan | ${local.ratio_vs_bare_scan.toFixed(2)} | ${
      s3 ? s3.ratio_vs_bare_scan.toFixed(2) : "—"
    } |`,
    `| metadata-only Kontract (${report.metadata_only.rules} rules): bytes read | ${
      (100 * report.metadata_only.fraction).toFixed(3)
    }% | ${
      report.metadata_only.s3_bytes_read === undefined
        ? "—"
        : `${(100 * report.metadata_only.s3_bytes_read / dataset.bytes).toFixed(3)}%`
    } |`,
    `| rows scanned × passes | ${
      local.kontra.rows_scanned.toLocaleString("en")
    } × ${local.kontra.scan_passes} | ${
      s3 ? `${s3.kontra.rows_scanned.toLocaleString("en")} × ${s3.kontra.scan_passes}` : "—"
    } |`,
    `| time per phase (ms) | ${phases(local.kontra.phases_ms)} | ${
      s3 ? phases(s3.kontra.phases_ms) : "—"
    } |`,
    "",
    `| rules | ${report.rule_counts.map((entry) => entry.rules).join(" | ")} |`,
    `| --- | ${report.rule_counts.map(() => "---:").join(" | ")} |`,
    `| local wall time | ${
      report.rule_counts.map((entry) => `${s(entry.seconds)} s`).join(" | ")
    } |`,
    `| peak RSS | ${
      report.rule_counts.map((entry) => `${gb(entry.peak_rss_mb)} GB`).join(" | ")
    } |`,
  ];
  if (report.ratio_20_vs_10_rules !== undefined) {
    lines.push("", `20 rules / 10 rules: ${report.ratio_20_vs_10_rules.toFixed(2)}×.`);
  }
  const others = Object.entries(local.hand_written).filter(([v]) => v !== local.best_hand_written);
  if (others.length > 0) {
    lines.push(
      "",
      "Other hand-written baselines (local): " +
        others.map(([v, summary]) =>
          `${v} ${s(summary.seconds)} s at ${gb(summary.peak_rss_mb)} GB`
        ).join("; ") + ".",
    );
  }
  return lines.join("\n") + "\n";
}

function phases(ms: Record<string, number>): string {
  return ["scan", "local_copy", "duplicates", "sql"]
    .filter((phase) => ms[phase] !== undefined)
    .map((phase) => `${phase} ${ms[phase]}`)
    .join(", ");
}

/** Where reports go. */
export function resultPath(name: string): string {
  return join(new URL("./results/", import.meta.url).pathname, name);
}

/** `users_100m`-style names: the prefix, the row count in millions (or rows), a suffix. */
export function resultName(prefix: string, rows: number, suffix = ""): string {
  return `${prefix}_${rows >= 1e6 ? `${rows / 1e6}m` : rows}${suffix}`;
}

/** Writes a bench's report as `bench/results/<name>.json` and `.md`; prints the Markdown. */
export async function writeResult(name: string, report: unknown, markdown: string): Promise<void> {
  await Deno.writeTextFile(resultPath(`${name}.json`), JSON.stringify(report, null, 2) + "\n");
  await Deno.writeTextFile(resultPath(`${name}.md`), markdown);
  console.log(markdown);
}

/** What a bench over the generated users data was asked (see {@linkcode benchArgs}). */
export interface BenchArgs {
  rows: number;
  chunk: number;
  runs: number;
  /** The result's file name, when given. */
  name?: string;
  /** The bench's own string options, by name. */
  own: Record<string, string | undefined>;
  positionals: string[];
}

/**
 * The arguments of a bench over the generated users data: `--rows` (default 100M),
 * `--chunk`, `--runs`, `--name`, and the bench's `own` string options with their defaults.
 */
export function benchArgs(own: Record<string, string | undefined> = {}): BenchArgs {
  const options: ParseArgsOptionsConfig = {
    rows: { type: "string", default: "100000000" },
    chunk: { type: "string", default: "5000000" },
    runs: { type: "string", default: "3" },
    name: { type: "string" },
  };
  for (const [option, fallback] of Object.entries(own)) {
    options[option] = fallback === undefined
      ? { type: "string" }
      : { type: "string", default: fallback };
  }
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options,
    allowPositionals: true,
  });
  const text = values as Record<string, string | undefined>;
  return {
    rows: Number(text.rows),
    chunk: Number(text.chunk),
    runs: Number(text.runs),
    ...(text.name === undefined ? {} : { name: text.name }),
    own: Object.fromEntries(Object.keys(own).map((option) => [option, text[option]])),
    positionals,
  };
}
