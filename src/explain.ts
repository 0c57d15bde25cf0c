/**
 * The SDK's `explain`: what a run would read and how, without running it.
 * @module
 */
import { datasourceOpener, referenceOpener } from "./dataset.ts";
import { explainPlan, type Explanation } from "./engine/explain.ts";
import { loadKontract, type LoadOptions } from "./kontract/load.ts";

/** Options of {@linkcode explain}. */
export interface ExplainOptions extends LoadOptions {
  /** A datasource URI that overrides the Kontract's `datasource`. */
  data?: string;
  /** Plan as if footer statistics were unavailable. */
  metadata?: boolean;
  /** Plan database rules fail-fast. */
  failFast?: boolean;
}

/**
 * The plan of a validation run: per rule its tier and columns, and the reads the run
 * makes (footers, the single scan with its pushed-down filter, SQL). Reads only
 * metadata.
 *
 * @example
 * ```ts
 * import { explain } from "@kontra/kontra";
 * const plan = await explain("kontract.yml");
 * for (const rule of plan.rules) console.log(rule.rule_id, rule.tier, rule.how);
 * ```
 */
export async function explain(
  kontract: string | Record<string, unknown>,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const loaded = await loadKontract(kontract, options);
  const label = typeof kontract === "string" ? kontract : "<kontract>";
  const source = await datasourceOpener(loaded, options.data, label)();
  try {
    return await explainPlan(loaded, source, {
      ...options,
      openReference: referenceOpener(loaded),
    });
  } finally {
    await source.close?.();
  }
}

export type { ExplainedRule, Explanation } from "./engine/explain.ts";
