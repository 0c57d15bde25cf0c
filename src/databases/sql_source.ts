/**
 * A table or query in a database, as a Source: its schema from the catalog and SQL
 * access for the planner (`sql`). The database-specific parts (connecting, running one
 * statement read-only, classifying errors, the catalog query and type names) live in the
 * database's own file and its SqlClient; this file is the same for every database:
 * opening a `query:`, picking the table a name means, and the source itself.
 * @module
 */
import { DataSourceError, KontractError } from "../core/errors.ts";
import type { ColumnInfo } from "../core/dataset.ts";
import { vetUserSql } from "../sql/user_sql.ts";
import type { Dialect, SqlValue } from "../sql/dialect.ts";
import type { SqlAccess, SqlResult, SqlStatementLog } from "../sql/sql_access.ts";
import type { Source } from "../sources/source.ts";
import type { Schema } from "../core/dataset.ts";

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
  /** Problems with the connection that do not stop the run (a superuser role), once open. */
  warnings?(): Promise<string[]>;
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

/** A relation found in the database: statements over it, and its columns. */
export interface OpenedRelation {
  access: LoggedSqlAccess;
  columns: ColumnInfo[];
}

/**
 * Opens the dataset over a connected client: the `query:` when one is given (the
 * source's uri is then `label (query)`), else the table `openTable` finds. The client is
 * closed when either fails.
 */
export async function openSqlSource(
  client: SqlClient,
  label: string,
  query: string | undefined,
  openTable: () => Promise<OpenedRelation>,
  queryOptions: QueryOptions,
): Promise<SqlSource> {
  try {
    const { access, columns } = query === undefined
      ? await openTable()
      : await openQuery(client, query, queryOptions);
    const warnings = await client.warnings?.() ?? [];
    return new SqlSource(query === undefined ? label : `${label} (query)`, client, access, {
      columns,
    }, warnings);
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** What differs between databases in opening a `query:` datasource. */
export interface QueryOptions {
  /** Words between `AS` and the CTE's parenthesis (PostgreSQL: `NOT MATERIALIZED`). */
  cteHint?: string;
  /** The Polars type name for the type of one of the query's result columns. */
  polarsType(type: string): string;
  /** The time zone of a result type that holds instants (`timestamptz`), else undefined. */
  timeZone?(type: string): string | undefined;
}

/**
 * A `query:` datasource: the database's own parser and allow-lists check it, it becomes
 * a CTE every statement starts with, and a zero-row run of it gives its columns.
 */
async function openQuery(
  client: SqlClient,
  query: string,
  options: QueryOptions,
): Promise<OpenedRelation> {
  const relation = client.dialect.ident(QUERY_RELATION);
  const vetted = await vetUserSql(client.dialect.guard, query, {
    relation,
    scope: { relations: "non_system" },
    label: "datasource.query",
    purpose: "a query: datasource",
  });
  const as = options.cteHint === undefined ? "AS" : `AS ${options.cteHint}`;
  const cte = `${relation} ${as} (\n${vetted.text}\n)`;
  const access = new LoggedSqlAccess(client, { relation, cte });
  const result = await access.query(`WITH ${cte} SELECT * FROM ${relation} LIMIT 0`)
    .catch((error) => {
      throw error instanceof KontractError
        ? new KontractError(`datasource.query: ${error.message}`)
        : error;
    });
  return {
    access,
    columns: queryColumns(result.columns, options.polarsType, options.timeZone),
  };
}

/** A column the catalog lists, with the qualified name of its table. */
export interface CatalogColumn {
  /** `[schema, table]`, or `[database, schema, table]`, as the catalog spells them. */
  table: string[];
  name: string;
  dtype: string;
  /** A timestamp column of instants: its time zone (see `ColumnInfo.timeZone`). */
  timeZone?: string;
}

/**
 * The table `wanted` names, among the tables of the catalog's columns: exact names
 * first, then the database's case folding (the schema counts more than the table). Its
 * statement log starts with the catalog lookup's. No match is `notFound` (exit 2).
 */
export function tableFromCatalog(
  client: SqlClient,
  catalog: LoggedSqlAccess,
  columns: CatalogColumn[],
  wanted: { schema?: string; table: string },
  notFound: string,
): OpenedRelation {
  const tables = new Map<string, { path: string[]; columns: ColumnInfo[] }>();
  for (const { table, name, dtype, timeZone } of columns) {
    const key = JSON.stringify(table);
    const entry = tables.get(key) ?? { path: table, columns: [] };
    entry.columns.push({ name, dtype, ...(timeZone === undefined ? {} : { timeZone }) });
    tables.set(key, entry);
  }
  const rank = ({ path }: { path: string[] }) => {
    const [schema, table] = path.slice(-2);
    return (wanted.schema === undefined || schema === wanted.schema ? 0 : 2) +
      (table === wanted.table ? 0 : 1);
  };
  const [match] = [...tables.values()].sort((a, b) => rank(a) - rank(b));
  if (!match) throw new DataSourceError(notFound, 2);
  // A Kontract author may not point a datasource (and so quarantine) at system data.
  const refused = client.dialect.guard.refuseRelation(match.path);
  if (refused) throw new KontractError(`datasource: ${refused}`);
  const relation = match.path.map((part) => client.dialect.ident(part)).join(".");
  const access = new LoggedSqlAccess(client, { relation });
  access.log.push(...catalog.log);
  return { access, columns: match.columns };
}

/** A query's columns; a name twice is a Kontract error (rules could not tell them apart). */
export function queryColumns(
  columns: { name: string; type: string }[],
  toPolars: (type: string) => string,
  timeZoneOf: (type: string) => string | undefined = () => undefined,
): ColumnInfo[] {
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) {
      throw new KontractError(`datasource.query: column "${name}" appears twice; alias one`);
    }
    seen.add(name);
  }
  return columns.map(({ name, type }) => {
    const timeZone = timeZoneOf(type);
    return { name, dtype: toPolars(type), ...(timeZone === undefined ? {} : { timeZone }) };
  });
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
  readonly warnings: readonly string[];
  readonly #schema: Schema;
  readonly #client: SqlClient;

  constructor(
    uri: string,
    client: SqlClient,
    sql: LoggedSqlAccess,
    schema: Schema,
    warnings: readonly string[] = [],
  ) {
    this.uri = uri;
    this.#client = client;
    this.sql = sql;
    this.#schema = schema;
    this.warnings = warnings;
  }

  schema(): Promise<Schema> {
    return Promise.resolve(this.#schema);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
