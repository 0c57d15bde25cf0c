/**
 * A MySQL/MariaDB session through mysql2. `run` uses one connection; `stream` opens its
 * own, so the caller may run statements while it reads. Every connection is set up the
 * same way before its first statement (session.ts): read-only, a statement timeout, a
 * fixed `sql_mode`, UTC, utf8mb4.
 *
 * Statements go as text (one round trip each), never more than one per call
 * (`multipleStatements: false`). mysql2 is never asked to put values into SQL (its
 * escaping assumes backslash escapes, which this session turns off): parameters are
 * bound here as the dialect's literals. Values come back as rows of arrays; 64-bit
 * integers and decimals as exact text; dates and times as the server writes them.
 * @module
 */
import mysql from "npm:mysql2@3.24.6";
import type { Connection, FieldPacket } from "npm:mysql2@3.24.6";
import type { Readable } from "node:stream";
import type { SqlValue } from "../../sql/dialect.ts";
import type { ClientResult, SqlClient } from "../sql_source.ts";
import type { MysqlConfig } from "./config.ts";
import { mysqlDialect } from "./dialect.ts";
import { mysqlError } from "./errors.ts";
import { bindParams, columnTypeName, openSession } from "./session.ts";

/** How long a polite goodbye may take before the socket is cut. */
const CLOSE_TIMEOUT_MS = 2_000;

/** One connection for statements; each stream gets its own. */
export class MysqlClient implements SqlClient {
  readonly dialect = mysqlDialect;
  readonly #config: MysqlConfig;
  readonly #connection: Connection;

  private constructor(config: MysqlConfig, connection: Connection) {
    this.#config = config;
    this.#connection = connection;
  }

  /** Connects and sets the session up within `connect_timeout`; failures exit 3. */
  static async connect(config: MysqlConfig): Promise<MysqlClient> {
    return new MysqlClient(config, await openSession(mysql, config));
  }

  async run(sql: string, params: SqlValue[]): Promise<ClientResult> {
    const text = bindParams(sql, params, this.dialect);
    try {
      const [rows, fields] = await new Promise<[unknown, FieldPacket[] | undefined]>(
        (resolve, reject) =>
          this.#connection.query(
            { sql: text, rowsAsArray: true },
            (error: unknown, rows: unknown, fields: FieldPacket[] | undefined) =>
              error ? reject(error) : resolve([rows, fields]),
          ),
      );
      return {
        columns: (fields ?? []).map((field) => ({
          name: field.name,
          type: columnTypeName(field),
        })),
        // A statement without a result set (which the session refuses anyway) has no rows.
        rows: Array.isArray(rows) ? rows as unknown[][] : [],
        roundTrips: 1,
      };
    } catch (error) {
      throw mysqlError(error, this.#config, "query");
    }
  }

  async *stream(sql: string, params: SqlValue[], batchRows: number): AsyncIterable<unknown[][]> {
    const text = bindParams(sql, params, this.dialect);
    const connection = await openSession(mysql, this.#config);
    let finished = false;
    try {
      // Row by row off the socket: when the buffer holds `batchRows`, mysql2 pauses the
      // connection and the server waits (no result is loaded whole).
      const rows = connection.query({ sql: text, rowsAsArray: true })
        .stream({ highWaterMark: batchRows }) as Readable;
      let batch: unknown[][] = [];
      for await (const row of rows) {
        batch.push(row as unknown[]);
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      finished = true;
    } catch (error) {
      throw mysqlError(error, this.#config, "query");
    } finally {
      // Stopped early: the rest of the result is still coming, so cut the connection.
      await (finished ? closeConnection(connection) : destroyConnection(connection));
    }
  }

  close(): Promise<void> {
    return closeConnection(this.#connection);
  }
}

/** Ends the connection politely (COM_QUIT), or cuts it after {@linkcode CLOSE_TIMEOUT_MS}. */
export async function closeConnection(connection: Connection): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) => connection.end(() => resolve())),
      new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)),
    ]);
  } catch {
    // Already closed.
  } finally {
    clearTimeout(timer);
    destroyConnection(connection);
  }
}

/** Cuts the connection's socket at once. Never throws. */
export function destroyConnection(connection: Connection): void {
  try {
    connection.destroy();
    (connection as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
  } catch {
    // Nothing left to close.
  }
}
