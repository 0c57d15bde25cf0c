/**
 * Exact column bounds (smallest and largest non-null value) from Parquet footers, in the
 * encoding of {@linkcode ValueBounds}: what `range` and `freshness` answer from without
 * reading a row. A bound is given only when every row group of every file proves it:
 *
 * - only `min_value`/`max_value` are read; the deprecated `min`/`max` fields were written
 *   with a signed byte order by old writers and are not trusted;
 * - a row group without them counts only when its (trusted) null count says it holds no
 *   value at all; otherwise the column has no bounds;
 * - `is_min_value_exact`/`is_max_value_exact` false (a truncated text) means no bounds.
 *   Writers that do not set them may still truncate: Polars cuts text statistics to 64
 *   bytes (and raises the last character of a max), so without the flag only texts of at
 *   most {@linkcode UNFLAGGED_TEXT_BYTES} UTF-8 bytes are exact;
 * - floats only from writers known to leave statistics out when a NaN is present (Polars,
 *   DuckDB): others (parquet-mr, Arrow) skip NaNs, so their bounds would hide them;
 * - timestamps by their unit: milliseconds and microseconds exactly; nanoseconds only when
 *   they are whole microseconds. INT96 timestamps have no defined order: no bounds;
 * - decimals, times and other types: no bounds (no exact encoding in ValueBounds).
 * @module
 */
import type {
  ColumnChunk,
  FileMetaData,
  ParquetParsers,
  RowGroup,
  SchemaElement,
} from "npm:hyparquet@1.33.0";
import type { BoundValue, ValueBounds } from "../core/dataset.ts";
import { FLOATS, INTEGERS_64, isStoredText } from "../core/dtypes.ts";
import { compareCodePoints } from "../rules/ordered_bound.ts";
import { polarsType } from "./parquet_types.ts";

/** Longest text (UTF-8 bytes) taken as exact when the writer says nothing about truncation. */
export const UNFLAGGED_TEXT_BYTES = 60;

/** A timestamp statistic with its unit, as {@linkcode STATISTICS_PARSERS} leave it. */
class StatTimestamp {
  constructor(readonly unit: "ms" | "us" | "ns", readonly value: bigint) {}
}

/**
 * hyparquet parsers that keep statistics exact: its defaults turn timestamps into JS
 * Dates (milliseconds) and dates into Dates; these keep the raw integers.
 */
export const STATISTICS_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (value) => new StatTimestamp("ms", value),
  timestampFromMicroseconds: (value) => new StatTimestamp("us", value),
  timestampFromNanoseconds: (value) => new StatTimestamp("ns", value),
  dateFromDays: (days) => days,
};

/** Whether a chunk's null count is exact (see parquet_footer.ts `untrustedNullCount`). */
export type NullCountTrust = (footer: FileMetaData, group: RowGroup, chunk: ColumnChunk) => boolean;

/**
 * The bounds of each top-level column over every file, computed when first asked;
 * undefined where the footers do not prove them (see the module's rules).
 */
export function footerBounds(
  footers: FileMetaData[],
  nullCountTrusted: NullCountTrust,
): (column: string) => ValueBounds | undefined {
  const known = new Map<string, ValueBounds | undefined>();
  return (column) => {
    if (!known.has(column)) known.set(column, columnBounds(footers, column, nullCountTrusted));
    return known.get(column);
  };
}

function columnBounds(
  footers: FileMetaData[],
  column: string,
  nullCountTrusted: NullCountTrust,
): ValueBounds | undefined {
  let bounds: ValueBounds | undefined;
  for (const footer of footers) {
    const element = topLevelColumn(footer, column);
    const read = element && statisticReader(element, footer.created_by);
    if (!read) return undefined;
    for (const group of footer.row_groups) {
      if (Number(group.num_rows) === 0) continue;
      const chunk = group.columns.find(({ meta_data }) =>
        meta_data?.path_in_schema.length === 1 && meta_data.path_in_schema[0] === column
      );
      const stats = chunk?.meta_data?.statistics;
      if (!chunk || !stats) return undefined;
      if (stats.min_value === undefined || stats.max_value === undefined) {
        // No bounds written: fine only if the row group holds no value of the column.
        const empty = stats.null_count !== undefined &&
          Number(stats.null_count) === Number(group.num_rows) &&
          nullCountTrusted(footer, group, chunk);
        if (empty) continue;
        return undefined;
      }
      if (stats.is_min_value_exact === false || stats.is_max_value_exact === false) {
        return undefined;
      }
      const min = read(stats.min_value, stats.is_min_value_exact);
      const max = read(stats.max_value, stats.is_max_value_exact);
      if (min === undefined || max === undefined || typeof min !== typeof max) return undefined;
      if (bounds === undefined) {
        bounds = { min, max };
        continue;
      }
      if (typeof bounds.min !== typeof min) return undefined;
      if (compareBoundValues(min, bounds.min) < 0) bounds.min = min;
      if (compareBoundValues(max, bounds.max) > 0) bounds.max = max;
    }
  }
  return bounds;
}

/** The schema element of a top-level, non-nested column, or undefined. */
function topLevelColumn(footer: FileMetaData, column: string): SchemaElement | undefined {
  const [root, ...elements] = footer.schema;
  let index = 0;
  for (let child = 0; child < (root.num_children ?? 0); child++) {
    const element = elements[index];
    if (element === undefined) return undefined;
    if (element.name === column) return (element.num_children ?? 0) > 0 ? undefined : element;
    index += 1 + descendants(elements, index);
  }
  return undefined;
}

function descendants(elements: SchemaElement[], index: number): number {
  let count = 0;
  for (let child = 0; child < (elements[index].num_children ?? 0); child++) {
    count += 1 + descendants(elements, index + 1 + count);
  }
  return count;
}

/** Reads one statistic of a column into a bound, or undefined when it is not exact. */
type StatisticReader = (value: unknown, exact: boolean | undefined) => BoundValue | undefined;

/** How a column's statistics read, by its Polars type; undefined: they never give bounds. */
function statisticReader(
  element: SchemaElement,
  createdBy: string | undefined,
): StatisticReader | undefined {
  const dtype = polarsType(element);
  if (INTEGERS_64.test(dtype)) return (value) => exactInteger(value);
  if (FLOATS.test(dtype)) {
    return /^(polars|duckdb)/i.test(createdBy ?? "")
      ? (value) => typeof value === "number" && !Number.isNaN(value) ? value : undefined
      : undefined;
  }
  if (isStoredText(dtype) && element.type === "BYTE_ARRAY") return exactText;
  if (dtype === "Bool") return (value) => typeof value === "boolean" ? value : undefined;
  if (dtype === "Date") return (value) => exactInteger(value);
  if (dtype === "Datetime" && element.type === "INT64") return microseconds;
  return undefined;
}

function exactInteger(value: unknown): number | undefined {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : undefined;
  }
  return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
}

function exactText(value: unknown, exact: boolean | undefined): string | undefined {
  if (typeof value !== "string") return undefined;
  // A replacement character: the bytes were not UTF-8 (cut inside a character).
  if (value.includes("\uFFFD")) return undefined;
  if (exact === true) return value;
  return new TextEncoder().encode(value).length <= UNFLAGGED_TEXT_BYTES ? value : undefined;
}

const MICROS_PER: Record<StatTimestamp["unit"], bigint> = { ms: 1000n, us: 1n, ns: 1n };

function microseconds(value: unknown): number | undefined {
  if (!(value instanceof StatTimestamp)) return undefined;
  if (value.unit === "ns") {
    return value.value % 1000n === 0n ? exactInteger(value.value / 1000n) : undefined;
  }
  return exactInteger(value.value * MICROS_PER[value.unit]);
}

/**
 * Orders two bounds of one type: numbers by value, booleans false first, text by code
 * point, which is UTF-8 byte order (the order of Parquet statistics and of Polars).
 */
export function compareBoundValues(a: BoundValue, b: BoundValue): number {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
