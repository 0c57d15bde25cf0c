/**
 * Parquet schema → Polars type names, so a schema read from a footer (a few KiB over
 * the network) answers `dtype` exactly as a Polars scan of the same file would.
 * @module
 */
import type { FileMetaData, SchemaElement, TimeUnit } from "npm:hyparquet@1.33.0";
import type { ColumnInfo } from "../core/dataset.ts";
import type { FileColumn } from "./file_schema.ts";

/** The top-level columns of a Parquet file and their Polars type names. */
export function parquetColumns(footer: FileMetaData): ColumnInfo[] {
  return parquetFileColumns(footer).map(({ name, dtype, unit, timeZone }) => ({
    name,
    dtype,
    ...(unit === undefined ? {} : { timeUnit: unit }),
    ...(timeZone === undefined ? {} : { timeZone }),
  }));
}

/**
 * The top-level columns of a Parquet file with their full types (timestamp unit and
 * time zone, decimal precision, nested fields), to compare the files of a dataset.
 */
export function parquetFileColumns(footer: FileMetaData): FileColumn[] {
  const [root, ...elements] = footer.schema;
  const columns: FileColumn[] = [];
  let index = 0;
  for (let child = 0; child < (root.num_children ?? 0); child++) {
    const element = elements[index];
    const size = descendants(elements, index);
    columns.push({
      name: element.name,
      ...fullType(element, elements.slice(index + 1, index + 1 + size)),
    });
    index += 1 + size;
  }
  return columns;
}

const UNITS: Record<TimeUnit, "ms" | "us" | "ns"> = { MILLIS: "ms", MICROS: "us", NANOS: "ns" };

/** The Polars type of a top-level element and the details that set it apart. */
function fullType(
  element: SchemaElement,
  nested: SchemaElement[],
): Omit<FileColumn, "name"> {
  const dtype = polarsType(element);
  if (dtype === "Datetime") {
    const logical = element.logical_type;
    const unit = logical?.type === "TIMESTAMP"
      ? UNITS[logical.unit]
      : element.converted_type === "TIMESTAMP_MILLIS"
      ? "ms"
      : element.converted_type === "TIMESTAMP_MICROS"
      ? "us"
      : "ns"; // INT96
    // Adjusted to UTC: an instant (Polars reads a time zone); else a wall-clock time.
    const utc = logical?.type === "TIMESTAMP" && logical.isAdjustedToUTC;
    const timeZone = utc ? "UTC" : undefined;
    return { dtype, unit, timeZone, detail: `Datetime(${unit}${timeZone ? `, ${timeZone}` : ""})` };
  }
  if (dtype === "Decimal") {
    return { dtype, detail: `Decimal(${element.precision ?? ""}, ${element.scale ?? 0})` };
  }
  if (nested.length > 0) {
    const fields = nested.map((child) => `${child.name}:${polarsType(child)}`).join(", ");
    return { dtype, detail: `${dtype}(${fields})` };
  }
  return { dtype, detail: dtype };
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
  // A column of NULLs only, written without a type (Polars' Null).
  if (logical?.type === "NULL") return "Null";
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
