/**
 * `deno task bench:new-rules [--rows 100000000] [--chunk 5000000] [--runs 3]`
 *
 * The benchmark Kontract (bench/users.yml) alone, and with 10 rules of the range /
 * length / pattern / freshness family added, two of them with a `when:` condition: the
 * new row rules must join the ONE streaming pass, so the second run costs little more
 * than the first (target: within 1.3× the time, under 1.5 GB). Kontra runs as the CLI,
 * runs are interleaved, medians reported; both Kontracts must count the benchmark
 * rules' violations alike.
 * Writes `bench/results/<name>.json` and `.md` and prints the Markdown.
 *
 * `bench:ci` guards the time ratio (`newRulesFigures`).
 * @module
 */
import { parse, stringify } from "yaml";
import { ensureUsersData } from "./data.ts";
import { measureDeno, median, type Run } from "./measure.ts";
import { benchArgs, resultName, ROOT, writeResult } from "./suite.ts";

/** Ten rules of issue #13 over the users dataset (scripts/users_data.ts), two with `when:`. */
export const NEW_RULES = [
  { name: "range", params: { column: "age", min: 0, max: 120 } },
  { name: "range", params: { column: "score", min: 0, max: 100 }, when: "status = 'active'" },
  { name: "length", params: { column: "name", min: 6, max: 20 } },
  {
    name: "length",
    id: "email_length_de",
    params: { column: "email", max: 64 },
    when: "country IN ('DE', 'FR') AND is_active = true",
  },
  { name: "disallowed_values", params: { column: "country", values: ["XX", "ZZ"] } },
  { name: "contains", params: { column: "email", value: "@" } },
  { name: "starts_with", params: { column: "name", value: "User " } },
  { name: "ends_with", params: { column: "email", value: ".COM", case_sensitive: false } },
  { name: "not_regex", params: { column: "email", pattern: "\\s" } },
  { name: "like", params: { column: "status", pattern: "%active" } },
];

/** One Kontract's figures. */
export interface KontractFigures {
  rules: number;
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  runs_s: number[];
}

/** What the benchmark measured. */
export interface NewRulesReport {
  rows: number;
  runs: number;
  bench: KontractFigures;
  with_new_rules: KontractFigures;
  /** Wall time with the new rules over without. */
  ratio_with_new_rules: number;
  /** The new rules' failed counts, by id. */
  new_rule_counts: Record<string, number>;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Runs both Kontracts `runs` times, interleaved. */
export async function measureNewRules(options: {
  rows: number;
  chunk: number;
  runs: number;
  log: (message: string) => void;
}): Promise<NewRulesReport> {
  const { rows, runs, log } = options;
  const data = await ensureUsersData(rows, options.chunk, { log });
  const work = await Deno.makeTempDir({ prefix: "kontra-bench-new-rules-" });
  try {
    const bench = parse(await Deno.readTextFile(`${ROOT}bench/users.yml`));
    const kontracts = {
      bench: `${work}/bench.yml`,
      with_new_rules: `${work}/with_new_rules.yml`,
    };
    await Deno.writeTextFile(kontracts.bench, stringify(bench));
    await Deno.writeTextFile(
      kontracts.with_new_rules,
      stringify({ ...bench, name: "with_new_rules", rules: [...bench.rules, ...NEW_RULES] }),
    );
    const measured: Record<keyof typeof kontracts, Run[]> = { bench: [], with_new_rules: [] };
    for (let run = 0; run < runs; run++) {
      for (const name of ["bench", "with_new_rules"] as const) {
        const result = await measureDeno([
          "cli.ts",
          "validate",
          kontracts[name],
          "--data",
          data,
          "-o",
          "json",
        ]);
        measured[name].push(result);
        log(`  run ${run + 1}, ${name}: ${result.seconds.toFixed(2)} s`);
      }
    }
    // deno-lint-ignore no-explicit-any
    const document = (name: keyof typeof kontracts): any => JSON.parse(measured[name][0].stdout);
    const countsOf = (results: { rule_id: string; failed_count: number; status: string }[]) =>
      Object.fromEntries(
        results.map((r) => [r.rule_id, r.status === "error" ? -1 : r.failed_count]),
      );
    const before = countsOf(document("bench").results);
    const after = countsOf(document("with_new_rules").results);
    for (const [id, count] of Object.entries(before)) {
      if (after[id] !== count) {
        throw new Error(`${id}: ${count} alone, ${after[id]} with the new rules`);
      }
    }
    const added = Object.fromEntries(Object.entries(after).filter(([id]) => !(id in before)));
    const errored = Object.entries(added).filter(([, count]) => count < 0).map(([id]) => id);
    if (errored.length > 0) throw new Error(`rules could not be checked: ${errored.join(", ")}`);
    const figuresOf = (name: keyof typeof kontracts, count: number): KontractFigures => ({
      rules: count,
      seconds: round(median(measured[name].map((r) => r.seconds))),
      cpu_seconds: round(median(measured[name].map((r) => r.cpuSeconds))),
      peak_rss_mb: Math.round(Math.max(...measured[name].map((r) => r.peakRssBytes)) / 1e6),
      runs_s: measured[name].map((r) => round(r.seconds)),
    });
    const alone = figuresOf("bench", bench.rules.length);
    const withNew = figuresOf("with_new_rules", bench.rules.length + NEW_RULES.length);
    return {
      rows,
      runs,
      bench: alone,
      with_new_rules: withNew,
      ratio_with_new_rules: round(withNew.seconds / alone.seconds),
      new_rule_counts: added,
    };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** bench:ci's figure: the time with the 10 new rules over the benchmark Kontract's. */
export function newRulesFigures(report: NewRulesReport): Record<string, number> {
  return { new_rules_vs_bench_kontract: report.ratio_with_new_rules };
}

/** The report as Markdown. */
export function newRulesMarkdown(report: NewRulesReport): string {
  const row = (label: string, figures: KontractFigures) =>
    `| ${label} | ${figures.rules} | ${figures.seconds.toFixed(2)} s | ` +
    `${figures.cpu_seconds.toFixed(1)} s | ${(figures.peak_rss_mb / 1000).toFixed(2)} GB |`;
  return [
    `${report.rows.toLocaleString("en")} rows; median of ${report.runs} runs.`,
    "",
    "| Kontract | rules | wall time | CPU time | peak RSS |",
    "| --- | ---: | ---: | ---: | ---: |",
    row("bench/users.yml", report.bench),
    row("+ 10 new rules (2 with when:)", report.with_new_rules),
    "",
    `With the new rules: ${report.ratio_with_new_rules.toFixed(2)}× the time.`,
  ].join("\n") + "\n";
}

if (import.meta.main) {
  const { rows, chunk, runs, name } = benchArgs();
  Deno.chdir(ROOT);
  const report = await measureNewRules({
    rows,
    chunk,
    runs,
    log: (message) => console.error(`[bench:new-rules] ${message}`),
  });
  await writeResult(name ?? resultName("new_rules", rows), report, newRulesMarkdown(report));
}
