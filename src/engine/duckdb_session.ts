/**
 * A DuckDB session for user SQL over a dataset: the data is a view, every other file
 * is out of reach (optionally one directory is writable), extensions cannot be loaded
 * and the configuration is locked before any user SQL runs. User SQL is checked by
 * DuckDB's own parser and the guard's allow-lists (`vetDuckdbSql`), and a statement
 * that embeds it runs as ONE prepared statement: DuckDB refuses to prepare text that
 * holds more than one, so nothing in the user's text can add a statement of its own.
 * @module
 */
import { DuckDBInstance, type DuckDBResultReader } from "@duckdb/node-api";
import { duckdb } from "../sql/duckdb.ts";
import { type VettedSql, vetUserSql } from "../sql/user_sql.ts";
import type { DuckdbTable } from "../sources/source.ts";

const VIEW = "kontra_dataset";
// DuckDB spills to disk past this, which keeps GROUP BY-heavy checks bounded.
const MEMORY_LIMIT = "1GB";

/** An open, locked-down session. Always `close()` it. */
export interface DuckdbSession {
  /**
   * Runs `wrap(sql.text)` (Kontra's statement around the user's SELECT) as one
   * prepared statement and reads every row.
   */
  readAll(sql: VettedSql, wrap: (query: string) => string): Promise<DuckDBResultReader>;
  close(): void;
}

/**
 * The user's SELECT with `{table}` bound to the session's view of the dataset, checked
 * by DuckDB's own parser and allow-lists; a refusal is a KontractError naming `label`.
 * Needs no session: call it before reading any data.
 */
export function vetDuckdbSql(sql: string, label: string): Promise<VettedSql> {
  return vetUserSql(duckdb.guard, sql, {
    relation: duckdb.ident(VIEW),
    scope: { relations: "dataset_only", dataset: VIEW },
    label,
    purpose: "custom_sql_check",
  });
}

/** Opens a session over `table`; `writableDir` (ending in `/`) may be written to. */
export async function openDuckdbSession(
  table: DuckdbTable,
  writableDir?: string,
): Promise<DuckdbSession> {
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: MEMORY_LIMIT,
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    // Kontra's own statements, no user text: the dataset's view and the lock-down.
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
    async readAll(sql, wrap) {
      const prepared = await connection.prepare(wrap(sql.text));
      try {
        return await prepared.runAndReadAll();
      } finally {
        prepared.destroySync();
      }
    },
    close,
  };
}
