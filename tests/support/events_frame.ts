/**
 * A small frame of dates and timestamps for the cross-tier rule cases: a `Date`, a
 * wall-clock `Datetime` (no time zone) and a `Datetime` of instants (UTC), each with a
 * NULL, plus an end for each timestamp to compare with. Values are microseconds, built
 * from integers (no JS `Date`, which keeps milliseconds only).
 *
 * | id | day        | at (naive)                 | at_utc (UTC)     | until (naive)       | until_utc (UTC)     |
 * |----|------------|----------------------------|------------------|---------------------|---------------------|
 * | 1  | 2024-01-01 | 2024-01-01 08:00:00        | same instant     | 2024-01-01 09:00:00 | 2024-01-01 09:00:00 |
 * | 2  | 2024-01-15 | 2024-01-15 12:30:00        | same instant     | 2024-01-15 12:30:00 | 2024-01-15 12:00:00 |
 * | 3  | 2024-01-31 | 2024-01-31 23:59:59.999999 | same instant     | NULL                | 2024-02-01 00:00:00 |
 * | 4  | NULL       | NULL                       | NULL             | 2024-02-01 10:00:00 | NULL                |
 * | 5  | 2024-02-01 | 2024-02-01 00:00:00        | same instant     | 2024-01-31 00:00:00 | 2024-02-02 00:00:00 |
 * | 6  | 2023-12-31 | 2023-12-31 23:00:00        | same instant     | 2024-01-01 01:00:00 | 2024-01-01 01:00:00 |
 * | 7  | 2024-01-15 | 2024-01-15 06:15:00        | same instant     | 2024-01-16 00:00:00 | 2024-01-16 00:00:00 |
 * | 8  | 2024-03-01 | 2024-03-01 06:00:00        | same instant     | 2024-03-01 05:59:59 | 2024-03-01 05:59:59 |
 *
 * (`at_utc` holds the instant whose UTC time is `at`.)
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";

/** Microseconds since 1970-01-01T00:00:00 of `YYYY-MM-DD HH:MM:SS[.ffffff]` read as UTC. */
export function micros(text: string): bigint {
  const [whole, fraction = ""] = text.split(".");
  const ms = Date.parse(`${whole.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${text}`);
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, "0"));
}

/** Days since 1970-01-01 of `YYYY-MM-DD`. */
export function days(text: string): number {
  return Date.parse(`${text}T00:00:00Z`) / 86_400_000;
}

const DAY = [
  "2024-01-01",
  "2024-01-15",
  "2024-01-31",
  null,
  "2024-02-01",
  "2023-12-31",
  "2024-01-15",
  "2024-03-01",
];
const AT = [
  "2024-01-01 08:00:00",
  "2024-01-15 12:30:00",
  "2024-01-31 23:59:59.999999",
  null,
  "2024-02-01 00:00:00",
  "2023-12-31 23:00:00",
  "2024-01-15 06:15:00",
  "2024-03-01 06:00:00",
];
const UNTIL = [
  "2024-01-01 09:00:00",
  "2024-01-15 12:30:00",
  null,
  "2024-02-01 10:00:00",
  "2024-01-31 00:00:00",
  "2024-01-01 01:00:00",
  "2024-01-16 00:00:00",
  "2024-03-01 05:59:59",
];
const UNTIL_UTC = [
  "2024-01-01 09:00:00",
  "2024-01-15 12:00:00",
  "2024-02-01 00:00:00",
  null,
  "2024-02-02 00:00:00",
  "2024-01-01 01:00:00",
  "2024-01-16 00:00:00",
  "2024-03-01 05:59:59",
];

function timestamps(name: string, values: (string | null)[], timeZone?: string) {
  // Built as Int64 microseconds, then cast: exact, NULLs kept.
  const integers = pl.Series(name, values.map((value) => value === null ? null : micros(value)))
    .cast(pl.Int64);
  return integers.cast(pl.Datetime("us", timeZone));
}

/** The events frame (see the module doc). */
export function eventsFrame(): DataFrame {
  return pl.DataFrame([
    pl.Series("id", [1, 2, 3, 4, 5, 6, 7, 8]).cast(pl.Int64),
    pl.Series("day", DAY.map((value) => value === null ? null : days(value))).cast(pl.Int32)
      .cast(pl.Date),
    timestamps("at", AT),
    timestamps("at_utc", AT, "UTC"),
    timestamps("until", UNTIL),
    timestamps("until_utc", UNTIL_UTC, "UTC"),
  ]);
}
