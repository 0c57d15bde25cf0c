/**
 * A DuckDB session for user SQL over a dataset: the data is a view, every other file
 * is out of reach (optionally one directory is writable), and the configuration is
 * locked before any user SQL runs. User SQL is checked by the guard in DuckDB's
 * dialect and bound to the view here, so every DuckDB path does it the same way.
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { duckdb } from "../sql/duckdb.ts";
import { bindTable, checkUserSelect } from "../sql/guard.ts";
import type { DuckdbTable } from "../sources/source.ts";
import { withoutTrailingSemicolons } from "../sources/sql_access.ts";

const VIEW = "kontra_dataset";
// DuckDB spills to disk past this, which keeps GROUP BY-heavy checks bounded.
const MEMORY_LIMIT = "1GB";

/** An open, locked-down session. Always `close()` it. */
export interface DuckdbSession {
  connection: DuckDBConnection;
  /**
   * The user's SELECT with `{table}` bound to the dataset, or the guard's reason to
   * refuse it (checked in DuckDB's dialect).
   */
  bind(sql: string): { sql: string } | { problem: string };
  close(): void;
}

/** Opens a session over `table`; `writableDir` (ending in `/`) may be written to. */
export async function openDuckdbSession(
  table: DuckdbTable,
  writableDir?: string,
): Promise<DuckdbSession> {
  const instance = await DuckDBInstance.create(":memory:", { memory_limit: MEMORY_LIMIT });
  const connection = await instance.connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await connection.run(`CREATE VIEW ${duckdb.ident(VIEW)} AS SELECT * FROM ${table.from}`);
    const allowed = table.allowedPaths.map((path) => duckdb.literal(path)).join(", ");
    await connection.run(`SET allowed_paths = [${allowed}]`);
    if (writableDir) {
      await connection.run(`SET allowed_directories = [${duckdb.literal(writableDir)}]`);
    }
    await connection.run(`SET enable_external_access = false`);
    await connection.run(`SET lock_configuration = true`);
  } catch (error) {
    close();
    throw error;
  }
  return {
    connection,
    bind(sql) {
      const problem = checkUserSelect(sql, duckdb.parser);
      if (problem) return { problem };
      return { sql: bindTable(withoutTrailingSemicolons(sql), duckdb.ident(VIEW)) };
    },
    close,
  };
}
