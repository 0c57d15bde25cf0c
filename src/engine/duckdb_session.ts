/**
 * A DuckDB session for user SQL over a dataset: the data is a view, every other file
 * is out of reach (optionally one directory is writable), and the configuration is
 * locked before any user SQL runs. User SQL is checked by the guard in DuckDB's
 * dialect and bound to the view here, so every DuckDB path does it the same way.
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { duckdb } from "../sql/duckdb.ts";
import { type VettedSql, vetUserSql } from "../sql/user_sql.ts";
import type { DuckdbTable } from "../sources/source.ts";

const VIEW = "kontra_dataset";
// DuckDB spills to disk past this, which keeps GROUP BY-heavy checks bounded.
const MEMORY_LIMIT = "1GB";

/** An open, locked-down session. Always `close()` it. */
export interface DuckdbSession {
  connection: DuckDBConnection;
  /**
   * The user's SELECT with `{table}` bound to the dataset, checked by DuckDB's own
   * parser and allow-lists; a refusal is a KontractError naming `label`.
   */
  bind(sql: string, label: string): Promise<VettedSql>;
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
    bind: (sql, label) =>
      vetUserSql(duckdb.guard, sql, {
        relation: duckdb.ident(VIEW),
        scope: { relations: "dataset_only", dataset: VIEW },
        label,
        purpose: "custom_sql_check",
      }),
    close,
  };
}
