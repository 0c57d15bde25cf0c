/**
 * `deno task bench:ci [--update-baseline] [--rows 2000000] [--runs 3]`: the CI guard.
 *
 * Runs the suite on 2M rows (4 files) locally and from an S3 server on loopback, and
 * `allowed_values` with 5 and 10,000 values (bench/allowed_values.ts), the benchmark
 * Kontract with and without 10 rules of issue #13 (bench/new_rules.ts), and compares each
 * figure with bench/baseline.json: every figure is a ratio to a baseline
 * measured in the same run (bare scan, hand-written query, the data's size), or a peak
 * RSS, each the median of a few interleaved runs. Fails when one is more than 25% worse
 * than the committed baseline in two measurements in a row (a busy machine can slow one
 * down). `--update-baseline` writes the file instead: a deliberate change, reviewed like
 * code.
 * @module
 */
import { parseArgs } from "node:util";
import { type AllowedValuesReport, measureAllowedValues } from "./allowed_values.ts";
import { measureNewRules, newRulesFigures } from "./new_rules.ts";
import { type Report, ROOT, runSuite } from "./suite.ts";

const TOLERANCE = 1.25;
const BASELINE = "bench/baseline.json";

/** The guarded figures: lower is better for every one. */
export function figures(report: Report): Record<string, number> {
  const s3 = report.s3!;
  return {
    local_kontra_vs_bare_scan: report.local.ratio_vs_bare_scan,
    local_kontra_vs_hand_written: report.local.ratio_vs_hand_written,
    s3_kontra_vs_bare_scan: s3.ratio_vs_bare_scan,
    s3_kontra_vs_hand_written: s3.ratio_vs_hand_written,
    s3_bytes_read_vs_size: s3.bytes_ratio,
    metadata_only_bytes_read_vs_size: Number(report.metadata_only.fraction.toFixed(6)),
    rules_20_vs_10: report.ratio_20_vs_10_rules!,
    local_peak_rss_mb: report.local.kontra.peak_rss_mb,
    s3_peak_rss_mb: s3.kontra.peak_rss_mb,
  };
}

/** bench/allowed_values.ts's figure: 10,000 allowed values over 5, in the same run. */
export function allowedValuesFigures(report: AllowedValuesReport): Record<string, number> {
  return { allowed_values_10000_vs_5: report.ratio_largest_vs_smallest };
}

/** Figures more than `tolerance` times their baseline, as readable lines. */
export function regressions(
  now: Record<string, number>,
  baseline: Record<string, number>,
  tolerance = TOLERANCE,
): string[] {
  return Object.entries(baseline).flatMap(([name, base]) => {
    const value = now[name];
    if (value === undefined) return [`${name}: not measured`];
    return value > base * tolerance
      ? [`${name}: ${value} > ${(base * tolerance).toFixed(3)} (baseline ${base} × ${tolerance})`]
      : [];
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "update-baseline": { type: "boolean", default: false },
      rows: { type: "string", default: "2000000" },
      runs: { type: "string", default: "3" },
    },
  });
  Deno.chdir(ROOT);
  const started = performance.now();
  const log = (message: string) => console.error(`[bench:ci] ${message}`);
  const measureAll = async () => {
    const options = { rows: Number(values.rows), chunk: 500_000, runs: Number(values.runs), log };
    const report = await runSuite({
      ...options,
      s3: true,
      ruleCounts: [10, 20],
      handVariants: ["polars+duckdb"],
    });
    const lists = await measureAllowedValues({ ...options, sizes: [5, 10_000] });
    const newRules = await measureNewRules(options);
    return {
      report,
      figures: { ...figures(report), ...allowedValuesFigures(lists), ...newRulesFigures(newRules) },
    };
  };
  const { report, figures: measured } = await measureAll();
  let now = measured;
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  if (values["update-baseline"]) {
    const baseline = {
      note: "Written by `deno task bench:ci --update-baseline`; CI fails when a figure " +
        `exceeds ${TOLERANCE}× its value here.`,
      rows: report.dataset.rows,
      machine: report.machine,
      figures: now,
    };
    await Deno.writeTextFile(BASELINE, JSON.stringify(baseline, null, 2) + "\n");
    console.log(`wrote ${BASELINE} (${elapsed()})`);
    console.table(now);
    Deno.exit(0);
  }
  const baseline = JSON.parse(await Deno.readTextFile(BASELINE)).figures as Record<string, number>;
  if (regressions(now, baseline).length > 0) {
    // A busy machine can slow one run down: a regression must show twice to count.
    log(`over the limit: ${regressions(now, baseline).join("; ")}; measuring again`);
    const again = (await measureAll()).figures;
    now = Object.fromEntries(
      Object.entries(now).map(([name, value]) => [name, Math.min(value, again[name])]),
    );
  }
  console.table(
    Object.fromEntries(
      Object.entries(baseline).map(([name, base]) => [
        name,
        { baseline: base, now: now[name], limit: Number((base * TOLERANCE).toFixed(3)) },
      ]),
    ),
  );
  const worse = regressions(now, baseline);
  if (worse.length > 0) {
    console.log(`bench:ci: ${worse.length} figure(s) regressed by more than 25% (${elapsed()}):`);
    for (const line of worse) console.log(`  ${line}`);
    Deno.exit(1);
  }
  console.log(`bench:ci: every figure within 25% of bench/baseline.json (${elapsed()})`);
}
