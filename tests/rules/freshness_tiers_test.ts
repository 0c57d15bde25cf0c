/**
 * `freshness` on every tier (Parquet footers, Parquet scan, CSV, S3, PostgreSQL, the
 * Snowflake test server, MariaDB): the newest value of a date, a wall-clock timestamp,
 * an instant, nanosecond and millisecond timestamps, and an all-NULL column, against a
 * fixed `now`. The newest values come from the events frame (tests/support/events_frame.ts):
 *
 * - `day` (Date): 2024-03-01, read as 2024-03-01T00:00:00Z;
 * - `at` (naive) and `at_utc` (UTC): 2024-03-01 06:00:00 (id 8);
 * - `until` (naive): 2024-03-01 05:59:59 (id 8);
 * - `at_ns` / `at_ms_utc`: `at` in nanoseconds / milliseconds (UTC), the same newest value;
 * - `never`: every value NULL;
 * - `at_text`: `at` as ISO text at +01:00 (a text column on every tier): newest
 *   `2024-03-01T06:00:00.000000+01:00`, which is 05:00 UTC.
 *
 * On CSV every timestamp column is text (`2024-03-01T06:00:00.000000`, `…+0000` for
 * instants): its newest value is the greatest text, read as an ISO timestamp.
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";
import { z } from "zod";
import { defineRule, registerRule } from "../../mod.ts";
import type { BoundValue } from "../../src/core/dataset.ts";
import { isProblem, MICROS_PER_DAY, readIsoTimestamp, utcMicros } from "../../src/core/iso_time.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";

/** The events frame and three more timestamp columns (see the module doc). */
function freshnessFrame(): DataFrame {
  return eventsFrame().withColumns(
    pl.col("at").cast(pl.Datetime("ns")).alias("at_ns"),
    pl.col("at_utc").cast(pl.Datetime("ms", "UTC")).alias("at_ms_utc"),
    pl.lit(null).cast(pl.Datetime("us")).alias("never"),
    // ISO text with an offset, as a CSV or a text column holds timestamps.
    pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+01:00").alias("at_text"),
  );
}

/** 24 hours after the newest `at`. */
const NOW = "2024-03-02T06:00:00Z";

const fresh = (column: string, max_age: string, now = NOW) => ({
  rule: "freshness",
  params: { column, max_age, now },
});

const cases: TierCase[] = [
  // Exactly 24h old: within 24h (an age equal to max_age passes).
  { ...fresh("at", "24h"), failed: 0 },
  // One second short of 24h: stale.
  { ...fresh("at", "23h59m59s"), failed: 1 },
  // One microsecond past 24h: stale, on every tier (microseconds are exact).
  { ...fresh("at", "24h", "2024-03-02T06:00:00.000001Z"), failed: 1 },
  { ...fresh("at", "1d", "2024-03-02 06:00:00"), failed: 0 },
  // The same instant written with an offset.
  { ...fresh("at_utc", "24h", "2024-03-02T07:00:00+01:00"), failed: 0 },
  { ...fresh("at_utc", "1439m"), failed: 1 },
  { ...fresh("at_ns", "24h"), failed: 0 },
  { ...fresh("at_ns", "86399 seconds"), failed: 1 },
  { ...fresh("at_ms_utc", "1 day"), failed: 0 },
  { ...fresh("at_ms_utc", "23.5h"), failed: 1 },
  // A date is its midnight UTC: 2024-03-01T00:00Z is 30h before NOW.
  { ...fresh("day", "30h"), failed: 0 },
  { ...fresh("day", "1d5h59m"), failed: 1 },
  // 05:59:59 is 24h 1s before NOW.
  { ...fresh("until", "24h"), failed: 1 },
  { ...fresh("until", "1d 1s"), failed: 0 },
  // A newest value in the future is fresh.
  { ...fresh("at", "1s", "2024-02-01T00:00:00Z"), failed: 0 },
  // Text, byte for byte: the greatest text, read with its offset (05:00 UTC).
  { ...fresh("at_text", "25h"), failed: 0 },
  { ...fresh("at_text", "24h59m"), failed: 1 },
  // Every value NULL: nothing shows the data is fresh.
  { ...fresh("never", "2w"), failed: 1 },
  // With `when:`, the newest of the rows it selects: ids below 8 end at row 5's
  // 2024-02-01 00:00:00, 30 days 6 hours before NOW.
  { ...fresh("at", "24h"), when: "id < 8", failed: 1 },
  { ...fresh("at", "30d6h"), when: "id < 8", failed: 0 },
];

testEveryTier("freshness", freshnessFrame, cases);

/**
 * The `max` measure under a column rule's `when:` (freshness, a dataset rule, takes no
 * `when:`): a user rule that fails when the newest value is before `at_least` (UTC). The
 * max arrives encoded: days for a date, microseconds for a timestamp, text on CSV.
 */
registerRule(defineRule({
  name: "test_newest_at_least",
  scope: "column",
  params: z.strictObject({ column: z.string(), at_least: z.string() }),
  measure: ({ column }) => ({ kind: "max", column }),
  evaluate: ({ at_least }, { max, dtype }) =>
    max === null || max === undefined || micros(max, dtype) < microsOf(at_least) ? 1 : 0,
  describe: ({ column }, { observed }) => `newest ${column}: ${observed.max}`,
}));

/** An encoded max in microseconds since the UTC epoch. */
function micros(max: BoundValue, dtype: string | undefined): bigint {
  // CSV text of a nanosecond column has 9 digits: cut to microseconds, as freshness does.
  if (typeof max === "string") return microsOf(max.replace(/(\.\d{6})\d+/, "$1"));
  return dtype === "Date" ? BigInt(max) * MICROS_PER_DAY : BigInt(max);
}

function microsOf(text: string): bigint {
  const read = readIsoTimestamp(text);
  if (isProblem(read)) throw new Error(read.problem);
  return utcMicros(read);
}

const newest = (column: string, at_least: string, when: string) => ({
  rule: "test_newest_at_least",
  params: { column, at_least },
  when,
});

const maxCases: TierCase[] = [
  // Newest `at` of ids below 8: 2024-02-01 00:00:00 (id 5).
  { ...newest("at", "2024-02-01T00:00:00", "id < 8"), failed: 0 },
  { ...newest("at", "2024-02-01T00:00:00.000001", "id < 8"), failed: 1 },
  // id 3 alone: 2024-01-31 23:59:59.999999, one microsecond before midnight.
  { ...newest("at_utc", "2024-01-31T23:59:59.999999Z", "id = 3"), failed: 0 },
  { ...newest("at_utc", "2024-02-01T00:00:00Z", "id = 3"), failed: 1 },
  { ...newest("at_ns", "2024-01-31T23:59:59.999999", "id = 3"), failed: 0 },
  // Dates: ids 1 and 2 hold 2024-01-01 and 2024-01-15.
  { ...newest("day", "2024-01-15", "id <= 2"), failed: 0 },
  { ...newest("day", "2024-01-15T00:00:00.000001", "id <= 2"), failed: 1 },
  // id 4's `at` is NULL: no value where the condition holds.
  { ...newest("at", "1970-01-01", "id = 4"), failed: 1 },
];

testEveryTier("max measure with when:", freshnessFrame, maxCases);
