/**
 * PostgreSQL: `postgres://user@host:5432/db/schema.table` (or `postgresql://`), or
 * `postgres://user@host/db` with a `query:`. See config.ts for what the URI and the
 * environment may say, client.ts for how statements run (read-only, under a timeout).
 * @module
 */
import type { Database } from "../database.ts";
import { openTable, polarsType, timeZoneOf } from "./catalog.ts";
import { PostgresClient } from "./client.ts";
import { type PostgresConfig, postgresConfig } from "./config.ts";
import { postgresDialect } from "./dialect.ts";

/** PostgreSQL, as Kontra reads it. */
export const postgres: Database<PostgresConfig> = {
  name: "PostgreSQL",
  schemes: ["postgres", "postgresql"],
  tableUri: "postgres://…/database/schema.table",
  queryUri: "postgres://…/database",
  dialect: postgresDialect,
  query: {
    // NOT MATERIALIZED: each use is planned inline, as if the query were written there.
    cteHint: "NOT MATERIALIZED",
    polarsType: (type) => polarsType(type, type),
    timeZone: timeZoneOf,
  },
  config: postgresConfig,
  connect: (config) => Promise.resolve(new PostgresClient(config)),
  openTable,
};
