/**
 * The previous run a `row_count_change` rule compares against, read from its result
 * document (`--baseline result.json`, schema 1.0). Only what the comparison needs is
 * read, and the file is read with a size limit: a result document of a huge Kontract is
 * still far below it.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { BoundedReadError, readBoundedTextFile } from "../core/bounded_read.ts";
import { KontraError } from "../core/errors.ts";
import type { PreviousRun } from "../rules/define.ts";
import { SCHEMA_VERSION } from "./result.ts";

/** The largest baseline file read. */
export const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

const Baseline = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  dataset: z.object({ rows: z.number().int().nonnegative() }),
});

/** The previous run recorded in the result document at `path`; exit 2 when it is not one. */
export async function readBaseline(path: string): Promise<PreviousRun> {
  let text: string;
  try {
    text = await readBoundedTextFile(path, MAX_BASELINE_BYTES);
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    throw baselineError(path, error.problem === "not_found" ? "file not found" : error.message);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw baselineError(path, `not JSON (${(error as Error).message})`);
  }
  return previousRunOf(document, path);
}

/** The previous run recorded in a result document (`label` names it in errors). */
export function previousRunOf(document: unknown, label: string): PreviousRun {
  const parsed = Baseline.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw baselineError(label, `not a Kontra result document (${field}${issue.message})`);
  }
  return { rows: parsed.data.dataset.rows };
}

function baselineError(label: string, problem: string): KontraError {
  return new KontraError(`baseline ${label}: ${problem}`, 2);
}
