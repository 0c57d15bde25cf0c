/**
 * Frames loaded into a database by SQL fixtures (postgres.ts, mysql.ts): Datetime columns
 * travel as text to the microsecond, since the JS `Date` a frame's rows give keeps
 * milliseconds only.
 * @module
 */
import pl, { type DataFrame, type DataType } from "nodejs-polars";

/** The time zone of a Polars Datetime type, or undefined (a wall-clock timestamp). */
export function zoneOf(dtype: DataType): string | undefined {
  return (dtype as unknown as { timeZone?: string }).timeZone || undefined;
}

/**
 * `frame` with each Datetime column as text `YYYY-MM-DD HH:MM:SS.ffffff`; instants in UTC,
 * followed by `zoneSuffix` (e.g. `+00`; empty for a session whose time zone is UTC).
 */
export function timestampsAsText(frame: DataFrame, zoneSuffix: string): DataFrame {
  const texts = frame.columns.flatMap((name, index) => {
    const dtype = frame.dtypes[index];
    if (String(dtype.variant) !== "Datetime") return [];
    const zoned = zoneOf(dtype) !== undefined;
    const column = zoned ? pl.col(name).dt.convertTimeZone("UTC") : pl.col(name);
    return [column.dt.strftime(`%Y-%m-%d %H:%M:%S%.6f${zoned ? zoneSuffix : ""}`).alias(name)];
  });
  return texts.length === 0 ? frame : frame.withColumns(...texts);
}
