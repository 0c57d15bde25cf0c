/**
 * The SQL tier for databases: every rule the planner gave the `sql` tier becomes one
 * select-list item of ONE statement (one round trip), rendered through the source's
 * dialect. Exact counts by default:
 *
 * - violations: `COALESCE(SUM(CASE WHEN <predicate> THEN 1 ELSE 0 END), 0)`
 * - duplicates: `COUNT(col) - COUNT(DISTINCT col)`
 * - rows: `COUNT(*)`
 * - custom SQL: `(SELECT COUNT(*) FROM (<user SELECT>) AS q)`, a scalar subquery
 *
 * A fail-fast rule (`tally: false`, or `--fail-fast` for the run) uses an `EXISTS` form
 * instead, which stops at the first violating row: its count is 0, or 1 as a lower bound.
 *
 * When the statement fails because of a rule, the rule is found: user SQL that does not
 * compile (a column typo) is a Kontract error naming the rule, before any row was read;
 * otherwise each item runs on its own (one statement each, only after a failure), and
 * those that fail while running get an error of their own while the others keep
 * their counts.
 * @module
 */
import { KontractError, KontraError } from "../core/errors.ts";
import { failureReason, type RuleErrors } from "./rule_failure.ts";
import type { RunStats } from "../report/result.ts";
import { type SqlAccess, withPrefix } from "../sql/sql_access.ts";
import { ruleLabel } from "../kontract/load.ts";
import type { BoundValue } from "../core/dataset.ts";
import { FIRST_ROW, QUERY_ALIAS, type SqlItem } from "./measures/measure_module.ts";
import { measureModule } from "./measures/registry.ts";
import { passesOfKind, type Plan, type PlannedRule, scopeKey } from "./plan_model.ts";

/** What the statement measured. */
export interface PushdownResult {
  /** Rows in the dataset (always exact). */
  rows: number;
  /** Counts by rule id. */
  counts: Map<string, number>;
  /** Values by rule id, for items that measure a value (`max`). */
  values: Map<string, BoundValue | null>;
  /** Rule ids measured fail-fast: their count is a lower bound when it is not 0. */
  failFast: Set<string>;
  /** Rules whose item failed while running, and why. */
  errors: RuleErrors;
}

/** One select-list item of the statement. */
interface Item {
  ruleId?: string;
  /** How messages name the rule: `file:line:col: id`. */
  label?: string;
  expression: string;
  /** The user's SELECT as vetted and nested, for naming the rule when the statement fails. */
  userSql?: string;
  /** The item measures a value, not a count: how to read it (see `SqlItem.value`). */
  value?: SqlItem["value"];
  failFast: boolean;
}

/** Options of {@linkcode measureInDatabase}. */
export interface PushdownOptions {
  /** Fail-fast for every rule, not only those with `tally: false`. */
  failFast?: boolean;
}

/** Renders the statement: the row count first, then one item per sql-tier rule. */
export async function pushdownStatement(
  plan: Plan,
  access: SqlAccess,
  options: PushdownOptions = {},
): Promise<{ sql: string; items: Item[] }> {
  const items: Item[] = [{ expression: "COUNT(*)", failFast: false }];
  for (const rule of passesOfKind(plan, "pushdown").flatMap((pass) => pass.rules)) {
    // A tolerance needs the exact count: such a rule is never measured fail-fast.
    const failFast = (options.failFast || !rule.instance.tally) && !rule.instance.tolerance;
    const item = await itemOf(rule, access, failFast);
    if (item) items.push(item);
    if (rule.countsScope) items.push(scopeItem(rule, access));
  }
  const { dialect } = access;
  const select = items.map((item, index) =>
    `${item.expression} AS ${dialect.ident(index === 0 ? "n" : `c${index}`)}`
  );
  return {
    sql: `${withPrefix(access)}SELECT ${select.join(", ")} FROM ${access.relation}`,
    items,
  };
}

/** Runs every sql-tier rule of the plan in ONE statement. */
export async function measureInDatabase(
  plan: Plan,
  access: SqlAccess,
  options: PushdownOptions = {},
): Promise<PushdownResult> {
  const { sql, items } = await pushdownStatement(plan, access, options);
  let row: unknown[];
  try {
    [row] = (await access.query(sql)).rows;
  } catch (error) {
    const named = await attribute(error, items, access);
    // Connections, timeouts and permissions are no rule's fault: the run stops.
    if (named !== error || !(error instanceof KontractError)) throw named;
    return await measureItemByItem(items, access, error);
  }
  const counts = new Map<string, number>();
  const values = new Map<string, BoundValue | null>();
  const failFast = new Set<string>();
  items.forEach((item, index) => {
    if (item.ruleId === undefined) return;
    if (item.value) return values.set(item.ruleId, item.value(row?.[index]));
    counts.set(item.ruleId, countOf(row?.[index]));
    if (item.failFast) failFast.add(item.ruleId);
  });
  return { rows: countOf(row?.[0]), counts, values, failFast, errors: new Map() };
}

/**
 * After the statement failed while running (every item compiles): each item in a
 * statement of its own, so the rule that fails gets the error and the others their
 * counts. One statement per item, only on this path. When the row count itself fails,
 * the data is at fault, not a rule: the first error stands for the run.
 */
async function measureItemByItem(
  items: Item[],
  access: SqlAccess,
  first: KontractError,
): Promise<PushdownResult> {
  const single = (item: Item) =>
    `${withPrefix(access)}SELECT ${item.expression} AS ${
      access.dialect.ident("c")
    } FROM ${access.relation}`;
  let rows: number;
  try {
    rows = countOf((await access.query(single(items[0]))).rows[0]?.[0]);
  } catch {
    throw first;
  }
  const counts = new Map<string, number>();
  const values = new Map<string, BoundValue | null>();
  const failFast = new Set<string>();
  const errors: RuleErrors = new Map();
  for (const item of items.slice(1)) {
    if (item.ruleId === undefined) continue;
    try {
      const raw = (await access.query(single(item))).rows[0]?.[0];
      if (item.value) {
        values.set(item.ruleId, item.value(raw));
        continue;
      }
      counts.set(item.ruleId, countOf(raw));
      if (item.failFast) failFast.add(item.ruleId);
    } catch (error) {
      if (!(error instanceof KontractError)) throw error;
      errors.set(item.ruleId, failureReason(error));
    }
  }
  return { rows, counts, values, failFast, errors };
}

/** The `--timings` fields for the statements a SQL source sent. */
export function sqlRunStats(access: SqlAccess | undefined): Partial<RunStats> {
  if (!access || access.log.length === 0) return {};
  const ms = access.log.reduce((sum, entry) => sum + entry.ms, 0);
  return {
    sql: access.log.map((entry) => entry.sql),
    sql_round_trips: access.log.reduce((sum, entry) => sum + entry.roundTrips, 0),
    sql_db_ms: Math.round(ms * 10) / 10,
  };
}

async function itemOf(
  rule: PlannedRule,
  access: SqlAccess,
  failFast: boolean,
): Promise<Item | undefined> {
  const item = await measureModule(rule.measure).sqlItem(rule, access, failFast);
  if (item === undefined) return undefined;
  const { instance } = rule;
  return { ruleId: instance.id, label: ruleLabel(instance), ...item, failFast };
}

/** The count of rows a rule's `when:` selects, where its tolerance is a share of them. */
function scopeItem(rule: PlannedRule, access: SqlAccess): Item {
  const condition = rule.condition!.sql(access.dialect);
  return {
    ruleId: scopeKey(rule.instance.id),
    label: ruleLabel(rule.instance),
    expression: `COALESCE(SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`,
    failFast: false,
  };
}

/**
 * When the statement fails because of SQL the user wrote, names the rule: each custom
 * SELECT is compiled on its own (`WHERE 1 = 0`: nothing runs) and the first that fails
 * is reported with its rule id.
 */
async function attribute(error: unknown, items: Item[], access: SqlAccess): Promise<unknown> {
  if (!(error instanceof KontractError)) return error;
  for (const item of items) {
    if (item.userSql === undefined || item.ruleId === undefined) continue;
    const query = item.userSql;
    try {
      await access.query(
        `${withPrefix(access)}SELECT 1 AS ${access.dialect.ident(FIRST_ROW)} FROM ${query} AS ${
          access.dialect.ident(QUERY_ALIAS)
        } WHERE 1 = 0`,
      );
    } catch (probe) {
      if (probe instanceof KontraError) {
        return new KontractError(`${item.label ?? item.ruleId}: ${probe.message}`, {
          cause: probe,
        });
      }
    }
  }
  return error;
}

function countOf(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const number = Number(value);
  return Number.isFinite(number) ? number : 0;
}
