/**
 * Parquet schema → Polars type names, so a schema read from a footer (a few KiB over
 * the network) answers `dtype` exactly as a Polars scan of the same file would.
 * @module
 */
import type { FileMetaData, SchemaElement } from "hyparquet";
import type { ColumnInfo } from "../rules/define.ts";

/** The top-level columns of a Parquet file and their Polars type names. */
export function parquetColumns(footer: FileMetaData): ColumnInfo[] {
  const [root, ...elements] = footer.schema;
  const columns: ColumnInfo[] = [];
  let index = 0;
  for (let child = 0; child < (root.num_children ?? 0); child++) {
    const element = elements[index];
    columns.push({ name: element.name, dtype: polarsType(element) });
    index += 1 + descendants(elements, index);
  }
  return columns;
}

/** How many schema elements below `elements[index]` belong to it. */
function descendants(elements: SchemaElement[], index: number): number {
  let count = 0;
  for (let child = 0; child < (elements[index].num_children ?? 0); child++) {
    const at = index + 1 + count;
    count += 1 + descendants(elements, at);
  }
  return count;
}

const CONVERTED_INTEGERS: Record<string, string> = {
  INT_8: "Int8",
  INT_16: "Int16",
  INT_32: "Int32",
  INT_64: "Int64",
  UINT_8: "UInt8",
  UINT_16: "UInt16",
  UINT_32: "UInt32",
  UINT_64: "UInt64",
};

/** The Polars type a scan gives a column with this schema element. */
export function polarsType(element: SchemaElement): string {
  if ((element.num_children ?? 0) > 0) {
    const converted = element.converted_type;
    return converted === "LIST" || element.logical_type?.type === "LIST" ? "List" : "Struct";
  }
  const logical = element.logical_type;
  if (logical?.type === "INTEGER") {
    return `${logical.isSigned ? "Int" : "UInt"}${logical.bitWidth}`;
  }
  if (logical?.type === "STRING" || logical?.type === "ENUM" || logical?.type === "JSON") {
    return "String";
  }
  if (logical?.type === "DATE") return "Date";
  if (logical?.type === "TIMESTAMP") return "Datetime";
  if (logical?.type === "TIME") return "Time";
  if (logical?.type === "DECIMAL") return "Decimal";
  const converted = element.converted_type;
  if (converted && CONVERTED_INTEGERS[converted]) return CONVERTED_INTEGERS[converted];
  if (converted === "UTF8" || converted === "ENUM" || converted === "JSON") return "String";
  if (converted === "DATE") return "Date";
  if (converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS") return "Datetime";
  if (converted === "TIME_MILLIS" || converted === "TIME_MICROS") return "Time";
  if (converted === "DECIMAL") return "Decimal";
  switch (element.type) {
    case "BOOLEAN":
      return "Bool";
    case "INT32":
      return "Int32";
    case "INT64":
      return "Int64";
    case "INT96":
      return "Datetime";
    case "FLOAT":
      return "Float32";
    case "DOUBLE":
      return "Float64";
    default:
      return "Binary";
  }
}
