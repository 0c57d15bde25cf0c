/**
 * The MySQL/MariaDB catalog: finding the table a URI names in information_schema.COLUMNS
 * and mapping its column types to Polars type names. The exact name is looked up first
 * (one table's metadata: cheap); only when it is missing, the names are compared without
 * case, since whether MySQL folds table names depends on the server's
 * `lower_case_table_names` and file system.
 * @module
 */
import {
  type CatalogColumn,
  LoggedSqlAccess,
  type OpenedRelation,
  type SqlClient,
  tableFromCatalog,
} from "../sql_source.ts";
import type { MysqlConfig } from "./config.ts";

const COLUMNS = `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE
     FROM information_schema.COLUMNS`;
const ORDER = "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION";

/** Finds the table (the exact name first, then without case). */
export async function openTable(
  client: SqlClient,
  { database, table, redacted: label }: MysqlConfig,
): Promise<OpenedRelation> {
  const name = table[0];
  const catalog = new LoggedSqlAccess(client, { relation: "" });
  let result = await catalog.query(
    `${COLUMNS} WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ${ORDER}`,
    [database, name],
  );
  if (result.rows.length === 0) {
    result = await catalog.query(
      `${COLUMNS} WHERE LOWER(TABLE_SCHEMA) = LOWER(?) AND LOWER(TABLE_NAME) = LOWER(?) ${ORDER}`,
      [database, name],
    );
  }
  const columns: CatalogColumn[] = result.rows.map((row) => {
    const [schema, tableName, column, dataType, columnType] = row.map(String);
    const timeZone = timeZoneOf(dataType);
    return {
      table: [schema, tableName],
      name: column,
      dtype: polarsType(dataType, columnType),
      ...(timeZone === undefined ? {} : { timeZone }),
    };
  });
  return tableFromCatalog(
    client,
    catalog,
    columns,
    { schema: database, table: name },
    `${label}: table not found (or not readable by this user)`,
  );
}

/** MySQL types (information_schema DATA_TYPE) as the Polars type names `dtype` rules match on. */
const POLARS_TYPES: Record<string, string> = {
  tinyint: "Int8",
  smallint: "Int16",
  mediumint: "Int32",
  int: "Int32",
  integer: "Int32",
  bigint: "Int64",
  float: "Float32",
  double: "Float64",
  real: "Float64",
  decimal: "Decimal",
  numeric: "Decimal",
  bool: "Bool",
  boolean: "Bool",
  char: "String",
  varchar: "String",
  tinytext: "String",
  text: "String",
  mediumtext: "String",
  longtext: "String",
  enum: "String",
  set: "String",
  // MariaDB stores JSON as LONGTEXT: as String in both servers, the text as stored.
  json: "String",
  uuid: "String",
  inet4: "String",
  inet6: "String",
  date: "Date",
  datetime: "Datetime",
  timestamp: "Datetime",
  time: "Time",
  year: "Int16",
  binary: "Binary",
  varbinary: "Binary",
  tinyblob: "Binary",
  blob: "Binary",
  mediumblob: "Binary",
  longblob: "Binary",
  bit: "Binary",
};

/**
 * The time zone of a MySQL type of instants: TIMESTAMP is stored in UTC and read in the
 * session's zone, which Kontra's session sets to UTC (session.ts); DATETIME is a wall-clock
 * time, with none.
 */
export function timeZoneOf(dataType: string): string | undefined {
  return dataType.toLowerCase().split(/[ (]/)[0] === "timestamp" ? "UTC" : undefined;
}

const INTEGERS = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint"]);

/**
 * The Polars type name for a MySQL column: `dataType` as information_schema's DATA_TYPE
 * says it (`int`), `columnType` as its COLUMN_TYPE (`int(10) unsigned`, `tinyint(1)`).
 * `tinyint(1)` is MySQL's BOOLEAN; unsigned integers are UInt*. Other types are Object.
 */
export function polarsType(dataType: string, columnType = dataType): string {
  const type = dataType.toLowerCase();
  const full = columnType.toLowerCase();
  if (type === "tinyint" && /^tinyint\(1\)$/.test(full)) return "Bool";
  const polars = POLARS_TYPES[type] ?? "Object";
  // YEAR results carry the unsigned flag too; only integer types have unsigned twins.
  if (/\bunsigned\b/.test(full) && INTEGERS.has(type)) return `U${polars}`;
  return polars;
}
