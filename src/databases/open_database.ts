/**
 * Opens a table or a `query:` in any database: the part that is the same for all of
 * them. Each database says how its URI names things (`Database.config`); this checks
 * that the datasource names a table or gives a query (not both), refuses system data
 * before connecting, and hands the connected client to the source.
 * @module
 */
import { KontractError, usageError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import type { Database, DatabaseConfig } from "./database.ts";
import { openSqlSource, type SqlSource } from "./sql_source.ts";

/** What the datasource says besides its URI. */
export interface OpenDatabaseOptions {
  /** Variables the Kontract sees: credentials come from here only. */
  env: Environment;
  /** A SELECT over the database the URI names (`datasource: { connection, query }`). */
  query?: string;
}

/** Opens the dataset `uri` names in `database`. */
export async function openDatabase<Config extends DatabaseConfig>(
  database: Database<Config>,
  uri: string,
  options: OpenDatabaseOptions,
): Promise<SqlSource> {
  const config = database.config(uri, options.env);
  const label = config.redacted;
  if (options.query === undefined && config.table.length === 0) {
    throw usageError(`${label}: name a table (${database.tableUri}) or give a query:`);
  }
  if (options.query !== undefined && config.table.length > 0) {
    throw usageError(
      `${label}: a query: datasource names the database only (${database.queryUri})`,
    );
  }
  // Checked before connecting: a Kontract may not point a datasource at system data.
  const refused = database.dialect.guard.refuseRelation(config.namespace);
  if (refused) throw new KontractError(`datasource: ${refused}`);
  const client = await database.connect(config);
  return await openSqlSource(
    client,
    label,
    options.query,
    () => database.openTable(client, config),
    database.query,
  );
}
