/**
 * What Kontra must know about a database to validate a table in it: one object per
 * database, in its own folder (`postgres/`, `snowflake/`, `mysql/`), the way Kysely
 * splits a dialect into driver, compiler and introspector. The engine never asks which
 * database it is talking to; it renders SQL through `dialect` and runs it through the
 * client `connect` returns.
 *
 * - `config`: the URI (and the Kontract's environment) parsed, password registered
 *   with the scrubber; what a URI may say is the database's own business;
 * - `connect`: a session that runs one statement at a time read-only, under a
 *   statement timeout, with a deadline on connecting; its errors are classified
 *   (Kontract error, exit 2, or data source error, exit 3) by the client;
 * - `openTable`: the catalog lookup of the table the URI names, with each column's
 *   type mapped to a Polars type name (`src/core/dtypes.ts`);
 * - `query`: what differs for a `query:` datasource.
 * @module
 */
import type { Environment } from "../core/environment.ts";
import type { Dialect } from "../sql/dialect.ts";
import type { OpenedRelation, QueryOptions, SqlClient } from "./sql_source.ts";

/** A database URI parsed: what every database's config tells the generic opener. */
export interface DatabaseConfig {
  /** The URI without secrets: the only form that reaches output. */
  readonly redacted: string;
  /** The table the URI names, as its parts; empty when it names only a database. */
  readonly table: readonly string[];
  /**
   * Every name the URI's path gives (database, schema, table, as the database reads
   * them), checked against system data before connecting.
   */
  readonly namespace: readonly string[];
}

/** One database Kontra pushes rules into. */
export interface Database<Config extends DatabaseConfig = DatabaseConfig> {
  /** The database's name for messages and `--explain`, e.g. `PostgreSQL`. */
  readonly name: string;
  /** The URI schemes that name it, lower case, e.g. `["postgres", "postgresql"]`. */
  readonly schemes: readonly string[];
  /** How a URI names a table, for messages: `postgres://user@host:5432/db/schema.table`. */
  readonly tableUri: string;
  /** How a URI names the database of a `query:` datasource: `postgres://user@host/db`. */
  readonly queryUri: string;
  /** Quoting, literals and functions, and the guard that checks user SQL. */
  readonly dialect: Dialect;
  /** What differs in opening a `query:` datasource. */
  readonly query: QueryOptions;
  /** Parses the URI, filling gaps from the Kontract's environment only. */
  config(uri: string, env: Environment): Config;
  /** Connects within the config's deadline. */
  connect(config: Config): Promise<SqlClient>;
  /** Finds the table the config names in the catalog, with its columns. */
  openTable(client: SqlClient, config: Config): Promise<OpenedRelation>;
}
