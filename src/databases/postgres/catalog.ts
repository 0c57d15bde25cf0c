/**
 * The PostgreSQL catalog: finding the table a URI names (exact names first, then
 * PostgreSQL's lower-case folding) and mapping its column types to Polars type names.
 * @module
 */
import {
  LoggedSqlAccess,
  type OpenedRelation,
  type SqlClient,
  tableFromCatalog,
} from "../sql_source.ts";
import type { PostgresConfig } from "./config.ts";

/** Finds the table (exact names first, then PostgreSQL's lower-case folding). */
export async function openTable(
  client: SqlClient,
  { table, redacted: label }: PostgresConfig,
): Promise<OpenedRelation> {
  const [schema, name] = table.length === 2 ? table : [undefined, table[0]];
  const catalog = new LoggedSqlAccess(client, { relation: "" });
  const result = await catalog.query(
    `SELECT table_schema, table_name, column_name, udt_name, data_type
     FROM information_schema.columns
     WHERE table_schema IN (COALESCE($1, current_schema()), COALESCE($2, current_schema()))
       AND table_name IN ($3, $4)
     ORDER BY table_schema, table_name, ordinal_position`,
    [schema ?? null, schema?.toLowerCase() ?? null, name, name.toLowerCase()],
  );
  const rows = result.rows as string[][];
  const columns = rows.map(([tableSchema, tableName, column, udt, dataType]) => ({
    table: [tableSchema, tableName],
    name: column,
    dtype: polarsType(udt, dataType),
    ...zoned(udt),
  }));
  return tableFromCatalog(
    client,
    catalog,
    columns,
    { schema, table: name },
    `${label}: table not found (or not readable by this user)`,
  );
}

/** PostgreSQL types (udt names) as the Polars type names `dtype` rules match on. */
const POLARS_TYPES: Record<string, string> = {
  int2: "Int16",
  int4: "Int32",
  int8: "Int64",
  oid: "UInt32",
  float4: "Float32",
  float8: "Float64",
  numeric: "Decimal",
  text: "String",
  varchar: "String",
  bpchar: "String",
  char: "String",
  name: "String",
  citext: "String",
  bool: "Bool",
  date: "Date",
  timestamp: "Datetime",
  timestamptz: "Datetime",
  time: "Time",
  timetz: "Time",
  interval: "Duration",
  bytea: "Binary",
};

/**
 * The time zone of a PostgreSQL type of instants: `timestamptz` holds UTC instants (shown
 * in the session's zone); `timestamp` is a wall-clock time, with none.
 */
export function timeZoneOf(udtName: string): string | undefined {
  return udtName === "timestamptz" ? "UTC" : undefined;
}

function zoned(udtName: string): { timeZone?: string } {
  const timeZone = timeZoneOf(udtName);
  return timeZone === undefined ? {} : { timeZone };
}

/** The Polars type name for a PostgreSQL column: arrays are List, the rest Object. */
export function polarsType(udtName: string, dataType: string): string {
  if (dataType === "ARRAY" || udtName.startsWith("_")) return "List";
  return POLARS_TYPES[udtName] ?? "Object";
}
