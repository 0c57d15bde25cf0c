/**
 * Snowflake: `snowflake://account/database/schema/table?warehouse=WH&role=R`, or
 * `snowflake://account/database[/schema]` with a `query:`. See config.ts for credentials,
 * client.ts for how statements run.
 * @module
 */
import type { Database } from "../database.ts";
import { openTable, polarsType, timeZoneOf } from "./catalog.ts";
import { SnowflakeClient } from "./client.ts";
import { type SnowflakeConfig, snowflakeConfig } from "./config.ts";
import { snowflakeDialect } from "./dialect.ts";

/** Snowflake, as Kontra reads it. */
export const snowflake: Database<SnowflakeConfig> = {
  name: "Snowflake",
  schemes: ["snowflake"],
  tableUri: "snowflake://account/database/schema/table",
  queryUri: "snowflake://account/database[/schema]",
  dialect: snowflakeDialect,
  query: {
    polarsType: (type) => type === "decimal" ? "Decimal" : polarsType(type, 0),
    timeZone: timeZoneOf,
  },
  config: snowflakeConfig,
  connect: (config) => SnowflakeClient.connect(config),
  openTable,
};
