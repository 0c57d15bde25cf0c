/**
 * The zod model of a Kontract's `actions:` block. It is part of the Kontract model
 * (`src/kontract/schema.ts`), so a mistake here is a Kontract error naming
 * file:line:col and the field, like every other.
 *
 * ```yaml
 * actions:
 *   quarantine:
 *     location: s3://dlq/users/   # or a local directory (relative to the Kontract)
 *     format: parquet             # parquet (default) | csv
 *   alert:
 *     slack:
 *       webhook_url: ${SLACK_WEBHOOK_URL}
 *       on: failure               # failure (default) | always
 * ```
 * @module
 */
import { z } from "npm:zod@4.6.7";

/** File formats quarantined rows are written in. */
export type QuarantineFormat = "parquet" | "csv";

/** Where and how the rows that violate row-level rules are written. */
export interface QuarantineConfig {
  /** A local directory (relative to the Kontract) or an `s3://bucket/prefix/` URI. */
  location: string;
  /** `parquet` (default) or `csv`. */
  format: QuarantineFormat;
}

/** When a Slack alert is sent. */
export type AlertWhen = "failure" | "always";

/** A Slack incoming webhook. The URL is a secret: never printed, logged or put in a result. */
export interface SlackConfig {
  /** The incoming webhook's URL: put `${SLACK_WEBHOOK_URL}` in the Kontract. */
  webhook_url: string;
  /** `failure` (default): only when the run failed; `always`: after every run. */
  on: AlertWhen;
}

/** The `actions:` block, defaults applied. */
export interface ActionsConfig {
  /** Write the rows that violate row-level rules to a dead-letter location. */
  quarantine?: QuarantineConfig;
  /** Send a summary to Slack. */
  alert?: { slack: SlackConfig };
}

/** True for an absolute http(s) URL. The message never repeats the value: it is a secret. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/** zod model of {@linkcode QuarantineConfig}. */
export const QuarantineSpec: z.ZodType<QuarantineConfig, unknown> = z.strictObject({
  location: z.string().min(1),
  format: z.enum(["parquet", "csv"]).default("parquet"),
});

/** zod model of {@linkcode SlackConfig}. */
export const SlackSpec: z.ZodType<SlackConfig, unknown> = z.strictObject({
  webhook_url: z.string().refine(isHttpUrl, { message: "must be an http(s) URL" }),
  on: z.enum(["failure", "always"]).default("failure"),
});

/** zod model of the `actions:` block. */
export const ActionsSpec: z.ZodType<ActionsConfig, unknown> = z.strictObject({
  quarantine: QuarantineSpec.optional(),
  alert: z.strictObject({ slack: SlackSpec }).optional(),
});
