/**
 * The schema of a dataset of many files is the UNION of the files' schemas, each file
 * typed on its own (Parquet: its footer; CSV: its header and the types inferred from its
 * first rows). A column that some files lack, or that files type in different families
 * (String in one, Int64 in another), has drifted: it is never read, and every rule on it
 * fails. Widths of one family are not drift: Int32 and Int64 are read as Int64, Float32
 * and Float64 as Float64, timestamps of different units in the finest unit, and a file
 * whose column holds only NULLs (Polars' Null type, or a CSV column with no value) takes
 * the type of the others. CSV types are guesses from the values, so there an integer
 * column in one file and a float column in another are read as Float64.
 * @module
 */
import pl, { type DataType } from "npm:nodejs-polars@0.25.2";
import type { ColumnInfo, TimeUnit } from "../core/dataset.ts";
import type { ColumnDrift, ColumnVariants, Schema } from "../core/dataset.ts";
import {
  type Dtype,
  FLOATS,
  integerBits,
  INTEGERS,
  INTEGERS_64,
  SIGNED_INTEGERS,
  TEXTS,
  UNSIGNED_INTEGERS,
} from "../core/dtypes.ts";

/** One column of one file, typed as a Polars scan of that file alone would type it. */
export interface FileColumn {
  name: string;
  /** The Polars type name (its variant): `Int64`, `Datetime`, `String`, `Null`, `List`. */
  dtype: string;
  /** The type with its parameters, to compare files: `Datetime(ms, UTC)`, `Decimal(10, 2)`. */
  detail: string;
  /** Datetime only: the unit. */
  unit?: TimeUnit;
  /** Datetime only: the time zone, when the values are instants. */
  timeZone?: string;
}

/** Timestamp units, coarsest first. */
const UNIT_ORDER: readonly TimeUnit[] = ["ms", "us", "ns"];

/** One file's columns, named as messages show the file. */
export interface FileSchema {
  name: string;
  columns: FileColumn[];
}

/** The type a column is read with when the files' types differ within one family. */
export type ReadType = Pick<FileColumn, "dtype" | "unit" | "timeZone">;

/** The union of the files' schemas and how to read it. */
export interface DatasetSchema {
  schema: Schema;
  /** Every file has the same columns with the same types (in any order). */
  uniform: boolean;
  /** Columns of `schema.columns` whose files' types differ: the type to read them with. */
  readAs: Map<string, ReadType>;
}

/** How a union treats numbers. */
export interface UnionOptions {
  /** CSV: integer and float columns of different files are one numeric column (Float64). */
  numbersAsFloat?: boolean;
}

// Files named in a message; the rest are counted ("and 3 more").
const NAMED_FILES = 3;

/** The union of `files`' schemas (in the order columns first appear), drift set apart. */
export function unionSchemas(files: FileSchema[], options: UnionOptions = {}): DatasetSchema {
  const holders = new Map<string, { file: string; column: FileColumn }[]>();
  for (const file of files) {
    for (const column of file.columns) {
      const list = holders.get(column.name) ?? [];
      if (list.at(-1)?.file !== file.name) list.push({ file: file.name, column });
      holders.set(column.name, list);
    }
  }
  const columns: ColumnInfo[] = [];
  const drift: ColumnDrift[] = [];
  const variants: ColumnVariants[] = [];
  const readAs = new Map<string, ReadType>();
  let uniform = true;
  for (const [name, held] of holders) {
    const present = new Set(held.map(({ file }) => file));
    const missing = files.map((file) => file.name).filter((file) => !present.has(file));
    const typed = held.filter(({ column }) => column.dtype !== "Null");
    const byDetail = groupFiles(held, ({ column }) => column.detail);
    if (missing.length === 0 && byDetail.size === 1) {
      columns.push(columnInfo(name, held[0].column));
      continue;
    }
    uniform = false;
    const read = missing.length === 0
      ? widen(typed.map(({ column }) => column), options)
      : undefined;
    const groups = [...(missing.length > 0 ? [{ label: "missing from", files: missing }] : [])];
    // The types where they differ; a column only missing somewhere is named by that.
    for (const [detail, names] of byDetail.size > 1 ? byDetail : []) {
      groups.push({ label: `${detail} in`, files: names });
    }
    const message = `column "${name}" differs across files: ${describeGroups(groups)}`;
    if (read === undefined) {
      drift.push({ column: name, message });
      continue;
    }
    columns.push(columnInfo(name, read));
    readAs.set(name, read);
    const byDtype = groupFiles(typed, ({ column }) => column.dtype);
    if (byDtype.size > 1) {
      const types = [...byDtype].map(([dtype, names]) => ({ dtype, files: names }));
      variants.push({ column: name, types, message });
    }
  }
  return {
    schema: {
      columns,
      ...(drift.length > 0 ? { drift } : {}),
      ...(variants.length > 0 ? { variants } : {}),
    },
    uniform,
    readAs,
  };
}

/** The column as rules see it: its type, with a timestamp's unit and time zone. */
function columnInfo(name: string, type: ReadType): ColumnInfo {
  return {
    name,
    dtype: type.dtype,
    ...(type.unit === undefined ? {} : { timeUnit: type.unit }),
    ...(type.timeZone === undefined ? {} : { timeZone: type.timeZone }),
  };
}

/**
 * The one type that holds every file's values exactly, when the types are of one
 * family; undefined when they are not (that is drift). All-NULL files are left out.
 */
function widen(types: FileColumn[], { numbersAsFloat }: UnionOptions): ReadType | undefined {
  if (types.length === 0) return { dtype: "Null" };
  const dtypes = new Set(types.map((type) => type.dtype));
  const all = (test: (dtype: string) => boolean) => [...dtypes].every(test);
  if (new Set(types.map((type) => type.detail)).size === 1) return types[0];
  if (all(INTEGERS_64.test)) return widenIntegers(dtypes);
  if (all(FLOATS.test)) {
    return { dtype: dtypes.has("Float64") ? "Float64" : "Float32" };
  }
  if (numbersAsFloat && all((dtype) => FLOATS.test(dtype) || INTEGERS.test(dtype))) {
    return { dtype: "Float64" };
  }
  if (all(TEXTS.test)) return { dtype: "String" };
  if (all((dtype) => dtype === "Datetime")) {
    const zones = new Set(types.map((type) => type.timeZone));
    // A wall-clock time and an instant (or two zones) are not the same values.
    if (zones.size !== 1) return undefined;
    const unit = UNIT_ORDER[Math.max(...types.map((type) => UNIT_ORDER.indexOf(type.unit!)))];
    return { dtype: "Datetime", unit, timeZone: types[0].timeZone };
  }
  return undefined;
}

/** The narrowest integer type holding every width, or undefined (UInt64 with a signed type). */
function widenIntegers(dtypes: Set<string>): ReadType | undefined {
  const signed = [...dtypes].some(SIGNED_INTEGERS.test);
  let bits = 8;
  for (const dtype of dtypes) {
    const width = integerBits(dtype)!;
    // A signed type holds an unsigned one only at twice its width.
    bits = Math.max(bits, signed && UNSIGNED_INTEGERS.test(dtype) ? width * 2 : width);
  }
  if (bits > 64) return undefined;
  return { dtype: `${signed ? "Int" : "UInt"}${bits}` };
}

/** Polars' data type for a read type; undefined for types Kontra does not construct. */
export function polarsDataType(type: ReadType): DataType | undefined {
  if (type.dtype === "Datetime") return pl.Datetime(type.unit ?? "us", type.timeZone ?? null);
  const simple: Partial<Record<Dtype, DataType>> = {
    Int8: pl.Int8,
    Int16: pl.Int16,
    Int32: pl.Int32,
    Int64: pl.Int64,
    UInt8: pl.UInt8,
    UInt16: pl.UInt16,
    UInt32: pl.UInt32,
    UInt64: pl.UInt64,
    Float32: pl.Float32,
    Float64: pl.Float64,
    String: pl.String,
    Bool: pl.Bool,
    Date: pl.Date,
    Time: pl.Time,
    Null: pl.Null,
  };
  return Object.hasOwn(simple, type.dtype) ? simple[type.dtype as Dtype] : undefined;
}

/** Files grouped by a key, keys in order of first appearance. */
function groupFiles<T extends { file: string }>(
  items: T[],
  keyOf: (item: T) => string,
): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item.file]);
  }
  return groups;
}

/** `missing from a.parquet; String in b.parquet, c.parquet and 2 more`. */
function describeGroups(groups: { label: string; files: string[] }[]): string {
  return groups.map(({ label, files }) => `${label} ${nameFiles(files)}`).join("; ");
}

/** The first few names, then how many more. */
export function nameFiles(files: string[]): string {
  const named = files.slice(0, NAMED_FILES).join(", ");
  const more = files.length - NAMED_FILES;
  return more > 0 ? `${named} and ${more} more` : named;
}

/**
 * How messages name each file: its path below the directory all files share (the
 * dataset's directory or prefix), so the names stay short and tell the files apart.
 */
export function displayNames(paths: string[]): string[] {
  if (paths.length === 0) return [];
  let common = paths[0].slice(0, paths[0].lastIndexOf("/") + 1);
  for (const path of paths) {
    while (common !== "" && !path.startsWith(common)) {
      common = common.slice(0, common.slice(0, -1).lastIndexOf("/") + 1);
    }
  }
  return paths.map((path) => path.slice(common.length));
}
