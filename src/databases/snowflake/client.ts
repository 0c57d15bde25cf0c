/**
 * A Snowflake session through the snowflake-sdk. Statements run with
 * `STATEMENT_TIMEOUT_IN_SECONDS` and `MULTI_STATEMENT_COUNT=1` as statement parameters;
 * Snowflake has no read-only transactions, so use a role that may only read.
 *
 * Logging in has a deadline of Kontra's own, `login_timeout` (default 60 s) in all: the
 * driver's own timeout applies per request and its retries add up (measured:
 * `login_timeout=10` took 37 s).
 * @module
 */
import type { Connection, RowStatement } from "npm:snowflake-sdk@3.3.0";
import { DataSourceError, KontractError, KontraError } from "../../core/errors.ts";
import { scrub } from "../../core/connection_uri.ts";
import type { SqlValue } from "../../sql/dialect.ts";
import type { ClientResult, SqlClient } from "../sql_source.ts";
import type { SnowflakeConfig } from "./config.ts";
import { snowflakeDialect } from "./dialect.ts";
import { loadSnowflakeSdk } from "./sdk.ts";

/** One logged-in session. */
export class SnowflakeClient implements SqlClient {
  readonly dialect = snowflakeDialect;
  readonly #connection: Connection;
  readonly #config: SnowflakeConfig;

  private constructor(connection: Connection, config: SnowflakeConfig) {
    this.#connection = connection;
    this.#config = config;
  }

  /**
   * Logs in within `loginTimeoutS` in all; any failure is a DataSourceError (exit 3)
   * without secrets.
   */
  static async connect(config: SnowflakeConfig): Promise<SnowflakeClient> {
    const snowflake = await loadSnowflakeSdk();
    let connection: Connection | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      connection = snowflake.createConnection(config.options);
      const loggedIn = new Promise<void>((resolve, reject) =>
        connection!.connect((error) => error ? reject(error) : resolve())
      );
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LoginTimeout(config.loginTimeoutS)),
          config.loginTimeoutS * 1000,
        );
      });
      loggedIn.catch(() => {}); // settled by the race; a late failure is not unhandled
      await Promise.race([loggedIn, deadline]);
    } catch (error) {
      // Stop the driver's own retries: nothing may outlive the deadline.
      if (error instanceof LoginTimeout) connection?.destroy(() => {});
      throw new DataSourceError(
        `${config.redacted}: cannot connect: ${messageOf(error, config.secrets)}`,
        3,
      );
    } finally {
      clearTimeout(timer);
    }
    return new SnowflakeClient(connection, config);
  }

  run(sql: string, params: SqlValue[]): Promise<ClientResult> {
    return new Promise((resolve, reject) => {
      this.#connection.execute({
        sqlText: sql,
        binds: params,
        rowMode: "array",
        parameters: this.#parameters(),
        complete: (error, statement, rows) => {
          if (error) return reject(this.#error(error));
          resolve({
            columns: columnsOf(statement),
            rows: (rows ?? []) as unknown[][],
            roundTrips: 1,
          });
        },
      });
    });
  }

  async *stream(sql: string, params: SqlValue[], batchRows: number): AsyncIterable<unknown[][]> {
    let statement!: RowStatement;
    await new Promise<void>((resolve, reject) => {
      statement = this.#connection.execute({
        sqlText: sql,
        binds: params,
        rowMode: "array",
        streamResult: true,
        // Numbers as text: 64-bit integers and NUMBER(38) stay exact.
        fetchAsString: ["Number"],
        parameters: this.#parameters(),
        complete: (error) => error ? reject(this.#error(error)) : resolve(),
      }) as RowStatement;
    });
    let batch: unknown[][] = [];
    try {
      for await (const row of statement.streamRows()) {
        batch.push(row as unknown[]);
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      throw this.#error(error);
    }
    if (batch.length > 0) yield batch;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#connection.destroy(() => resolve()));
  }

  #parameters(): Record<string, number> {
    return {
      STATEMENT_TIMEOUT_IN_SECONDS: Math.max(1, Math.round(this.#config.statementTimeoutS)),
      MULTI_STATEMENT_COUNT: 1,
    };
  }

  #error(error: unknown): KontraError {
    return snowflakeError(error, this.#config);
  }
}

/** Logging in took longer than `login_timeout`. */
class LoginTimeout extends Error {
  constructor(seconds: number) {
    super(`no answer within ${seconds} s (raise it with ?login_timeout=SECONDS)`);
    this.name = "LoginTimeout";
  }
}

/** A driver error as a Kontra error: one line, secrets scrubbed, the exit code by its SQL state. */
export function snowflakeError(
  error: unknown,
  config: Pick<SnowflakeConfig, "redacted" | "secrets" | "statementTimeoutS">,
): KontraError {
  if (error instanceof KontraError) return error;
  const { code, sqlState } = error as { code?: unknown; sqlState?: unknown };
  const message = messageOf(error, config.secrets);
  const at = `${config.redacted}: `;
  const state = typeof sqlState === "string" ? sqlState : "";
  if (code === "000630" || code === 630) {
    return new DataSourceError(
      `${at}statement timed out after ${config.statementTimeoutS}s (raise it with ?statement_timeout=SECONDS)`,
      3,
    );
  }
  if (state === "42501") return new DataSourceError(`${at}${message}`, 3);
  if (/^(42|22|0A)/.test(state)) return new KontractError(`${at}query failed: ${message}`);
  // Driver errors without a SQL state are network trouble.
  if (state === "") return new DataSourceError(`${at}cannot reach Snowflake: ${message}`, 3);
  return new DataSourceError(`${at}query failed: ${message}`, 3);
}

/** A result's columns; `fixed` with a scale becomes `decimal`. */
function columnsOf(statement: unknown): { name: string; type: string }[] {
  const columns = (statement as RowStatement | undefined)?.getColumns?.() ?? [];
  return columns.map((column) => {
    const type = column.getType();
    return {
      name: column.getName(),
      type: type === "fixed" && column.getScale() > 0 ? "decimal" : type,
    };
  });
}

/** A driver error's message on one line, secrets scrubbed. */
function messageOf(error: unknown, secrets: string[]): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n").map((part) => part.trim()).filter(Boolean).join(" ");
  return scrub(line || "unknown error", secrets);
}
