/**
 * The Snowflake catalog: finding the table a URI names (exact names first, then
 * Snowflake's upper-case folding) and mapping its column types to Polars type names.
 * @module
 */
import { DataSourceError, KontractError } from "../../core/errors.ts";
import {
  LoggedSqlAccess,
  type OpenedRelation,
  type SqlClient,
  tableFromCatalog,
} from "../sql_source.ts";
import type { SnowflakeConfig } from "./config.ts";

/** Finds the table (exact names first, then Snowflake's upper-case folding). */
export async function openTable(
  client: SqlClient,
  { path, redacted: label }: SnowflakeConfig,
): Promise<OpenedRelation> {
  const [, schema, name] = path;
  const catalog = new LoggedSqlAccess(client, { relation: "" });
  let result;
  try {
    result = await catalog.query(
      `SELECT CURRENT_DATABASE() AS "db", TABLE_SCHEMA AS "s", TABLE_NAME AS "t",
         COLUMN_NAME AS "c", DATA_TYPE AS "type", NUMERIC_SCALE AS "scale"
       FROM INFORMATION_SCHEMA.COLUMNS
       WHERE TABLE_SCHEMA IN (?, ?) AND TABLE_NAME IN (?, ?)
       ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
      [schema, schema.toUpperCase(), name, name.toUpperCase()],
    );
  } catch (error) {
    if (!(error instanceof KontractError)) throw error;
    throw new DataSourceError(`${label}: database not found or not readable: ${error.message}`, 2);
  }
  const columns = result.rows.map(([database, tableSchema, tableName, column, type, scale]) => ({
    table: [String(database), String(tableSchema), String(tableName)],
    name: String(column),
    dtype: polarsType(String(type), Number(scale)),
    ...zoned(String(type)),
  }));
  return tableFromCatalog(
    client,
    catalog,
    columns,
    { schema, table: name },
    `${label}: table not found (or not readable by this role)`,
  );
}

/**
 * The time zone of a Snowflake type of instants (catalog DATA_TYPE or result type):
 * TIMESTAMP_TZ and TIMESTAMP_LTZ hold instants, compared in UTC; TIMESTAMP_NTZ (and plain
 * TIMESTAMP, its default mapping) is a wall-clock time, with none.
 */
export function timeZoneOf(type: string): string | undefined {
  const upper = type.toUpperCase();
  return upper === "TIMESTAMP_TZ" || upper === "TIMESTAMP_LTZ" ? "UTC" : undefined;
}

function zoned(type: string): { timeZone?: string } {
  const timeZone = timeZoneOf(type);
  return timeZone === undefined ? {} : { timeZone };
}

/** Snowflake types (catalog DATA_TYPE or result types) as Polars type names. */
export function polarsType(type: string, scale: number): string {
  const upper = type.toUpperCase();
  if (["NUMBER", "FIXED", "DECIMAL", "NUMERIC", "INT", "INTEGER", "BIGINT"].includes(upper)) {
    return scale > 0 ? "Decimal" : "Int64";
  }
  if (["FLOAT", "REAL", "DOUBLE", "FLOAT4", "FLOAT8"].includes(upper)) return "Float64";
  if (["TEXT", "VARCHAR", "STRING", "CHAR", "CHARACTER"].includes(upper)) return "String";
  if (upper === "BOOLEAN") return "Bool";
  if (upper === "DATE") return "Date";
  if (upper === "TIME") return "Time";
  if (upper.startsWith("TIMESTAMP")) return "Datetime";
  if (upper === "BINARY") return "Binary";
  if (upper === "ARRAY") return "List";
  return "Object";
}
