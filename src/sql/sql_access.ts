/**
 * What a database source offers the planner (`Source.sql`): its dialect, the dataset
 * as a relation, and statements that run read-only under a statement timeout. The
 * engine renders SQL through the dialect and never asks which database it is.
 * @module
 */
import type { Dialect, SqlValue } from "./dialect.ts";
import { vetUserSql } from "./user_sql.ts";

/** A column of a SQL result: its name and the database's name for its type. */
export interface SqlColumn {
  name: string;
  type: string;
}

/** A SQL result: rows as arrays, in select-list order. */
export interface SqlResult {
  columns: SqlColumn[];
  rows: unknown[][];
}

/** One statement a SQL source sent, for `--timings`. */
export interface SqlStatementLog {
  /** The SQL text (values are literals or bound parameters, never secrets). */
  sql: string;
  /** Wall time from sending it to having the whole result. */
  ms: number;
  /** Network round trips it took. */
  roundTrips: number;
}

/** A database the planner can push SQL into. */
export interface SqlAccess {
  /** How to quote and match in this database. */
  readonly dialect: Dialect;
  /**
   * The dataset in FROM clauses and in user SQL's `{table}`: a quoted table name, or the
   * name of the common table expression `cte` defines.
   */
  readonly relation: string;
  /** `name AS (SELECT …)` for a `query:` datasource: statements begin `WITH <cte>`. */
  readonly cte?: string;
  /**
   * Runs ONE statement read-only (PostgreSQL: `BEGIN READ ONLY`; both: a statement
   * timeout). Database errors become KontractError (the SQL is wrong: exit 2) or
   * DataSourceError (connection, permission, timeout: exit 3), one line, no secrets.
   */
  query(sql: string, params?: SqlValue[]): Promise<SqlResult>;
  /** Streams one read-only statement's rows through a cursor, `batchRows` at a time. */
  stream(sql: string, params?: SqlValue[], batchRows?: number): AsyncIterable<unknown[][]>;
  /** Every statement sent so far, catalog lookups included. */
  readonly log: readonly SqlStatementLog[];
}

/** `WITH <cte> ` when the relation is a query, else nothing: the prefix of every statement. */
export function withPrefix(access: Pick<SqlAccess, "cte">): string {
  return access.cte === undefined ? "" : `WITH ${access.cte} `;
}

/**
 * User SQL (`custom_sql_check`) with `{table}` bound to the dataset, checked by this
 * database's own parser and allow-lists, and wrapped in parentheses to nest as a
 * subquery. The line breaks keep a trailing `-- comment` from swallowing the closing
 * parenthesis. A refusal is a KontractError naming `label`.
 */
export async function nestedUserSql(
  access: SqlAccess,
  sql: string,
  label: string,
): Promise<string> {
  const vetted = await vetUserSql(access.dialect.guard, sql, {
    relation: access.relation,
    scope: { relations: "non_system" },
    label,
    purpose: "custom_sql_check",
  });
  return `(\n${vetted.text}\n)`;
}
