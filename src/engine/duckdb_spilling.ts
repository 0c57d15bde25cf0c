/**
 * The private DuckDB the engine's own counting passes run in (duplicates, `references`
 * anti-joins, `aggregate`'s median and distinct count): in memory, with a memory limit
 * past which it spills to a private temporary directory, so a pass stays bounded as rows
 * grow. It may read only the files it is given and write only its spill directory (and
 * one more directory when asked); no extension loads and the configuration is locked
 * before the first statement. Every statement runs under the SQL deadline
 * (`KONTRA_SQL_TIMEOUT`).
 * @module
 */
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";
import { DataSourceError, describeError } from "../core/errors.ts";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";
import { duckdb } from "../sql/duckdb.ts";
import { sqlTimeoutSeconds, withinDeadline } from "./duckdb_session.ts";

/**
 * Memory before DuckDB spills. Measured on 100M rows (2 cores): a string column's
 * duplicates at 0.57 GB peak RSS, a 100M-row anti-join against 10M keys at 0.77 GB.
 */
export const SPILLING_MEMORY_LIMIT = "512MB";

/** What a spilling DuckDB may touch, and how long a statement may run. */
export interface SpillingDuckdbOptions {
  /** The files it may read. */
  allowedPaths: readonly string[];
  /** One more directory it may write (ending in `/`), besides its spill directory. */
  writableDir?: string;
  /** Default {@linkcode SPILLING_MEMORY_LIMIT}. */
  memoryLimit?: string;
  /** Seconds a statement may run; default `KONTRA_SQL_TIMEOUT`. */
  timeoutS?: number;
  /** Names the pass in the error of a failed statement: `duplicates count`. */
  pass: string;
}

/** Runs one statement and gives its rows. */
export type RunRows = (sql: string) => Promise<unknown[][]>;

/**
 * Runs `work` in a fresh spilling DuckDB, then closes it and removes its spill
 * directory. A failure is a DataSourceError naming the pass (exit 3).
 */
export async function withSpillingDuckdb<T>(
  options: SpillingDuckdbOptions,
  work: (run: RunRows) => Promise<T>,
): Promise<T> {
  const timeoutS = options.timeoutS ?? sqlTimeoutSeconds();
  const spill = await makeTempDir({ prefix: "kontra-spill-" });
  let instance: DuckDBInstance | undefined;
  try {
    await Deno.chmod(spill, 0o700);
    instance = await DuckDBInstance.create(":memory:", {
      memory_limit: options.memoryLimit ?? SPILLING_MEMORY_LIMIT,
      temp_directory: spill,
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    const connection = await instance.connect();
    try {
      const list = (values: string[]) => values.map((value) => duckdb.literal(value)).join(", ");
      const writable = [`${spill}/`, ...(options.writableDir ? [options.writableDir] : [])];
      await connection.run(`SET allowed_paths = [${list([...options.allowedPaths])}]`);
      await connection.run(`SET allowed_directories = [${list(writable)}]`);
      await connection.run(`SET enable_external_access = false`);
      await connection.run(`SET lock_configuration = true`);
      return await work(async (sql) =>
        (await withinDeadline(connection, timeoutS, () => connection.runAndReadAll(sql)))
          .getRows()
      );
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    if (error instanceof DataSourceError) throw error;
    throw new DataSourceError(`${options.pass} failed: ${describeError(error)}`, 3);
  } finally {
    instance?.closeSync();
    await removeTempDir(spill);
  }
}
