/**
 * Database rows (arrays of driver values) as a Polars DataFrame typed like the source's
 * schema, for quarantine files. Integers travel as text so 64-bit values stay exact;
 * dates and timestamps become Polars Date / Datetime (millisecond precision); types
 * Polars has no plain column for here (decimals, times, intervals, binary, JSON,
 * arrays) are written as text.
 * @module
 */
import pl, { type DataFrame, type Series } from "npm:nodejs-polars@0.25.2";
import { FLOATS, INTEGERS_64, TEXTS } from "../core/dtypes.ts";

/** A column of the frame: its name, Polars type name and values (driver values). */
export interface FrameColumn {
  name: string;
  dtype: string;
  values: unknown[];
}

/** Builds the frame; each column is cast to its Polars type. */
export function frameOf(columns: FrameColumn[]): DataFrame {
  return pl.DataFrame(columns.map(({ name, dtype, values }) => seriesOf(name, dtype, values)));
}

/** The Polars type a column gets in a frame built by {@linkcode frameOf}. */
export function frameType(dtype: string): string {
  if (INTEGERS_64.test(dtype) || FLOATS.test(dtype) || dtype === "Bool") return dtype;
  if (dtype === "Date" || dtype === "Datetime") return dtype;
  return "String";
}

function seriesOf(name: string, dtype: string, values: unknown[]): Series {
  const nullable = <T>(convert: (value: unknown) => T) =>
    values.map((value) => value === null || value === undefined ? null : convert(value));
  if (INTEGERS_64.test(dtype)) {
    return pl.Series(name, nullable(String)).cast(pl.DataType[dtype as "Int64"]);
  }
  if (FLOATS.test(dtype)) {
    return pl.Series(name, nullable(Number)).cast(pl.DataType[dtype as "Float64"]);
  }
  if (dtype === "Bool") return pl.Series(name, nullable(asBoolean)).cast(pl.Bool);
  if (dtype === "Date") return pl.Series(name, nullable(asDate)).cast(pl.Date);
  if (dtype === "Datetime") return pl.Series(name, nullable(asDate)).cast(pl.Datetime("ms"));
  if (TEXTS.test(dtype)) return pl.Series(name, nullable(String)).cast(pl.Utf8);
  return pl.Series(name, nullable(asText)).cast(pl.Utf8);
}

function asBoolean(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "t" || value === "true" || value === 1 || value === "1") return true;
  if (value === "f" || value === "false" || value === 0 || value === "0") return false;
  return null;
}

/**
 * A Date from a driver value: a Date object, or PostgreSQL's text form of a date
 * (`2024-01-02`), timestamp (`2024-01-02 03:04:05.123456`) or timestamptz (`…+05:30`),
 * read as UTC. Values JavaScript cannot represent (e.g. `infinity`) become NULL.
 */
export function asDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== "string") return null;
  const match = /^(\d{4,}-\d\d-\d\d)(?:[ T](\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?)?$/
    .exec(value);
  if (!match) return null;
  const [, day, time = "00:00:00", fraction = "", offset] = match;
  const millis = fraction === "" ? "" : fraction.slice(0, 4).padEnd(4, "0");
  const zone = offset === undefined
    ? "Z"
    : offset.length === 3
    ? `${offset}:00`
    : offset.includes(":")
    ? offset
    : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const date = new Date(`${day}T${time}${millis}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) {
    return Array.from(value, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
  if (typeof value === "object") {
    return JSON.stringify(
      value,
      (_key, inner) => typeof inner === "bigint" ? String(inner) : inner,
    );
  }
  return String(value);
}
