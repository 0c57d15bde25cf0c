/**
 * Runs a Kontract against a source: plan, measure each tier once, merge into results.
 * @module
 */
import { KontractError } from "../core/errors.ts";
import { type Kontract, ruleLabel } from "../kontract/load.ts";
import {
  documentPassed,
  type ResultDocument,
  type RuleResult,
  type RunStats,
  SCHEMA_VERSION,
  summarize,
} from "../report/result.ts";
import type { Measure, Observation, PreviousRun } from "../rules/define.ts";
import type { PlannedRuleOf } from "./measures/measure_module.ts";
import type { Source } from "../sources/source.ts";
import type { BoundValue, DatasetStats, Schema } from "../core/dataset.ts";
import { capabilitiesOf } from "./capabilities.ts";
import { measureModule } from "./measures/registry.ts";
import { planRules } from "./plan.ts";
import { passesOfKind, type Plan, type PlannedRule, scopeKey } from "./plan_model.ts";
import { describeTolerance, failedRatio, withinTolerance } from "../core/tolerance.ts";
import { measureInDatabase, sqlRunStats } from "./pushdown.ts";
import { peakRssBytes } from "./peak_rss.ts";
import { type DatasourceOpener, resolveReferences } from "./references.ts";
import { measureStreamedReferences } from "./database_references.ts";
import { countInOnePassOrFindFailures, measureRescans } from "./scan.ts";
import { vetCustomSql } from "./duckdb_sql.ts";
import type { VettedSql } from "../sql/user_sql.ts";
import { bindScanPredicates, bindUserSql, checkColumnTypes, scanRequests } from "./precheck.ts";
import type { RuleErrors } from "./rule_failure.ts";

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
  /** The run to compare against (`row_count_change`), from `--baseline result.json`. */
  previous?: PreviousRun;
  /**
   * Milliseconds already spent opening the source (connecting, finding the table in the
   * catalog): part of the run's duration, as the phase `open`.
   */
  openMs?: number;
  /** Opens a `references` rule's `to.datasource` (the SDK resolves it like `datasource`). */
  openReference?: DatasourceOpener;
}

/** What the tiers measured, by rule id. */
interface Measurements {
  rows: number;
  counts: Map<string, number>;
  /** Measured values (`max` measures), by rule id: null where the column holds none. */
  values: Map<string, BoundValue | null>;
  scanPasses: number;
  /** Rules measured fail-fast: a count other than 0 is a lower bound. */
  failFast?: Set<string>;
  /** Rules that could not be measured while running, and why (one line each). */
  errors: RuleErrors;
}

/** What a run produced: the result document and the plan it followed. */
export interface RunOutcome {
  document: ResultDocument;
  /** The plan the run executed; quarantine reuses it. */
  plan: Plan;
}

/** Measures every rule and builds the result document. */
export async function runKontract(
  kontract: Kontract,
  source: Source,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const clock = new PhaseClock(options.openMs);
  const capabilities = capabilitiesOf(source);
  // On files, user SQL runs in DuckDB: every query is checked before the first read of
  // the data, so a refused one is a Kontract error and nothing was read.
  const vetted = capabilities.kind === "database"
    ? new Map<string, VettedSql>()
    : await vetCustomSql(kontract);
  const schema = await clock.time("schema", () => source.schema());
  const stats = options.metadata === false
    ? undefined
    : await clock.time("metadata", async () => await source.stats?.());
  // Each reference is opened and checked before any row is read (engine/references.ts).
  const resolved = await clock.time(
    "schema",
    () => resolveReferences(kontract, schema, capabilities, source.uri, options.openReference),
  );
  const plan = planRules(kontract, schema, stats, capabilities, resolved);
  rejectUnsupported(plan);
  // Everything that can be checked against the schema is, before any row is read: a
  // rule that cannot work is a Kontract error naming it (exit 2).
  checkColumnTypes(plan, schema);
  const measured: Measurements = capabilities.kind === "database"
    ? await clock.time("sql", async () => {
      options.onProgress?.(`querying ${source.uri}`);
      const pushed = await measureInDatabase(plan, capabilities.sql, options);
      // `references` against files: the column's values streamed out, anti-joined locally.
      const streamed = await measureStreamedReferences(plan, capabilities.sql);
      return {
        ...pushed,
        counts: new Map([...pushed.counts, ...streamed.counts]),
        errors: new Map([...pushed.errors, ...streamed.errors]),
        scanPasses: streamed.passes,
      };
    })
    : await measureFiles(plan, source, stats, clock, vetted, options.onProgress);
  const results = plan.rules.map((rule) =>
    toResult(rule, { ...measured, schema }, options.previous)
  );
  const summary = summarize(results);
  const document: ResultDocument = {
    schema_version: SCHEMA_VERSION,
    kontract: { name: kontract.name, fingerprint: kontract.fingerprint },
    dataset: { uri: source.uri, rows: measured.rows },
    passed: documentPassed(results),
    summary,
    results,
    ...(source.warnings?.length ? { warnings: [...source.warnings] } : {}),
    ...(options.timings
      ? { stats: { ...clock.stats(measured, stats), ...sqlRunStats(source.sql) } }
      : {}),
  };
  return { document, plan };
}

/** The planned passes over files: the single scan, then duplicates and user SQL. */
async function measureFiles(
  plan: Plan,
  source: Source,
  stats: DatasetStats | undefined,
  clock: PhaseClock,
  vetted: Map<string, VettedSql>,
  onProgress?: (message: string) => void,
): Promise<Measurements> {
  const { capabilities } = plan;
  const [single] = passesOfKind(plan, "single_scan");
  const rescanned = plan.passes.filter((pass) => !["footers", "single_scan"].includes(pass.kind));
  if (capabilities.kind !== "files") {
    if (single || rescanned.length > 0) {
      throw new KontractError(`${source.uri}: this source cannot be scanned`);
    }
    return {
      rows: stats?.rows ?? 0,
      counts: new Map(),
      values: new Map(),
      scanPasses: 0,
      errors: new Map(),
    };
  }
  const requests = scanRequests(plan);
  await clock.time("bind", async () => {
    bindScanPredicates(plan, capabilities, requests);
    await bindUserSql(plan, capabilities, vetted);
  });
  onProgress?.(`scanning ${source.uri}`);
  // ONE pass; only if it fails, the rules that broke it are found (bounded reruns).
  const pass = single
    ? clock.timeSync(
      "scan",
      () =>
        countInOnePassOrFindFailures(
          capabilities.scan,
          single.columns,
          requests,
          single.countsRows,
        ),
    )
    : {
      counts: new Map<string, number>(),
      values: new Map<string, BoundValue | null>(),
      passes: 0,
      errors: new Map<string, string>(),
    };
  const rows = stats?.rows ?? pass.rows ?? 0;
  const queries = passesOfKind(plan, "user_sql").flatMap((userSql) =>
    userSql.rules.map((rule) => ({
      key: rule.instance.id,
      label: ruleLabel(rule.instance),
      sql: vetted.get(rule.instance.id)!,
    }))
  );
  const rescans = await measureRescans(
    { ...capabilities, uri: source.uri },
    { passes: rescanned, queries, rows },
    { time: (phase, work) => clock.time(phase, work), onProgress },
  );
  const counts = new Map([...pass.counts, ...rescans.counts]);
  const errors = new Map([...pass.errors, ...rescans.errors]);
  // A column that would not read: name the file it fails in (a corrupt page).
  for (const rule of plan.rules) {
    const error = errors.get(rule.instance.id);
    const file = error && rule.column ? source.failingFile?.([rule.column.name]) : undefined;
    if (file) errors.set(rule.instance.id, `in ${file}: ${error}`);
  }
  const values = new Map([...pass.values, ...rescans.values]);
  return { rows, counts, values, scanPasses: pass.passes + rescans.passes, errors };
}

/** Dataset rules measure the dataset; a row predicate needs a column to be planned. */
function rejectUnsupported(plan: Plan): void {
  for (const { instance, measure, column, missingColumn } of plan.rules) {
    // A dataset rule may read a column its params name (freshness): the plan resolves it.
    if (column === undefined && !missingColumn && measureModule(measure).needsColumn) {
      throw new KontractError(
        `rule ${instance.name}: a dataset rule cannot measure ${measure.kind}`,
      );
    }
  }
}

function toResult(
  planned: PlannedRule,
  measured: Measurements & { schema: Schema },
  previous: PreviousRun | undefined,
): RuleResult {
  const { instance } = planned;
  const error = measured.errors.get(instance.id) ?? measured.errors.get(scopeKey(instance.id));
  if (error !== undefined) return errorResult(planned, error);
  const observed: Observation = {
    rows: measured.rows,
    count: planned.statsCount ?? measured.counts.get(instance.id) ?? 0,
    dtype: planned.column?.dtype,
    ...(planned.column?.timeZone === undefined ? {} : { timeZone: planned.column.timeZone }),
    ...(previous ? { previous } : {}),
    ...measureModule(planned.measure).observe?.(planned as PlannedRuleOf<Measure>, measured),
  };
  const failed = planned.missingColumn
    ? measured.rows
    : instance.rule.evaluate?.(instance.params, observed) ?? observed.count;
  // Fail-fast stopped at the first violation: 0 is exact, anything else a lower bound.
  const lowerBound = failed > 0 && !planned.missingColumn &&
    measured.failFast?.has(instance.id) === true;
  const { tolerance } = instance;
  const checkedRows = planned.countsScope
    ? measured.counts.get(scopeKey(instance.id)) ?? 0
    : measured.rows;
  const tolerated = tolerance !== undefined && failed > 0 && !planned.missingColumn &&
    withinTolerance(failed, checkedRows, tolerance);
  const passed = (failed === 0 || tolerated) && !planned.missingColumn;
  const message = planned.missingColumn
    ? planned.drift!
    : instance.rule.describe(instance.params, { failed, observed }) +
      (lowerBound ? " (fail-fast: at least this many)" : "") +
      (tolerated ? ` (within tolerance: ${describeTolerance(tolerance)})` : "") +
      (planned.condition && !planned.missingColumn ? ` where ${planned.condition.text}` : "");
  return {
    rule_id: instance.id,
    rule: instance.name,
    ...(instance.column === undefined ? {} : { column: instance.column }),
    severity: instance.severity,
    passed,
    status: passed ? "passed" : "failed",
    failed_count: failed,
    failed_count_exact: !lowerBound,
    message,
    execution_source: planned.tier,
    ...(planned.condition ? { when: planned.condition.text } : {}),
    ...(tolerance === undefined ? {} : {
      tolerance,
      checked_rows: checkedRows,
      failed_ratio: failedRatio(failed, checkedRows),
    }),
    ...measuredValueOf(planned, observed),
    ...(instance.context ? { context: instance.context } : {}),
  };
}

/** The result's `measured_value`, for rules that report the value they judged. */
function measuredValueOf(
  { instance, missingColumn }: PlannedRule,
  observed: Observation,
): Pick<RuleResult, "measured_value"> {
  const value = missingColumn
    ? undefined
    : instance.rule.measuredValue?.(instance.params, observed);
  return value === undefined ? {} : { measured_value: value };
}

/** A rule that could not be measured: nothing is known about its count. */
function errorResult({ instance, tier }: PlannedRule, error: string): RuleResult {
  return {
    rule_id: instance.id,
    rule: instance.name,
    ...(instance.column === undefined ? {} : { column: instance.column }),
    severity: instance.severity,
    passed: false,
    status: "error",
    failed_count: 0,
    failed_count_exact: false,
    message: `could not be checked: ${error}`,
    execution_source: tier,
    error,
    ...(instance.context ? { context: instance.context } : {}),
  };
}

/** Wall-clock time per phase, for `--timings`. */
class PhaseClock {
  readonly #started: number;
  readonly #phases: Record<string, number> = {};

  /** A clock whose run began `openMs` ago, when the source started to open. */
  constructor(openMs = 0) {
    this.#started = performance.now() - openMs;
    if (openMs > 0) this.#phases.open = round(openMs);
  }

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
