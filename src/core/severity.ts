/**
 * How much a failing rule matters: `blocking` fails the run (exit 1), `warning` and
 * `info` are reported only (unless `--fail-on` says otherwise).
 * @module
 */
import { z } from "npm:zod@4.6.7";

/** How much a failing rule matters. Only `blocking` failures fail a run. */
export type Severity = "blocking" | "warning" | "info";
/** zod model of {@linkcode Severity}. */
export const Severity: z.ZodType<Severity> = z.enum(["blocking", "warning", "info"]);
