/**
 * The gate for SQL that Kontract authors write (`custom_sql_check`, `query:`
 * datasources). Kontract authors are less trusted than the credentials Kontra runs
 * with, so user SQL runs only after the engine's OWN parser has read the exact text
 * that will run and an allow-list has accepted every part of its parse tree: one
 * SELECT, relations Kontra allows, functions, operators and types on the dialect's
 * list. Anything the guard does not know is refused.
 *
 * The only way to get a `VettedSql` is `vetUserSql`, and the statements that embed user
 * SQL take a `VettedSql`: unchecked text cannot reach an engine by mistake.
 * @module
 */
import { KontractError } from "../core/errors.ts";

/** The placeholder users write for the dataset. */
export const TABLE_PLACEHOLDER = "{table}";

/** Longer user SQL is refused before any parser sees it. */
export const MAX_USER_SQL_CHARS = 100_000;

/**
 * What the SQL may read besides its own CTEs and subqueries. `dataset_only` (files):
 * the dataset, named `dataset` (unquoted) in the checked text, and nothing else.
 * `non_system` (databases): any table outside the system schemas.
 */
export type UserSqlScope =
  | { readonly relations: "dataset_only"; readonly dataset: string }
  | { readonly relations: "non_system" };

/** One engine's parser plus its allow-lists. */
export interface UserSqlGuard {
  /** The engine whose parser reads the SQL, for messages and docs (`PostgreSQL`). */
  readonly engine: string;
  /** Every function (and table function) name user SQL may call, sorted, for the docs. */
  readonly allowedFunctions: readonly string[];
  /**
   * Why `sql` is refused (one line, no trailing period), or undefined when every part
   * of it is allowed. `sql` is the exact text that will run, `{table}` already bound.
   */
  check(sql: string, scope: UserSqlScope): Promise<string | undefined>;
  /**
   * Why a Kontract may not name this relation (or namespace) as its datasource, by its
   * parts as written or as the catalog spells them (`["pg_catalog", "pg_authid"]`): the
   * system data user SQL may not read is off limits as a datasource too.
   */
  refuseRelation(path: readonly string[]): string | undefined;
}

// Not exported: nothing outside this module can make a VettedSql.
const VETTED: unique symbol = Symbol("vetted");

/** SQL text an engine's guard accepted. Only `vetUserSql` makes one. */
export class VettedSql {
  /** The checked text, exactly as it must run. */
  readonly text: string;

  /** Not callable from outside this module: the token is private to it. */
  constructor(token: typeof VETTED, text: string) {
    if (token !== VETTED) throw new TypeError("VettedSql is made by vetUserSql only");
    this.text = text;
  }
}

/** Where user SQL came from, for messages: `custom_sql_check` or `query:` datasource. */
export type UserSqlPurpose = "custom_sql_check" | "a query: datasource";

/**
 * Binds `{table}` to `relation` (the dataset as the engine must see it), then asks the
 * guard about the bound text. Refusal is a Kontract error: `<label>: <reason> in <purpose>`.
 */
export async function vetUserSql(
  guard: UserSqlGuard,
  sql: string,
  options: { relation: string; scope: UserSqlScope; label: string; purpose: UserSqlPurpose },
): Promise<VettedSql> {
  const { relation, scope, label, purpose } = options;
  if (sql.length > MAX_USER_SQL_CHARS) {
    throw new KontractError(
      `${label}: SQL longer than ${
        MAX_USER_SQL_CHARS.toLocaleString("en-US")
      } characters is not allowed in ${purpose}`,
    );
  }
  const text = withoutTrailingSemicolons(sql).replaceAll(TABLE_PLACEHOLDER, relation);
  let reason: string | undefined;
  try {
    reason = await guard.check(text, scope);
  } catch {
    // A guard that cannot decide refuses: an allow-list never fails open.
    reason = `the ${guard.engine} parser could not check the SQL`;
  }
  if (reason !== undefined) throw new KontractError(`${label}: ${reason} in ${purpose}`);
  return new VettedSql(VETTED, text);
}

/** `SELECT …;` → `SELECT …`: one statement may end with semicolons, a subquery may not. */
export function withoutTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

/** The standard refusal for a function off the allow-list. */
export function functionNotAllowed(name: string): string {
  return `function ${name} is not allowed`;
}

/** A node of a parse tree being walked, with the chain of nodes above it. */
export interface TreeStep {
  /** The object itself. */
  readonly node: Record<string, unknown>;
  /** The property (or array index) of the nearest object above that holds it. */
  readonly key: string | number | undefined;
  /** The step of the nearest object above, undefined at the root. */
  readonly parent: TreeStep | undefined;
}

/** Parse trees larger than this are refused rather than walked. */
export const MAX_TREE_NODES = 2_000_000;

/**
 * Visits every object in a JSON parse tree depth-first, without recursion (a 20,000-term
 * expression is a very deep tree), and returns the first reason `visit` gives. Arrays
 * are walked through but not visited. A tree over `MAX_TREE_NODES` objects is refused.
 */
export function findInTree(
  root: unknown,
  visit: (step: TreeStep) => string | undefined,
): string | undefined {
  type Pending = { value: unknown; key: string | number | undefined; parent: TreeStep | undefined };
  const stack: Pending[] = [{ value: root, key: undefined, parent: undefined }];
  let visited = 0;
  while (stack.length > 0) {
    const { value, key, parent } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({ value: value[index], key: index, parent });
      }
      continue;
    }
    if (++visited > MAX_TREE_NODES) return "the SQL is too large to check";
    const step: TreeStep = { node: value as Record<string, unknown>, key, parent };
    const reason = visit(step);
    if (reason !== undefined) return reason;
    const entries = Object.entries(value);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [childKey, child] = entries[index];
      if (child !== null && typeof child === "object") {
        stack.push({ value: child, key: childKey, parent: step });
      }
    }
  }
  return undefined;
}
