/**
 * Runs a Kontract against a source: plan, measure each tier once, merge into results.
 * @module
 */
import { closest } from "fastest-levenshtein";
import { KontractError } from "../errors.ts";
import { type Kontract, ruleLabel } from "../kontract/load.ts";
import {
  type ResultDocument,
  type RuleResult,
  type RunStats,
  SCHEMA_VERSION,
  summarize,
} from "../report/result.ts";
import type { Observation } from "../rules/define.ts";
import type { DatasetStats, Schema, Source } from "../sources/source.ts";
import { type Plan, type PlannedRule, planRules } from "./plan.ts";
import { measureInDatabase, sqlRunStats } from "./pushdown.ts";
import { peakRssBytes } from "./peak_rss.ts";
import { countInOnePass, measureRescans } from "./scan.ts";
import { vetCustomSql } from "./duckdb_sql.ts";
import type { VettedSql } from "../sql/user_sql.ts";

/** How to run. */
export interface RunOptions {
  /** Answer rules from footer statistics where they are exact (default true). */
  metadata?: boolean;
  /** Add the `stats` block (durations, bytes, memory). */
  timings?: boolean;
  /** Told what the engine is doing, for a progress indicator. */
  onProgress?: (message: string) => void;
  /** Databases: stop each rule at its first violation (counts become lower bounds). */
  failFast?: boolean;
}

/** What the tiers measured, by rule id. */
interface Measurements {
  rows: number;
  counts: Map<string, number>;
  scanPasses: number;
  /** Rules measured fail-fast: a count other than 0 is a lower bound. */
  failFast?: Set<string>;
}

/** Measures every rule and builds the result document. */
export async function runKontract(
  kontract: Kontract,
  source: Source,
  options: RunOptions = {},
): Promise<ResultDocument> {
  const clock = new PhaseClock();
  // On files, user SQL runs in DuckDB: every query is checked before the first read of
  // the data, so a refused one is a Kontract error and nothing was read.
  const vetted = source.sql ? new Map<string, VettedSql>() : await vetCustomSql(kontract);
  const schema = await clock.time("schema", () => source.schema());
  const stats = options.metadata === false
    ? undefined
    : await clock.time("metadata", async () => await source.stats?.());
  const plan = planRules(kontract, schema, stats, { sql: source.sql !== undefined });
  rejectUnsupported(plan);
  const measured: Measurements = source.sql
    ? await clock.time("sql", async () => {
      options.onProgress?.(`querying ${source.uri}`);
      return { ...await measureInDatabase(plan, source.sql!, options), scanPasses: 0 };
    })
    : await measure(plan, source, stats, clock, vetted, options.onProgress);
  const results = plan.rules.map((rule) => toResult(rule, measured, schema));
  const summary = summarize(results);
  return {
    schema_version: SCHEMA_VERSION,
    kontract: { name: kontract.name, fingerprint: kontract.fingerprint },
    dataset: { uri: source.uri, rows: measured.rows },
    passed: summary.blocking_failures === 0,
    summary,
    results,
    ...(source.warnings?.length ? { warnings: [...source.warnings] } : {}),
    ...(options.timings
      ? { stats: { ...clock.stats(measured, stats), ...sqlRunStats(source.sql) } }
      : {}),
  };
}

async function measure(
  plan: Plan,
  source: Source,
  stats: DatasetStats | undefined,
  clock: PhaseClock,
  vetted: Map<string, VettedSql>,
  onProgress?: (message: string) => void,
): Promise<Measurements> {
  const scanned = plan.rules.filter((rule) => rule.tier === "scan");
  const requests = scanned.flatMap((rule) =>
    rule.measure.kind === "violations"
      ? [{ key: rule.instance.id, predicate: rule.measure.polars(rule.column!) }]
      : []
  );
  if ((requests.length > 0 || plan.scanCountsRows) && !source.scan) {
    throw new KontractError(`${source.uri}: this source cannot be scanned`);
  }
  onProgress?.(`scanning ${source.uri}`);
  const pass = clock.timeSync(
    "scan",
    () => countInOnePass(source.scan!(plan.scanColumns), requests, plan.scanCountsRows),
  );
  const rows = stats?.rows ?? pass.rows ?? 0;
  // Duplicates and user SQL: DuckDB (spilling) or partitioned passes, see scan.ts.
  const rescans = await measureRescans(source, {
    duplicates: scanned.flatMap((rule) =>
      rule.measure.kind === "duplicates" ? [{ key: rule.instance.id, column: rule.column! }] : []
    ),
    queries: plan.rules.flatMap((rule) =>
      rule.tier === "sql" && rule.measure.kind === "sql_query"
        ? [{
          key: rule.instance.id,
          label: ruleLabel(rule.instance),
          sql: vetted.get(rule.instance.id)!,
        }]
        : []
    ),
    rows,
  }, { time: (phase, work) => clock.time(phase, work), onProgress });
  const counts = new Map([...pass.counts, ...rescans.counts]);
  return { rows, counts, scanPasses: pass.passes + rescans.passes };
}

/** Dataset rules measure the dataset; a row predicate needs a column to be planned. */
function rejectUnsupported(plan: Plan): void {
  for (const { instance, measure } of plan.rules) {
    if (
      instance.column === undefined &&
      ["violations", "duplicates", "column_type"].includes(measure.kind)
    ) {
      throw new KontractError(
        `rule ${instance.name}: a dataset rule cannot measure ${measure.kind}`,
      );
    }
  }
}

function toResult(planned: PlannedRule, measured: Measurements, schema: Schema): RuleResult {
  const { instance } = planned;
  const observed: Observation = {
    rows: measured.rows,
    count: planned.statsCount ?? measured.counts.get(instance.id) ??
      (planned.measure.kind === "row_count" ? measured.rows : 0),
    dtype: planned.column?.dtype,
  };
  const failed = planned.missingColumn
    ? measured.rows
    : instance.rule.evaluate?.(instance.params, observed) ?? observed.count;
  // Fail-fast stopped at the first violation: 0 is exact, anything else a lower bound.
  const lowerBound = failed > 0 && !planned.missingColumn &&
    measured.failFast?.has(instance.id) === true;
  const message = planned.missingColumn
    ? missingColumnMessage(instance.column!, schema)
    : instance.rule.describe(instance.params, { failed, observed }) +
      (lowerBound ? " (fail-fast: at least this many)" : "");
  return {
    rule_id: instance.id,
    rule: instance.name,
    ...(instance.column === undefined ? {} : { column: instance.column }),
    severity: instance.severity,
    passed: failed === 0 && !planned.missingColumn,
    failed_count: failed,
    failed_count_exact: !lowerBound,
    message,
    execution_source: planned.tier,
    ...(instance.context ? { context: instance.context } : {}),
  };
}

function missingColumnMessage(column: string, schema: Schema): string {
  const names = schema.columns.map((info) => info.name);
  const hint = names.length > 0 ? ` (did you mean "${closest(column, names)}"?)` : "";
  return `column "${column}" not found in the data${hint}`;
}

/** Wall-clock time per phase, for `--timings`. */
class PhaseClock {
  readonly #started = performance.now();
  readonly #phases: Record<string, number> = {};

  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.#add(phase, start);
    }
  }

  timeSync<T>(phase: string, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.#add(phase, start);
    }
  }

  stats(measured: Measurements, stats: DatasetStats | undefined): RunStats {
    return {
      duration_ms: round(performance.now() - this.#started),
      phases_ms: this.#phases,
      rows_scanned: measured.scanPasses > 0 ? measured.rows : 0,
      scan_passes: measured.scanPasses,
      ...(stats?.bytesRead === undefined ? {} : { bytes_read: stats.bytesRead }),
      ...(stats?.bytesTotal === undefined ? {} : { bytes_total: stats.bytesTotal }),
      ...(stats?.files === undefined ? {} : { files: stats.files }),
      ...(stats?.rowGroups === undefined ? {} : { row_groups: stats.rowGroups }),
      peak_rss_bytes: peakRssBytes(),
    };
  }

  #add(phase: string, start: number): void {
    this.#phases[phase] = round((this.#phases[phase] ?? 0) + performance.now() - start);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
