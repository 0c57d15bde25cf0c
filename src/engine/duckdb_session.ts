/**
 * A DuckDB session for user SQL over a dataset: the data is a view, every other file
 * is out of reach (optionally one directory is writable), extensions cannot be loaded
 * and the configuration is locked before any user SQL runs. User SQL is checked by
 * DuckDB's own parser and the guard's allow-lists (`vetDuckdbSql`), and a statement
 * that embeds it runs as ONE prepared statement: DuckDB refuses to prepare text that
 * holds more than one, so nothing in the user's text can add a statement of its own.
 *
 * Every statement that runs user SQL has a deadline: `KONTRA_SQL_TIMEOUT` seconds in the
 * process environment (default 600, like the databases' `statement_timeout`); at the
 * deadline the connection is interrupted and the statement fails with a
 * {@linkcode SqlTimeoutError}.
 * @module
 */
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
} from "npm:@duckdb/node-api@1.5.6-r.1";
import { DataSourceError } from "../core/errors.ts";
import { duckdb } from "../sql/duckdb.ts";
import { type VettedSql, vetUserSql } from "../sql/user_sql.ts";
import type { DuckdbTable } from "../sources/source.ts";

const VIEW = "kontra_dataset";

/** The variable that sets the deadline of a statement running user SQL, in seconds. */
export const SQL_TIMEOUT_VARIABLE = "KONTRA_SQL_TIMEOUT";
/** 600 s, like PostgreSQL's and Snowflake's default `statement_timeout`. */
export const DEFAULT_SQL_TIMEOUT_S = 600;

/**
 * `work`'s statement on `connection`, interrupted after `seconds`: then a
 * {@linkcode SqlTimeoutError}. DuckDB runs off the event loop, so a timer can fire.
 */
export async function withinDeadline<T>(
  connection: DuckDBConnection,
  seconds: number,
  work: () => Promise<T>,
): Promise<T> {
  let interrupted = false;
  const timer = setTimeout(() => {
    interrupted = true;
    connection.interrupt();
  }, seconds * 1000);
  try {
    return await work();
  } catch (error) {
    throw interrupted ? new SqlTimeoutError(seconds) : error;
  } finally {
    clearTimeout(timer);
  }
}

/** A statement running user SQL passed its deadline and was interrupted. */
export class SqlTimeoutError extends Error {
  /** The deadline, in seconds. */
  readonly seconds: number;

  constructor(seconds: number) {
    super(`timed out after ${seconds} s (raise ${SQL_TIMEOUT_VARIABLE}=SECONDS to allow longer)`);
    this.name = "SqlTimeoutError";
    this.seconds = seconds;
  }
}

/** The statement deadline from `KONTRA_SQL_TIMEOUT`, in seconds; a bad value is exit 2. */
export function sqlTimeoutSeconds(value = Deno.env.get(SQL_TIMEOUT_VARIABLE)): number {
  if (value === undefined || value.trim() === "") return DEFAULT_SQL_TIMEOUT_S;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new DataSourceError(
      `${SQL_TIMEOUT_VARIABLE}=${JSON.stringify(value)}: expected a number of seconds above 0`,
      2,
    );
  }
  return seconds;
}
// DuckDB spills to disk past this, which keeps GROUP BY-heavy checks bounded.
const MEMORY_LIMIT = "1GB";

/** An open, locked-down session. Always `close()` it. */
export interface DuckdbSession {
  /**
   * Runs `wrap(sql.text)` (Kontra's statement around the user's SELECT) as one
   * prepared statement and reads every row.
   */
  readAll(sql: VettedSql, wrap: (query: string) => string): Promise<DuckDBResultReader>;
  /**
   * Prepares `wrap(sql.text)` without running it: DuckDB binds every name and type
   * against the dataset's schema, reading no rows. Throws what DuckDB says (a typo is a
   * Binder Error).
   */
  bind(sql: VettedSql, wrap: (query: string) => string): Promise<void>;
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

/**
 * Opens a session over `table`; `writableDir` (ending in `/`) may be written to. Each
 * `readAll` runs for at most `timeoutS` seconds (default: {@linkcode sqlTimeoutSeconds}).
 */
export async function openDuckdbSession(
  table: DuckdbTable,
  writableDir?: string,
  timeoutS: number = sqlTimeoutSeconds(),
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
        return await withinDeadline(connection, timeoutS, () => prepared.runAndReadAll());
      } finally {
        prepared.destroySync();
      }
    },
    async bind(sql, wrap) {
      (await connection.prepare(wrap(sql.text))).destroySync();
    },
    close,
  };
}
