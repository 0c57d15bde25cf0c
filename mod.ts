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
  type AnyRule,
  type ColumnInfo,
  defineRule,
  type Measure,
  type Observation,
  type RuleDefinition,
  type RuleScope,
} from "./src/rules/define.ts";
export { registerRule } from "./src/rules/registry.ts";
export { DataSourceError, KontractError, KontraError } from "./src/errors.ts";
export type {
  ActionResult,
  ExecutionSource,
  ResultDocument,
  RuleResult,
  RunStats,
  Summary,
} from "./src/report/result.ts";
export type { Severity } from "./src/kontract/schema.ts";
export type { Dialect } from "./src/sql/dialect.ts";
export { VERSION } from "./src/version.ts";
