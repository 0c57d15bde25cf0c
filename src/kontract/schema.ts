/**
 * The zod model of a Kontract document, as written in YAML or passed as an object.
 * Rule params are checked later, against each rule's own schema.
 * @module
 */
import { z } from "zod";

/** How much a failing rule matters. Only `blocking` failures fail a run. */
export type Severity = "blocking" | "warning" | "info";
/** zod model of {@linkcode Severity}. */
export const Severity: z.ZodType<Severity> = z.enum(["blocking", "warning", "info"]);

/** One entry of `rules:` before its params are checked against the rule. */
export const RuleSpec = z.strictObject({
  name: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  id: z.string().min(1).optional(),
  severity: Severity.optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  /** Fail-fast for pushdown sources: stop at the first violation (count becomes a lower bound). */
  tally: z.boolean().optional(),
});
/** One entry of `rules:` before its params are checked against the rule. */
export type RuleSpec = z.infer<typeof RuleSpec>;

/** The top-level Kontract document. */
export const KontractSpec = z.strictObject({
  name: z.string().min(1),
  datasource: z.string().min(1).optional(),
  description: z.string().optional(),
  extends: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  rules: z.array(RuleSpec).default([]),
  actions: z.record(z.string(), z.unknown()).optional(),
});
/** The top-level Kontract document. */
export type KontractSpec = z.input<typeof KontractSpec>;
