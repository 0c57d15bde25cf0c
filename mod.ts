/**
 * Kontra: fast, deterministic data-quality validation.
 *
 * @example
 * ```ts
 * import { validate } from "@kontra/kontra";
 * const result = await validate("kontract.yml", { data: "data/users.parquet" });
 * console.log(result.passed, result.summary);
 * ```
 * @module
 */
export { validate, type ValidateOptions, ValidationResult } from "./src/validate.ts";
export {
  type Kontract,
  loadKontract,
  type LoadOptions,
  type RuleInstance,
} from "./src/kontract/load.ts";
export {
  type AggregateMeasure,
  type AggregateStat,
  type AnyRule,
  type ColumnTypeMeasure,
  defineRule,
  type DuplicatesMeasure,
  type MaxMeasure,
  type Measure,
  type Observation,
  type PreviousRun,
  type ReferencesMeasure,
  type ResolvedReference,
  type RowCondition,
  type RowCountMeasure,
  type RuleDefinition,
  type RuleScope,
  type SchemaMeasure,
  type SqlQueryMeasure,
  type ValueSet,
  type ViolationsMeasure,
} from "./src/rules/define.ts";
export { registerRule } from "./src/rules/registry.ts";
export { DataSourceError, KontractError, KontraError } from "./src/core/errors.ts";
export type {
  ActionResult,
  ResultDocument,
  RuleResult,
  RuleStatus,
  RunStats,
  Summary,
} from "./src/report/result.ts";
export type { CsvSpec, DatasourceQuerySpec } from "./src/kontract/schema.ts";
export type { Severity } from "./src/core/severity.ts";
export type { Tolerance } from "./src/core/tolerance.ts";
export type { ExecutionSource } from "./src/core/tiers.ts";
export type { Dialect, SqlValue } from "./src/sql/dialect.ts";
export type { UserSqlGuard, UserSqlScope } from "./src/sql/user_sql.ts";
export type { Environment } from "./src/core/environment.ts";
export type {
  BoundValue,
  ColumnDrift,
  ColumnInfo,
  ColumnVariants,
  DatasetStats,
  Schema,
  TimeUnit,
  ValueBounds,
} from "./src/core/dataset.ts";
export { VERSION } from "./src/core/version.ts";
export {
  type QuarantineVerification,
  type RunVerification,
  verifyQuarantine,
} from "./src/actions/quarantine_verify.ts";
export type { ActionOptions } from "./src/actions/run_actions.ts";
export type { QuarantineSink } from "./src/actions/quarantine_sink.ts";
export type { SlackPostOptions } from "./src/actions/slack.ts";
export type {
  ActionsConfig,
  AlertWhen,
  QuarantineConfig,
  QuarantineFormat,
  SlackConfig,
} from "./src/kontract/actions_spec.ts";
export type {
  ManifestColumn,
  ManifestFile,
  QuarantineManifest,
} from "./src/actions/quarantine_manifest.ts";
export type { RetryClock, RetryPolicy } from "./src/core/retry.ts";
export {
  explain,
  type ExplainedRule,
  type ExplainOptions,
  type Explanation,
} from "./src/explain.ts";
