/**
 * `custom_sql_check` on files: each user SELECT is checked by DuckDB's guard before any
 * data is read (`vetCustomSql`), then counted in a locked-down DuckDB session over the
 * dataset, one prepared statement per query.
 * @module
 */
import { KontractError } from "../errors.ts";
import { type Kontract, ruleLabel } from "../kontract/load.ts";
import type { DuckdbTable } from "../sources/source.ts";
import type { VettedSql } from "../sql/user_sql.ts";
import { openDuckdbSession, vetDuckdbSql } from "./duckdb_session.ts";

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

/** Counts the rows each user SELECT returns over the table. */
export async function countWithDuckdb(
  table: DuckdbTable,
  requests: SqlCountRequest[],
): Promise<Map<string, number>> {
  const session = await openDuckdbSession(table);
  try {
    const counts = new Map<string, number>();
    for (const request of requests) {
      try {
        const reader = await session.readAll(
          request.sql,
          (query) => `SELECT COUNT(*) FROM (\n${query}\n) AS q`,
        );
        counts.set(request.key, Number(reader.getRows()[0][0]));
      } catch (error) {
        // The SQL is the user's: a failure is theirs to fix (exit 2), named by rule id.
        throw new KontractError(
          `${request.label}: query failed: ${String(error).split("\n")[0]}`,
        );
      }
    }
    return counts;
  } finally {
    session.close();
  }
}
