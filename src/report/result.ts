/**
 * The result document, JSON schema 1.0. The zod model below is the single source
 * of truth for validation and for `schema/result-1.0.json` (generated from it); the
 * interfaces spell the same shape out for readers and for JSR's explicit types, and
 * each schema is annotated with its interface so the two cannot drift. Key order in
 * the zod objects is the key order of the emitted JSON.
 * @module
 */
import { z } from "zod";
import { Severity } from "../kontract/schema.ts";

/** The schema version this model describes. */
export const SCHEMA_VERSION = "1.0";

/** Which tier answered a rule. */
export type ExecutionSource = "metadata" | "scan" | "sql";

/** The outcome of one rule. */
export interface RuleResult {
  /** `COL:<column>:<rule>`, `DATASET:<rule>`, or the Kontract's explicit `id`. */
  rule_id: string;
  /** The rule's name, e.g. `unique`. */
  rule: string;
  /** The checked column, for column rules. */
  column?: string;
  severity: Severity;
  passed: boolean;
  failed_count: number;
  /** False when fail-fast stopped counting: `failed_count` is then a lower bound. */
  failed_count_exact: boolean;
  message: string;
  /** Which tier answered. */
  execution_source: ExecutionSource;
  /** The rule's free-form `context`, echoed. */
  context?: Record<string, unknown>;
}

/** Counts over all rules. */
export interface Summary {
  rules: number;
  passed: number;
  failed: number;
  blocking_failures: number;
  warning_failures: number;
  info_failures: number;
}

/** What an action (quarantine, alert) did. */
export interface ActionResult {
  action: string;
  status: "succeeded" | "skipped" | "failed";
  location?: string;
  rows?: number;
  error?: string;
}

/** Measurements, only with `--timings`: the one non-deterministic part. */
export interface RunStats {
  duration_ms: number;
  phases_ms: Record<string, number>;
  rows_scanned: number;
  scan_passes: number;
  bytes_read?: number;
  bytes_total?: number;
  files?: number;
  row_groups?: number;
  peak_rss_bytes: number;
  sql?: string[];
}

/** The whole result document. */
export interface ResultDocument {
  schema_version: "1.0";
  kontract: { name: string; fingerprint: string };
  dataset: { uri: string; rows: number };
  passed: boolean;
  summary: Summary;
  results: RuleResult[];
  actions?: ActionResult[];
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
  failed_count: count,
  failed_count_exact: z.boolean(),
  message: z.string(),
  execution_source: z.enum(["metadata", "scan", "sql"]),
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
});

/** zod model of {@linkcode ActionResult}. */
export const ActionResultModel: z.ZodType<ActionResult> = z.strictObject({
  action: z.string(),
  status: z.enum(["succeeded", "skipped", "failed"]),
  location: z.string().optional(),
  rows: count.optional(),
  error: z.string().optional(),
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
});

/** zod model of {@linkcode ResultDocument}: validates, orders keys, generates the JSON schema. */
export const ResultDocumentModel: z.ZodType<ResultDocument> = z.strictObject({
  schema_version: z.literal(SCHEMA_VERSION),
  kontract: z.strictObject({ name: z.string(), fingerprint: z.string() }),
  dataset: z.strictObject({ uri: z.string(), rows: count }),
  passed: z.boolean(),
  summary: SummaryModel,
  results: z.array(RuleResultModel),
  actions: z.array(ActionResultModel).optional(),
  stats: RunStatsModel.optional(),
});

/** Tallies results into the summary. */
export function summarize(results: RuleResult[]): Summary {
  const failed = results.filter((result) => !result.passed);
  const bySeverity = (severity: Severity) =>
    failed.filter((result) => result.severity === severity).length;
  return {
    rules: results.length,
    passed: results.length - failed.length,
    failed: failed.length,
    blocking_failures: bySeverity("blocking"),
    warning_failures: bySeverity("warning"),
    info_failures: bySeverity("info"),
  };
}
