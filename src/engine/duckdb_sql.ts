/**
 * `custom_sql_check` on files: each user SELECT is counted in a locked-down DuckDB
 * session over the dataset.
 * @module
 */
import { KontractError } from "../errors.ts";
import type { DuckdbTable } from "../sources/source.ts";
import { openDuckdbSession } from "./duckdb_session.ts";

/** A user query to count. */
export interface SqlCountRequest {
  /** The rule id: the key of its count. */
  key: string;
  /** How messages name the rule (`file:line:col: id`). */
  label: string;
  sql: string;
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
      const bound = await session.bind(request.sql, request.label);
      try {
        const reader = await session.connection.runAndReadAll(
          `SELECT COUNT(*) FROM (\n${bound.text}\n) AS q`,
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
