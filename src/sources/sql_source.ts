/**
 * A table or query in a database, as a Source: its schema from the catalog and SQL
 * access for the planner (`sql`). The database-specific parts (connecting, running one
 * statement read-only, classifying errors) live in a SqlClient; this file is the same
 * for every database.
 * @module
 */
import { KontractError } from "../errors.ts";
import type { ColumnInfo } from "../rules/define.ts";
import type { Dialect, SqlValue } from "../sql/dialect.ts";
import type { ViolatingRows, ViolatingRowsRequest } from "../engine/violating_rows.ts";
import type { SqlAccess, SqlResult, SqlStatementLog } from "./sql_access.ts";
import type { Schema, Source } from "./source.ts";
import { sqlViolatingRows } from "./sql_violating_rows.ts";

/** A result and the network round trips it took. */
export interface ClientResult extends SqlResult {
  roundTrips: number;
}

/** One connection to a database, as a source needs it. */
export interface SqlClient {
  readonly dialect: Dialect;
  /** Runs one statement read-only under the statement timeout; errors are Kontra errors. */
  run(sql: string, params: SqlValue[]): Promise<ClientResult>;
  /** Streams one read-only statement's rows through a cursor. */
  stream(sql: string, params: SqlValue[], batchRows: number): AsyncIterable<unknown[][]>;
  /** Closes the connection. Never throws. */
  close(): Promise<void>;
}

/** Where the dataset is inside the database. */
export interface SqlRelation {
  /** The name statements use in FROM and for `{table}`. */
  relation: string;
  /** The common table expression defining `relation`, for a `query:` datasource. */
  cte?: string;
}

const DEFAULT_STREAM_BATCH_ROWS = 10_000;

/** The CTE name of a `query:` datasource. */
export const QUERY_RELATION = "kontra_dataset";

/** A query's columns; a name twice is a Kontract error (rules could not tell them apart). */
export function queryColumns(
  columns: { name: string; type: string }[],
  toPolars: (type: string) => string,
): ColumnInfo[] {
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) {
      throw new KontractError(`datasource.query: column "${name}" appears twice; alias one`);
    }
    seen.add(name);
  }
  return columns.map(({ name, type }) => ({ name, dtype: toPolars(type) }));
}

/** SqlAccess over a client, logging every statement for `--timings`. */
export class LoggedSqlAccess implements SqlAccess {
  readonly dialect: Dialect;
  readonly relation: string;
  readonly cte?: string;
  readonly log: SqlStatementLog[] = [];
  readonly #client: SqlClient;

  constructor(client: SqlClient, where: SqlRelation) {
    this.#client = client;
    this.dialect = client.dialect;
    this.relation = where.relation;
    this.cte = where.cte;
  }

  async query(sql: string, params: SqlValue[] = []): Promise<SqlResult> {
    const started = performance.now();
    let roundTrips = 1;
    try {
      const result = await this.#client.run(sql, params);
      roundTrips = result.roundTrips;
      return { columns: result.columns, rows: result.rows };
    } finally {
      this.log.push({ sql, ms: performance.now() - started, roundTrips });
    }
  }

  async *stream(
    sql: string,
    params: SqlValue[] = [],
    batchRows = DEFAULT_STREAM_BATCH_ROWS,
  ): AsyncIterable<unknown[][]> {
    const started = performance.now();
    let roundTrips = 1;
    try {
      for await (const rows of this.#client.stream(sql, params, batchRows)) {
        roundTrips++;
        yield rows;
      }
    } finally {
      this.log.push({ sql, ms: performance.now() - started, roundTrips });
    }
  }
}

/** A dataset in a database: a table, or the rows of a `query:`. */
export class SqlSource implements Source {
  readonly uri: string;
  readonly sql: LoggedSqlAccess;
  readonly #schema: Schema;
  readonly #client: SqlClient;

  constructor(uri: string, client: SqlClient, sql: LoggedSqlAccess, schema: Schema) {
    this.uri = uri;
    this.#client = client;
    this.sql = sql;
    this.#schema = schema;
  }

  schema(): Promise<Schema> {
    return Promise.resolve(this.#schema);
  }

  /** The violating rows of row-level rules, streamed by a cursor (for quarantine). */
  violatingRows(request: ViolatingRowsRequest): Promise<ViolatingRows> {
    return Promise.resolve(sqlViolatingRows(this.sql, request));
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
