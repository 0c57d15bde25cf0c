/**
 * Helpers for violating-rows tests: the row-level rules of a plan, the violating rows a
 * source gives for a Kontract, and the rows a ViolatingRows result yields, collected
 * into plain arrays.
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";
import { planRules } from "../../src/engine/plan.ts";
import type { Plan } from "../../src/engine/plan_model.ts";
import { capabilitiesOf } from "../../src/engine/capabilities.ts";
import { measureModule } from "../../src/engine/measures/registry.ts";
import { compareIds, violatingRows } from "../../src/engine/violating_rows.ts";
import type { RowRule, ViolatingRows } from "../../src/sources/violating_rows.ts";
import type { Environment } from "../../src/core/environment.ts";
import { type Kontract, loadKontract } from "../../src/kontract/load.ts";
import { openSource } from "../../src/open_source.ts";
import type { Source } from "../../src/sources/source.ts";
import type { Schema } from "../../src/core/dataset.ts";

/** The plan's rules that have violating rows, sorted by id (as quarantine passes them). */
export function rowRulesOf(plan: Plan): RowRule[] {
  return plan.rules.flatMap(({ instance, measure, column, missingColumn }): RowRule[] => {
    if (missingColumn || !measureModule(measure).rowLevel) return [];
    const reason = instance.rule.reason?.(instance.params) ?? `violates ${instance.name}`;
    return [{ id: instance.id, reason, measure, column }];
  }).sort((a, b) => compareIds(a.id, b.id));
}

/** Every row, as arrays, with the column names and Polars types. */
export async function frameRows(
  result: ViolatingRows,
): Promise<{ columns: string[]; types: string[]; rows: unknown[][] }> {
  let frame: DataFrame;
  if (result.kind === "lazy") {
    frame = result.frame.collectSync();
  } else {
    const batches: DataFrame[] = [];
    for await (const batch of result.batches) batches.push(batch);
    frame = batches.length === 0
      ? pl.DataFrame({})
      : batches.length === 1
      ? batches[0]
      : pl.concat(batches, { how: "vertical" });
  }
  return {
    columns: frame.columns,
    types: frame.dtypes.map((type) => String(type.variant)),
    rows: frame.rows(),
  };
}

/** The violating rows of the Kontract's row-level rules, planned on `schema`, at most `rows`. */
export async function violatingRowsOf(
  source: Source,
  kontract: Kontract,
  schema: Schema,
  rows: number,
): Promise<ViolatingRows> {
  const plan = planRules(kontract, schema, undefined, capabilitiesOf(source));
  return await violatingRows(source, { rules: rowRulesOf(plan), schema, rows });
}

/**
 * Opens `datasource`, collects up to 10 violating rows of `rules` from it and closes it:
 * the same rules over a database and over a file must give the same rows.
 */
export async function collectViolatingRows(
  datasource: string,
  rules: Record<string, unknown>[],
  env: Environment,
): Promise<{ result: ViolatingRows; rows: Awaited<ReturnType<typeof frameRows>> }> {
  const kontract = await loadKontract({ name: "rows", datasource, rules }, { env });
  const source = await openSource(datasource, { baseDir: Deno.cwd(), env });
  try {
    const result = await violatingRowsOf(source, kontract, await source.schema(), 10);
    return { result, rows: await frameRows(result) };
  } finally {
    await source.close?.();
  }
}
