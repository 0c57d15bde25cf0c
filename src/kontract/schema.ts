/**
 * The zod model of a Kontract document, as written in YAML or passed as an object.
 * Rule params are checked later, against each rule's own schema.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { Severity } from "../core/severity.ts";
import { Tolerance } from "../core/tolerance.ts";
import { ActionsSpec } from "./actions_spec.ts";

/** One entry of `rules:` before its params are checked against the rule. */
export const RuleSpec = z.strictObject({
  name: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  id: z.string().min(1).optional(),
  severity: Severity.optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  /** Fail-fast for pushdown sources: stop at the first violation (count becomes a lower bound). */
  tally: z.boolean().optional(),
  /** A condition limiting a column rule to some rows, e.g. `status = 'active'`. */
  when: z.string().min(1).optional(),
  /** Failures the rule may have and still pass. */
  tolerance: Tolerance.optional(),
});
/** One entry of `rules:` before its params are checked against the rule. */
export type RuleSpec = z.infer<typeof RuleSpec>;

/**
 * A view of a database table as the dataset: a SELECT (checked by the SQL guard) run
 * over the database `connection` names, e.g. `postgres://user@host:5432/db`.
 */
export interface DatasourceQuerySpec {
  /** A database URI without a table: `postgres://…/db`, `snowflake://account/db[/schema]`. */
  connection: string;
  /** One read-only SELECT; the dataset is its result. */
  query: string;
}
/** zod model of {@linkcode DatasourceQuerySpec}. */
export const DatasourceQuerySpec: z.ZodType<DatasourceQuerySpec> = z.strictObject({
  connection: z.string().min(1),
  query: z.string().min(1),
});

/** How CSV data is read (`csv:`), for every CSV datasource of the Kontract. */
export interface CsvSpec {
  /**
   * Rows with more or fewer fields than the header: `warn` (default) reads them (extra
   * fields ignored, missing ones NULL) and reports their count; `fail` stops the run
   * (exit 3) naming the file and the first such line.
   */
  ragged_rows?: "warn" | "fail";
}
/** zod model of {@linkcode CsvSpec}. */
export const CsvSpec: z.ZodType<CsvSpec> = z.strictObject({
  ragged_rows: z.enum(["warn", "fail"]).optional(),
});

/** The top-level Kontract document. */
export const KontractSpec = z.strictObject({
  name: z.string().min(1),
  datasource: z.union([z.string().min(1), DatasourceQuerySpec]).optional(),
  description: z.string().optional(),
  extends: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  rules: z.array(RuleSpec).default([]),
  csv: CsvSpec.optional(),
  actions: ActionsSpec.optional(),
});
/** The top-level Kontract document. */
export type KontractSpec = z.input<typeof KontractSpec>;
