/**
 * `custom_sql_check` on files: DuckDB queries the dataset through a view, with every
 * other file out of reach and the configuration locked before user SQL runs.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { KontractError } from "../errors.ts";
import { duckdb } from "../sql/duckdb.ts";
import { bindTable, checkUserSelect } from "../sql/guard.ts";
import type { DuckdbTable } from "../sources/source.ts";
import { withoutTrailingSemicolons } from "../sources/sql_access.ts";

const VIEW = "kontra_dataset";
// DuckDB spills to disk past this, which keeps GROUP BY-heavy checks bounded.
const MEMORY_LIMIT = "1GB";

/** A user query to count. */
export interface SqlCountRequest {
  key: string;
  sql: string;
}

/** Counts the rows each user SELECT returns over the table. */
export async function countWithDuckdb(
  table: DuckdbTable,
  requests: SqlCountRequest[],
): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(":memory:", { memory_limit: MEMORY_LIMIT });
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE VIEW ${duckdb.ident(VIEW)} AS SELECT * FROM ${table.from}`);
    const allowed = table.allowedPaths.map((path) => duckdb.literal(path)).join(", ");
    await connection.run(`SET allowed_paths = [${allowed}]`);
    await connection.run(`SET enable_external_access = false`);
    await connection.run(`SET lock_configuration = true`);
    const counts = new Map<string, number>();
    for (const request of requests) {
      const problem = checkUserSelect(request.sql, duckdb.parser);
      if (problem) throw new KontractError(`${request.key}: custom SQL ${problem}`);
      const sql = bindTable(withoutTrailingSemicolons(request.sql), duckdb.ident(VIEW));
      try {
        const reader = await connection.runAndReadAll(`SELECT COUNT(*) FROM (${sql}) AS q`);
        counts.set(request.key, Number(reader.getRows()[0][0]));
      } catch (error) {
        // The SQL is the user's: a failure is theirs to fix (exit 2), named by rule id.
        throw new KontractError(`${request.key}: query failed: ${String(error).split("\n")[0]}`);
      }
    }
    return counts;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
