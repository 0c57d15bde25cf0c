/**
 * `custom_sql_check` on files: each user SELECT is checked by DuckDB's guard before any
 * data is read (`vetCustomSql`), bound against the dataset's schema (`bindWithDuckdb`:
 * a typo is a Kontract error, still before any row is read), then counted in a
 * locked-down DuckDB session over the dataset, one prepared statement per query.
 * @module
 */
import { DataSourceError, KontractError } from "../core/errors.ts";
import { type Kontract, ruleLabel } from "../kontract/load.ts";
import type { DuckdbTable } from "../sources/source.ts";
import type { VettedSql } from "../sql/user_sql.ts";
import { openDuckdbSession, SqlTimeoutError, vetDuckdbSql } from "./duckdb_session.ts";
import { failureReason, type RuleErrors } from "./rule_failure.ts";

/** A user query to count. */
export interface SqlCountRequest {
  /** The rule id: the key of its count. */
  key: string;
  /** How messages name the rule (`file:line:col: id`). */
  label: string;
  /** The user's SELECT, already accepted by DuckDB's guard. */
  sql: VettedSql;
}

/**
 * Every `custom_sql_check` SELECT of the Kontract, checked by DuckDB's guard, by rule
 * id. The first refusal is a KontractError naming the rule's file:line.
 */
export async function vetCustomSql(kontract: Kontract): Promise<Map<string, VettedSql>> {
  const vetted = new Map<string, VettedSql>();
  for (const instance of kontract.rules) {
    const measure = instance.rule.measure(instance.params);
    if (measure.kind !== "sql_query") continue;
    vetted.set(instance.id, await vetDuckdbSql(measure.sql, ruleLabel(instance)));
  }
  return vetted;
}

/** The statement that counts a user SELECT's rows. */
const countRows = (query: string) => `SELECT COUNT(*) FROM (\n${query}\n) AS q`;

/**
 * Binds each user SELECT against the table's schema without running it (DuckDB
 * prepares the counting statement: names and types are resolved, no row is read). The
 * first that does not bind, e.g. a column typo, is a KontractError naming its rule.
 */
export async function bindWithDuckdb(
  table: DuckdbTable,
  requests: SqlCountRequest[],
): Promise<void> {
  if (requests.length === 0) return;
  const session = await openDuckdbSession(table);
  try {
    for (const request of requests) {
      try {
        await session.bind(request.sql, countRows);
      } catch (error) {
        throw new KontractError(`${request.label}: query failed: ${failureReason(error)}`);
      }
    }
  } finally {
    session.close();
  }
}

/**
 * Counts the rows each user SELECT returns over the table. With `errors`, a query that
 * fails while running (a cast that fails on some row, one that runs past
 * `KONTRA_SQL_TIMEOUT`, …) does not stop the others: its rule id gets the one-line reason
 * there. Without it, the failure is a KontractError naming the rule (a timeout: a
 * DataSourceError, exit 3).
 */
export async function countWithDuckdb(
  table: DuckdbTable,
  requests: SqlCountRequest[],
  errors?: RuleErrors,
): Promise<Map<string, number>> {
  const session = await openDuckdbSession(table);
  try {
    const counts = new Map<string, number>();
    for (const request of requests) {
      try {
        const reader = await session.readAll(request.sql, countRows);
        counts.set(request.key, Number(reader.getRows()[0][0]));
      } catch (error) {
        const reason = `query failed: ${failureReason(error)}`;
        if (!errors) {
          // A query that ran out of time is runtime trouble (exit 3), not the SQL's fault.
          if (error instanceof SqlTimeoutError) {
            throw new DataSourceError(`${request.label}: ${reason}`, 3);
          }
          throw new KontractError(`${request.label}: ${reason}`);
        }
        errors.set(request.key, reason);
      }
    }
    return counts;
  } finally {
    session.close();
  }
}
