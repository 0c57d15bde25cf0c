/**
 * MySQL and MariaDB: `mysql://user@host:3306/database/table` (or `mariadb://`), or
 * `mysql://user@host/database` with a `query:`. See config.ts for what the URI and the
 * environment may say, session.ts for how every connection is set up (read-only, under a
 * timeout, a fixed sql_mode), dialect.ts for how text compares as Polars compares it.
 * @module
 */
import type { Database } from "../database.ts";
import { openTable, polarsType, timeZoneOf } from "./catalog.ts";
import { MysqlClient } from "./client.ts";
import { type MysqlConfig, mysqlConfig } from "./config.ts";
import { mysqlDialect } from "./dialect.ts";

/** MySQL/MariaDB, as Kontra reads them. */
export const mysql: Database<MysqlConfig> = {
  name: "MySQL",
  schemes: ["mysql", "mariadb"],
  tableUri: "mysql://…/database/table",
  queryUri: "mysql://…/database",
  dialect: mysqlDialect,
  query: {
    // Result types come as `int unsigned`, `tinyint(1)`, … (session.ts columnTypeName).
    polarsType: (type) => polarsType(type.split(/[ (]/)[0], type),
    timeZone: timeZoneOf,
  },
  config: mysqlConfig,
  connect: (config) => MysqlClient.connect(config),
  openTable,
};
