/**
 * The result document, JSON schema 1.0. The zod model below is the single source
 * of truth for validation and for `schema/result-1.0.json` (generated from it); the
 * interfaces spell the same shape out for readers and for JSR's explicit types, and
 * each schema is annotated with its interface so the two cannot drift. Key order in
 * the zod objects is the key order of the emitted JSON.
 * @module
 */
import type { ExecutionSource } from "../core/tiers.ts";
import { z } from "npm:zod@4.6.7";
import { Severity } from "../core/severity.ts";
import { Tolerance } from "../core/tolerance.ts";

/** The schema version this model describes. */
export const SCHEMA_VERSION = "1.0";

/**
 * A rule's outcome: `passed`, `failed` (the data violates it), or `error` (it could not
 * be measured while running; `error` says why, and the run exits 3).
 */
export type RuleStatus = "passed" | "failed" | "error";

/** The outcome of one rule. */
export interface RuleResult {
  /** `COL:<column>:<rule>`, `DATASET:<rule>`, or the Kontract's explicit `id`. */
  rule_id: string;
  /** The rule's name, e.g. `unique`. */
  rule: string;
  /** The checked column, for column rules. */
  column?: string;
  /** How much a failure matters; only `blocking` failures fail the run. */
  severity: Severity;
  /**
   * True when nothing violates the rule, or no more than its `tolerance` allows (a missing
   * column is a failure; an error is not a pass).
   */
  passed: boolean;
  /**
   * `passed`, `failed` or `error`; always written by this version. Optional in schema 1.0
   * (added later): a document without it means `passed` when `passed` is true, else `failed`.
   */
  status?: RuleStatus;
  /** How much the rule is violated: rows, duplicates, missing rows, … (see the rule). */
  failed_count: number;
  /** False when fail-fast stopped counting: `failed_count` is then a lower bound. */
  failed_count_exact: boolean;
  /** One line for people, e.g. `19 duplicate values in email`. */
  message: string;
  /** Which tier answered. */
  execution_source: ExecutionSource;
  /** The rule's `when:` (and its params' condition): it checked only the rows matching it. */
  when?: string;
  /** The rule's `tolerance:`: it passes while `failed_count` is within it. */
  tolerance?: Tolerance;
  /**
   * With a tolerance: the rows the rule checked (the dataset's rows, or those matching
   * `when`), the denominator of `failed_ratio`.
   */
  checked_rows?: number;
  /** With a tolerance: `failed_count / checked_rows` (0 when no row was checked). */
  failed_ratio?: number;
  /**
   * The value a rule measured and judged (`aggregate`'s statistic): a number, or text
   * for the min/max of text, dates (`YYYY-MM-DD`) and timestamps (ISO 8601); null when
   * there was none (no non-null value, no rows).
   */
  measured_value?: number | string | null;
  /**
   * Why the rule could not be measured (status `error`): one line, never a secret. Its
   * `failed_count` is then 0 with `failed_count_exact: false` (nothing is known).
   */
  error?: string;
  /** The rule's free-form `context`, echoed. */
  context?: Record<string, unknown>;
}

/** Counts over all rules. */
export interface Summary {
  /** Rules run. */
  rules: number;
  /** Rules that passed. */
  passed: number;
  /** Rules that failed, of any severity. */
  failed: number;
  /** Failed rules of severity `blocking`: more than 0 fails the run. */
  blocking_failures: number;
  /** Failed rules of severity `warning`. */
  warning_failures: number;
  /** Failed rules of severity `info`. */
  info_failures: number;
  /** Rules that could not be measured (status `error`); absent when there are none. */
  errors?: number;
}

/** What an action (quarantine, alert) did. */
export interface ActionResult {
  /** The action's name, e.g. `quarantine` or `slack`. */
  action: string;
  /** Whether it ran, was not needed, or failed (the validation result stands either way). */
  status: "succeeded" | "skipped" | "failed";
  /** Where the action wrote, e.g. the quarantine file or prefix (never holds a secret). */
  location?: string;
  /** Rows the action wrote. */
  rows?: number;
  /** Why a failed action failed: one line, never a secret. */
  error?: string;
  /** A note, e.g. why it was skipped or which rules it left out. */
  message?: string;
}

/** Measurements, only with `--timings`: the one non-deterministic part. */
export interface RunStats {
  /** Wall-clock time of the whole run. */
  duration_ms: number;
  /**
   * Time per phase (`open`: connecting and finding the table; `schema`, `metadata`, `scan`,
   * `sql`, …).
   */
  phases_ms: Record<string, number>;
  /** Rows read by scans. */
  rows_scanned: number;
  /** Passes over the data: the single scan, plus one per `unique` partition. */
  scan_passes: number;
  /** Bytes read from the source, where known. */
  bytes_read?: number;
  /** Total size of the source's files, where known. */
  bytes_total?: number;
  /** Files in the dataset. */
  files?: number;
  /** Parquet row groups in the dataset. */
  row_groups?: number;
  /** Peak resident memory of the process. */
  peak_rss_bytes: number;
  /** SQL statements sent to a database. */
  sql?: string[];
  /**
   * Network round trips those statements took: one per statement, two for a statement with
   * bound parameters (PostgreSQL prepares it first); connecting is not counted.
   */
  sql_round_trips?: number;
  /** Time spent waiting for the database, in milliseconds. */
  sql_db_ms?: number;
}

/** The whole result document. */
export interface ResultDocument {
  /** Always `1.0` for this model. */
  schema_version: "1.0";
  /** The Kontract's name and the SHA-256 of its normalised rules. */
  kontract: { name: string; fingerprint: string };
  /** The datasource (credentials redacted) and its row count. */
  dataset: { uri: string; rows: number };
  /** False when a blocking rule failed or could not be measured (status `error`). */
  passed: boolean;
  /** Counts of passed and failed rules. */
  summary: Summary;
  /** One entry per rule, in Kontract order. */
  results: RuleResult[];
  /**
   * Problems that did not stop the run, e.g. a connection as a PostgreSQL superuser;
   * absent when there are none.
   */
  warnings?: string[];
  /** What the Kontract's actions did, when it has any. */
  actions?: ActionResult[];
  /** Measurements, only when timings were asked for. */
  stats?: RunStats;
}

const count = z.number().int().nonnegative();

/** zod model of {@linkcode RuleResult}. */
export const RuleResultModel: z.ZodType<RuleResult> = z.strictObject({
  rule_id: z.string(),
  rule: z.string(),
  column: z.string().optional(),
  severity: Severity,
  passed: z.boolean(),
  status: z.enum(["passed", "failed", "error"]).optional(),
  failed_count: count,
  failed_count_exact: z.boolean(),
  message: z.string(),
  execution_source: z.enum(["metadata", "scan", "sql"]),
  when: z.string().optional(),
  tolerance: Tolerance.optional(),
  checked_rows: count.optional(),
  failed_ratio: z.number().min(0).optional(),
  measured_value: z.union([z.number(), z.string(), z.null()]).optional(),
  error: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});

/** zod model of {@linkcode Summary}. */
export const SummaryModel: z.ZodType<Summary> = z.strictObject({
  rules: count,
  passed: count,
  failed: count,
  blocking_failures: count,
  warning_failures: count,
  info_failures: count,
  errors: count.optional(),
});

/** zod model of {@linkcode ActionResult}. */
export const ActionResultModel: z.ZodType<ActionResult> = z.strictObject({
  action: z.string(),
  status: z.enum(["succeeded", "skipped", "failed"]),
  location: z.string().optional(),
  rows: count.optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});

/** zod model of {@linkcode RunStats}. */
export const RunStatsModel: z.ZodType<RunStats> = z.strictObject({
  duration_ms: z.number(),
  phases_ms: z.record(z.string(), z.number()),
  rows_scanned: count,
  scan_passes: count,
  bytes_read: count.optional(),
  bytes_total: count.optional(),
  files: count.optional(),
  row_groups: count.optional(),
  peak_rss_bytes: count,
  sql: z.array(z.string()).optional(),
  sql_round_trips: count.optional(),
  sql_db_ms: z.number().optional(),
});

/** zod model of {@linkcode ResultDocument}: validates, orders keys, generates the JSON schema. */
export const ResultDocumentModel: z.ZodType<ResultDocument> = z.strictObject({
  schema_version: z.literal(SCHEMA_VERSION),
  kontract: z.strictObject({ name: z.string(), fingerprint: z.string() }),
  dataset: z.strictObject({ uri: z.string(), rows: count }),
  passed: z.boolean(),
  summary: SummaryModel,
  results: z.array(RuleResultModel),
  warnings: z.array(z.string()).optional(),
  actions: z.array(ActionResultModel).optional(),
  stats: RunStatsModel.optional(),
});

/** A result's status, also for documents written before `status` existed. */
export function statusOf(result: RuleResult): RuleStatus {
  return result.status ?? (result.passed ? "passed" : "failed");
}

/**
 * Tallies results into the summary: passed + failed + errors = rules. Errored rules are
 * neither passed nor failed; `errors` appears only when there are some.
 */
export function summarize(results: RuleResult[]): Summary {
  const failed = results.filter((result) => statusOf(result) === "failed");
  const errors = results.filter((result) => statusOf(result) === "error").length;
  const bySeverity = (severity: Severity) =>
    failed.filter((result) => result.severity === severity).length;
  return {
    rules: results.length,
    passed: results.length - failed.length - errors,
    failed: failed.length,
    blocking_failures: bySeverity("blocking"),
    warning_failures: bySeverity("warning"),
    info_failures: bySeverity("info"),
    ...(errors > 0 ? { errors } : {}),
  };
}

/** The document's `passed`: no blocking rule failed or errored. */
export function documentPassed(results: RuleResult[]): boolean {
  return !results.some((result) => result.severity === "blocking" && !result.passed);
}
