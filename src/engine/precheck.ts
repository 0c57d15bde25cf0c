/**
 * What can be checked before any row is read, is: each rule against the dataset's
 * schema. A failure here is a Kontract error naming the rule's `file:line:col`
 * (`ruleLabel`), exit 2, and nothing was read.
 *
 * - column types: a rule says which types it cannot check (`columnTypeProblem`, e.g.
 *   `regex` on a List), on every tier;
 * - the single pass: every scan rule's Polars predicate runs over zero rows of the
 *   dataset (the real schema, read from footers or headers only), so a predicate
 *   Polars cannot plan for the column's type fails here rather than mid-scan;
 * - user SQL on local files: DuckDB prepares each `custom_sql_check` over the dataset
 *   without running it, so a column typo is a Binder Error here.
 *
 * Databases bind user SQL when the statement is sent: a typo fails it before a row is
 * read, and `pushdown.ts` names the rule.
 * @module
 */
import { KontractError } from "../core/errors.ts";
import type { Schema } from "../core/dataset.ts";
import { ruleLabel } from "../kontract/load.ts";
import type { Capabilities } from "./capabilities.ts";
import type { VettedSql } from "../sql/user_sql.ts";
import { bindWithDuckdb } from "./duckdb_sql.ts";
import { passesOfKind, type Plan, type PlannedRule, scopeKey } from "./plan_model.ts";
import { failureReason } from "./rule_failure.ts";
import { countInOnePass, type CountRequest } from "./scan.ts";
import { measureModule } from "./measures/registry.ts";
import type { PlannedRuleOf } from "./measures/measure_module.ts";
import type { Measure } from "../rules/define.ts";

/** Refuses a rule whose column has a type the rule cannot check. */
export function checkColumnTypes(plan: Plan, schema: Schema): void {
  const columns = new Map(schema.columns.map((column) => [column.name, column]));
  for (const { instance, column } of plan.rules) {
    if (column === undefined) continue;
    const problem = instance.rule.columnTypeProblem?.(instance.params, column, columns);
    if (problem !== undefined) throw new KontractError(`${ruleLabel(instance)}: ${problem}`);
  }
}

/**
 * The single pass's requests: each scan-tier rule's part of it (asked of its measure
 * module), then the rows each condition selects where a tolerance is a share of them.
 * Building a predicate is the rule's own code: an exception there is a Kontract error
 * naming it.
 */
export function scanRequests(plan: Plan): CountRequest[] {
  const [single] = passesOfKind(plan, "single_scan");
  const predicates = (single?.rules ?? []).map((rule) => {
    try {
      return measureModule(rule.measure).scanRequest!(rule as PlannedRuleOf<Measure>);
    } catch (error) {
      throw refusal(rule, error);
    }
  });
  // The rows each `when:` selects, where a tolerance is a share of them.
  const scopes = (single?.scopes ?? []).map((rule) => ({
    key: scopeKey(rule.instance.id),
    predicate: rule.condition!.polars(),
  }));
  return [...predicates, ...scopes];
}

/**
 * Runs the single pass over zero rows of the dataset: the same query, so Polars plans
 * every predicate against the real column types. When it fails, each rule alone finds
 * the one to name. When even the bare zero-row read fails, the data is at fault, not a
 * rule: the run goes on and reports it where it reads.
 */
export function bindScanPredicates(
  plan: Plan,
  source: FileCapabilities,
  requests: CountRequest[],
): void {
  if (requests.length === 0) return;
  const empty = () => source.scan(plan.scanColumns).limit(0);
  try {
    countInOnePass(empty(), requests, plan.scanCountsRows);
    return;
  } catch {
    try {
      empty().collectSync();
    } catch {
      return;
    }
  }
  for (const request of requests) {
    try {
      countInOnePass(empty(), [request], false);
    } catch (error) {
      const rule = plan.rules.find((planned) =>
        planned.instance.id === request.key || scopeKey(planned.instance.id) === request.key
      )!;
      throw refusal(rule, error);
    }
  }
}

/**
 * Binds each `custom_sql_check` against the dataset's schema in DuckDB, for sources
 * whose table DuckDB reaches without copying anything (local files: footers and CSV
 * headers only). On other sources (S3) the query is bound when it runs.
 */
export async function bindUserSql(
  plan: Plan,
  source: FileCapabilities,
  vetted: Map<string, VettedSql>,
): Promise<void> {
  const requests = plan.rules.flatMap((rule) =>
    rule.tier === "sql" && rule.measure.kind === "sql_query" && vetted.has(rule.instance.id)
      ? [{
        key: rule.instance.id,
        label: ruleLabel(rule.instance),
        sql: vetted.get(rule.instance.id)!,
      }]
      : []
  );
  if (requests.length === 0 || !source.cheapRescans || !source.duckdb) return;
  const table = await source.duckdb();
  try {
    await bindWithDuckdb(table, requests);
  } finally {
    await table.release();
  }
}

type FileCapabilities = Extract<Capabilities, { kind: "files" }>;

function refusal(rule: PlannedRule, error: unknown): KontractError {
  return new KontractError(`${ruleLabel(rule.instance)}: ${failureReason(error)}`, {
    cause: error,
  });
}
