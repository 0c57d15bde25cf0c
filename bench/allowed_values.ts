/**
 * `deno task bench:allowed-values [--rows 100000000] [--chunk 5000000] [--runs 3]
 *  [--sizes 5,10,1000,10000] [--column country|referrer_id] [--name allowed_values_100m]`
 *
 * Time and peak RSS of a Kontract whose `allowed_values` on `country` lists 5, 10, 1,000
 * or 10,000 values (the 5 countries of the users dataset, then codes no row holds; text,
 * matched by one automaton), or on `referrer_id` (integers 0…4, then ids no row holds;
 * looked up by one join), next to the cheap row rules of bench/users.yml (not_null, regex,
 * allowed_values on status, dtype, row counts: one streaming pass). Kontra runs as the CLI,
 * runs are interleaved, medians reported; every size must count the same violations.
 * Writes `bench/results/<name>.json` and `.md` and prints the Markdown.
 *
 * `bench:ci` guards the ratio of 10,000 values to 5 (`allowedValuesFigures`).
 * @module
 */
import { stringify } from "yaml";
import { ensureUsersData } from "./data.ts";
import { measureDeno, median, type Run } from "./measure.ts";
import { benchArgs, resultName, ROOT, writeResult } from "./suite.ts";
import { COUNTRIES } from "../scripts/users_data.ts";

/** The rules beside `allowed_values`: bench/users.yml's row rules, all in the single pass. */
const OTHER_RULES = [
  { name: "not_null", params: { column: "user_id" } },
  { name: "not_null", params: { column: "email" } },
  { name: "regex", params: { column: "email", pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]+$" } },
  { name: "regex", params: { column: "name", pattern: "^User [0-9]+$" } },
  { name: "allowed_values", params: { column: "status", values: ["active", "inactive"] } },
  { name: "not_null", params: { column: "age" } },
  { name: "dtype", params: { column: "score", type: "float" } },
  { name: "min_rows", params: { threshold: 1000 } },
  { name: "max_rows", params: { threshold: 1_000_000_000 } },
];

/** `size` allowed countries: the dataset's 5, then codes that no row holds. */
export function allowedCountries(size: number): string[] {
  const values = COUNTRIES.slice(0, size);
  for (let index = 0; values.length < size; index++) {
    values.push(`C${String(index).padStart(5, "0")}`);
  }
  return values;
}

/** `size` allowed referrer ids (0…99,999 in the data): 0…4, then ids no row holds. */
export function allowedReferrers(size: number): number[] {
  return Array.from({ length: size }, (_, index) => index < 5 ? index : 1_000_000 + index);
}

/** The lists the benchmark can check: text (one automaton) or integers (one join). */
const LISTS: Record<string, (size: number) => (string | number)[]> = {
  country: allowedCountries,
  referrer_id: allowedReferrers,
};

/** The figures of one list size. */
export interface SizeFigures {
  values: number;
  seconds: number;
  /** The single pass alone (`--timings`' `scan` phase), median. */
  scan_seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  runs_s: number[];
}

/** What the benchmark measured. */
export interface AllowedValuesReport {
  rows: number;
  column: string;
  runs: number;
  sizes: SizeFigures[];
  /** allowed_values' failed count, the same for every size. */
  violations: number;
  /** Wall time of the largest list over the smallest. */
  ratio_largest_vs_smallest: number;
  scan_ratio_largest_vs_smallest: number;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Runs the Kontract once per size and run, interleaved. */
export async function measureAllowedValues(options: {
  rows: number;
  chunk: number;
  sizes: number[];
  runs: number;
  /** The checked column: `country` (default) or `referrer_id`. */
  column?: string;
  log: (message: string) => void;
}): Promise<AllowedValuesReport> {
  const { rows, sizes, runs, log } = options;
  const column = options.column ?? "country";
  const list = LISTS[column];
  if (!list) throw new Error(`--column: one of ${Object.keys(LISTS).join(", ")}`);
  const data = await ensureUsersData(rows, options.chunk, { log });
  const work = await Deno.makeTempDir({ prefix: "kontra-bench-av-" });
  try {
    const kontracts = new Map<number, string>();
    for (const size of sizes) {
      const path = `${work}/allowed_${size}.yml`;
      const rules = [
        {
          name: "allowed_values",
          id: "listed",
          params: { column, values: list(size) },
        },
        ...OTHER_RULES,
      ];
      await Deno.writeTextFile(path, stringify({ name: `allowed_values_${size}`, rules }));
      kontracts.set(size, path);
    }
    const measured = new Map<number, Run[]>(sizes.map((size) => [size, []]));
    for (let run = 0; run < runs; run++) {
      for (const size of sizes) {
        const result = await measureDeno([
          "cli.ts",
          "validate",
          kontracts.get(size)!,
          "--data",
          data,
          "-o",
          "json",
          "--timings",
        ]);
        measured.get(size)!.push(result);
        log(`  run ${run + 1}, ${size} values: ${result.seconds.toFixed(2)} s`);
      }
    }
    // deno-lint-ignore no-explicit-any
    const documents = (size: number): any[] => measured.get(size)!.map((r) => JSON.parse(r.stdout));
    const violationsOf = (size: number) =>
      documents(size)[0].results.find((r: { rule_id: string }) => r.rule_id === "listed")
        .failed_count as number;
    const violations = violationsOf(sizes[0]);
    for (const size of sizes) {
      if (violationsOf(size) !== violations) {
        throw new Error(
          `${size} values counted ${violationsOf(size)}, ${sizes[0]} counted ${violations}`,
        );
      }
    }
    const figures = sizes.map((size): SizeFigures => {
      const runsOf = measured.get(size)!;
      return {
        values: size,
        seconds: round(median(runsOf.map((r) => r.seconds))),
        scan_seconds: round(median(documents(size).map((doc) => doc.stats.phases_ms.scan / 1000))),
        cpu_seconds: round(median(runsOf.map((r) => r.cpuSeconds))),
        peak_rss_mb: Math.round(Math.max(...runsOf.map((r) => r.peakRssBytes)) / 1e6),
        runs_s: runsOf.map((r) => round(r.seconds)),
      };
    });
    const smallest = figures[0];
    const largest = figures[figures.length - 1];
    return {
      rows,
      column,
      runs,
      sizes: figures,
      violations,
      ratio_largest_vs_smallest: round(largest.seconds / smallest.seconds),
      scan_ratio_largest_vs_smallest: round(largest.scan_seconds / smallest.scan_seconds),
    };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The report as a Markdown table. */
export function allowedValuesMarkdown(report: AllowedValuesReport): string {
  const sizes = report.sizes;
  return [
    `${report.rows.toLocaleString("en")} rows; allowed_values on ${report.column} next to ` +
    `${OTHER_RULES.length} row rules of bench/users.yml; median of ${report.runs} runs; ` +
    `${report.violations.toLocaleString("en")} violations at every size.`,
    "",
    `| values | ${sizes.map((s) => s.values.toLocaleString("en")).join(" | ")} |`,
    `| --- | ${sizes.map(() => "---:").join(" | ")} |`,
    `| wall time | ${sizes.map((s) => `${s.seconds.toFixed(2)} s`).join(" | ")} |`,
    `| single pass (scan phase) | ${
      sizes.map((s) => `${s.scan_seconds.toFixed(2)} s`).join(" | ")
    } |`,
    `| CPU time (user+sys) | ${sizes.map((s) => `${s.cpu_seconds.toFixed(1)} s`).join(" | ")} |`,
    `| peak RSS | ${sizes.map((s) => `${(s.peak_rss_mb / 1000).toFixed(2)} GB`).join(" | ")} |`,
    "",
    `${sizes.at(-1)!.values.toLocaleString("en")} values / ${sizes[0].values}: ` +
    `${report.ratio_largest_vs_smallest.toFixed(2)}× wall time, ` +
    `${report.scan_ratio_largest_vs_smallest.toFixed(2)}× the single pass.`,
  ].join("\n") + "\n";
}

if (import.meta.main) {
  const { rows, chunk, runs, name, own } = benchArgs({
    sizes: "5,10,1000,10000",
    column: "country",
  });
  const column = own.column!;
  Deno.chdir(ROOT);
  const report = await measureAllowedValues({
    rows,
    chunk,
    sizes: own.sizes!.split(",").map(Number),
    runs,
    column,
    log: (message) => console.error(`[bench:allowed-values] ${message}`),
  });
  const suffix = column === "country" ? "" : `_${column}`;
  await writeResult(
    name ?? resultName("allowed_values", rows, suffix),
    report,
    allowedValuesMarkdown(report),
  );
}
