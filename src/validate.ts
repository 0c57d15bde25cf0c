/**
 * The SDK's entry point: load a Kontract, open its data, run, wrap the result.
 * @module
 */
import { type ActionOptions, ActionRunner } from "./actions/run_actions.ts";
import type { AlertWhen, QuarantineConfig } from "./kontract/actions_spec.ts";
import { runKontract } from "./engine/validate.ts";
import { type Kontract, loadKontract, type LoadOptions } from "./kontract/load.ts";
import { renderJson } from "./report/json.ts";
import type { ActionResult, ResultDocument, RuleResult, Summary } from "./report/result.ts";
import { datasourceOpener, referenceOpener } from "./dataset.ts";
import { scrubSecrets, scrubSecretsDeep } from "./core/secrets.ts";
import { previousRunOf, readBaseline } from "./report/baseline.ts";

/** Options of {@linkcode validate}. */
export interface ValidateOptions extends LoadOptions {
  /** A datasource URI that overrides the Kontract's `datasource` (relative to the working directory). */
  data?: string;
  /** Add a `stats` block with durations, bytes read and peak memory. */
  timings?: boolean;
  /** Answer what Parquet footer statistics prove without scanning (default true). */
  metadata?: boolean;
  /**
   * Fail-fast for every rule on a database: stop at the first violation (`EXISTS`), so
   * `failed_count` is 0 or a lower bound of 1 (`failed_count_exact: false`).
   */
  failFast?: boolean;
  /** Told what the engine is doing, for progress display. */
  onProgress?: (message: string) => void;
  /**
   * Told of problems that do not stop the run, such as a literal secret in the Kontract.
   * Default: printed to stderr as `kontra: warning: …`.
   */
  onWarning?: (message: string) => void;
  /** Run the Kontract's `actions:` (default true); `false` runs none, an object tunes them. */
  actions?: boolean | ActionOptions;
  /**
   * The run `row_count_change` rules compare against: the path of its result document
   * (`result.json`), or the document itself (a previous `ValidationResult.document`).
   */
  baseline?: string | ResultDocument;
}

/**
 * The outcome of a validation run. `JSON.stringify(result)` gives the schema 1.0 document.
 *
 * @example
 * ```ts
 * import { validate } from "@kontra/kontra";
 * const result = await validate("kontract.yml");
 * for (const rule of result.results.filter((rule) => !rule.passed)) {
 *   console.log(rule.rule_id, rule.failed_count, rule.execution_source);
 * }
 * await Deno.writeTextFile("result.json", result.toJsonText());
 * ```
 */
export class ValidationResult {
  /** The Kontract that was run. */
  readonly kontract: Kontract;
  readonly #document: ResultDocument;
  readonly #actions?: ActionRunner;

  /** Wraps a result document; {@linkcode validate} makes these. */
  constructor(document: ResultDocument, kontract: Kontract, actions?: ActionRunner) {
    this.#document = document;
    this.kontract = kontract;
    this.#actions = actions;
  }

  /**
   * The result document (schema 1.0), every registered secret scrubbed: it is what leaves
   * Kontra. (Actions work on the document as measured, so rule ids still match rules.)
   */
  get document(): ResultDocument {
    return scrubSecretsDeep(this.#document);
  }

  /** What the actions did (quarantine, alert); empty when none ran. */
  get actions(): ActionResult[] {
    return scrubSecretsDeep(this.#document.actions ?? []);
  }

  /**
   * Quarantines the violating rows now, also when actions were off; `config` wins over
   * the Kontract's `actions.quarantine`. Never throws: a failure is in the result.
   */
  async quarantine(config?: Partial<QuarantineConfig>): Promise<ActionResult> {
    if (!this.#actions) return { action: "quarantine", status: "skipped", message: "no data" };
    return scrubSecretsDeep(await this.#actions.quarantine(config));
  }

  /** Sends the Kontract's alert now, also when actions were off. Never throws. */
  async alert(overrides?: { on?: AlertWhen }): Promise<ActionResult> {
    if (!this.#actions) return { action: "alert", status: "skipped", message: "no data" };
    return scrubSecretsDeep(await this.#actions.alert(overrides));
  }

  /** True when no blocking rule failed. */
  get passed(): boolean {
    return this.#document.passed;
  }

  /** One entry per rule, in Kontract order. */
  get results(): RuleResult[] {
    return scrubSecretsDeep(this.#document.results);
  }

  /** Counts of passed and failed rules by severity. */
  get summary(): Summary {
    // Counts only: nothing to scrub, so no copy of the whole document.
    return this.#document.summary;
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
 * Throws `KontractError` for an invalid Kontract (CLI exit 2) and
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
  const previous = options.baseline === undefined
    ? undefined
    : typeof options.baseline === "string"
    ? await readBaseline(options.baseline)
    : previousRunOf(options.baseline, "document");
  const warn = options.onWarning ??
    ((message) => console.error(`kontra: warning: ${scrubSecrets(message)}`));
  loaded.warnings.forEach((message) => warn(scrubSecrets(message)));
  const reopen = datasourceOpener(
    loaded,
    options.data,
    typeof kontract === "string" ? kontract : "<kontract>",
  );
  const opening = performance.now();
  const source = await reopen();
  const openMs = performance.now() - opening;
  // Once per run: sources opened again for on-demand actions do not repeat them.
  source.warnings?.forEach((message) => warn(scrubSecrets(message)));
  const warnedOnOpen = source.warnings?.length ?? 0;
  // Actions run now use the open source; on-demand ones later open it again.
  let live: typeof source | undefined = source;
  const open = async () => {
    const borrowed = live;
    const opened = borrowed ?? await reopen();
    return { source: opened, close: async () => void (borrowed ? 0 : await opened.close?.()) };
  };
  try {
    const { document, plan } = await runKontract(loaded, source, {
      ...options,
      openMs,
      previous,
      openReference: referenceOpener(loaded),
    });
    // Found while reading the data (ragged CSV rows): also in the document's `warnings`.
    source.warnings?.slice(warnedOnOpen).forEach((message) => warn(scrubSecrets(message)));
    const tuning = typeof options.actions === "object" ? options.actions : {};
    const actions = new ActionRunner(loaded, document, open, tuning, plan);
    if (options.actions !== false) await actions.runConfigured();
    return new ValidationResult(document, loaded, actions);
  } finally {
    live = undefined;
    await source.close?.();
  }
}
