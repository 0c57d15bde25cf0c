/**
 * The SDK's entry point: load a Kontract, open its data, run, wrap the result.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { runKontract } from "./engine/validate.ts";
import { KontractError } from "./errors.ts";
import { type Kontract, loadKontract, type LoadOptions } from "./kontract/load.ts";
import { renderJson } from "./report/json.ts";
import type { ResultDocument, RuleResult, Summary } from "./report/result.ts";
import { openSource } from "./sources/resolve.ts";

/** Options of {@linkcode validate}. */
export interface ValidateOptions extends LoadOptions {
  /** A datasource URI that overrides the Kontract's `datasource` (relative to the working directory). */
  data?: string;
  /** Add a `stats` block with durations, bytes read and peak memory. */
  timings?: boolean;
  /** Answer what Parquet footer statistics prove without scanning (default true). */
  metadata?: boolean;
  /** Told what the engine is doing, for progress display. */
  onProgress?: (message: string) => void;
}

/** The outcome of a validation run. `JSON.stringify(result)` gives the schema 1.0 document. */
export class ValidationResult {
  /** The result document (schema 1.0). */
  readonly document: ResultDocument;
  /** The Kontract that was run. */
  readonly kontract: Kontract;

  constructor(document: ResultDocument, kontract: Kontract) {
    this.document = document;
    this.kontract = kontract;
  }

  /** True when no blocking rule failed. */
  get passed(): boolean {
    return this.document.passed;
  }

  /** One entry per rule, in Kontract order. */
  get results(): RuleResult[] {
    return this.document.results;
  }

  /** Counts of passed and failed rules by severity. */
  get summary(): Summary {
    return this.document.summary;
  }

  /** The result document, for `JSON.stringify`. */
  toJSON(): ResultDocument {
    return this.document;
  }

  /** The deterministic JSON text the CLI prints. */
  toJsonText(): string {
    return renderJson(this.document);
  }
}

/**
 * Validates data against a Kontract.
 *
 * Throws {@linkcode KontractError} for an invalid Kontract (CLI exit 2) and
 * `DataSourceError` when the data cannot be read (exit 2 or 3).
 *
 * @example
 * ```ts
 * import { validate } from "@kontra/kontra";
 * const result = await validate("kontract.yml", { data: "data/users.parquet" });
 * if (!result.passed) console.log(result.results.filter((r) => !r.passed));
 * ```
 */
export async function validate(
  kontract: string | Record<string, unknown>,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const loaded = await loadKontract(kontract, options);
  const uri = options.data ?? loaded.datasource;
  if (uri === undefined) {
    throw new KontractError(
      `${
        typeof kontract === "string" ? kontract : "<kontract>"
      }: datasource: required (or pass data)`,
    );
  }
  const baseDir = options.data !== undefined || isAbsolute(uri) ? Deno.cwd() : loaded.baseDir;
  const source = await openSource(uri, { baseDir: resolve(baseDir), env: loaded.env });
  try {
    const document = await runKontract(loaded, source, options);
    return new ValidationResult(document, loaded);
  } finally {
    await source.close?.();
  }
}
