/**
 * `freshness` (a dataset rule, id `DATASET:freshness`): the newest value of `column` must
 * be at most `max_age` older than `now`. failed_count is 0 when it is, 1 when the data is
 * stale or the column holds no value at all (no rows, or every value NULL).
 *
 * - `column`: a `Date` (read as its midnight UTC), a `Datetime` (an instant as itself; a
 *   wall-clock timestamp read as UTC) or text holding ISO 8601 timestamps (a CSV column):
 *   text is compared byte for byte, so its newest value is the greatest text, which is
 *   the latest time when every value is written in one format and one UTC offset; that
 *   value is then read (`YYYY-MM-DD[ T]HH:MM[:SS[.f]]`, an offset if written, else UTC).
 * - `max_age`: `90m`, `24h`, `7d`, `1h30m`, … (rules/max_age.ts).
 * - `now`: an ISO timestamp (UTC unless it has an offset) for reproducible runs; by
 *   default the clock when the result is computed.
 *
 * Timestamps count to the microsecond (finer digits are cut). A newest value in the future
 * is fresh. The newest value is measured once: from Parquet footer statistics when they
 * prove it, else one aggregate of the single scan or of the database statement.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import type { BoundValue, ColumnInfo } from "../core/dataset.ts";
import { isStoredText } from "../core/dtypes.ts";
import {
  formatIsoTimestamp,
  isProblem,
  MICROS_PER_DAY,
  readIsoTimestamp,
  utcMicros,
} from "../core/iso_time.ts";
import { defineRule, type Observation } from "./define.ts";
import { formatAge, readMaxAge } from "./max_age.ts";

const params = z.strictObject({
  column: z.string().min(1),
  max_age: z.string().superRefine((text, context) => {
    const read = readMaxAge(text);
    if (typeof read !== "bigint") context.addIssue({ code: "custom", message: read.problem });
  }),
  now: z.string().superRefine((text, context) => {
    const read = readIsoTimestamp(text);
    if (isProblem(read)) context.addIssue({ code: "custom", message: read.problem });
  }).optional(),
});

type Params = z.infer<typeof params>;

/** The newest value, read: microseconds since the UTC epoch, or why there is none. */
type Newest = { micros: bigint } | { none: string };

/**
 * The `now` each result was judged against, by observation: `evaluate` and `describe`
 * see the same observation, so a default `now` read from the clock is read once.
 */
const judgedAt = new WeakMap<Observation, bigint>();

function nowOf(params: Params, observed: Observation): bigint {
  const known = judgedAt.get(observed);
  if (known !== undefined) return known;
  const read = params.now === undefined ? undefined : readIsoTimestamp(params.now);
  const now = read === undefined || isProblem(read) ? BigInt(Date.now()) * 1000n : utcMicros(read);
  judgedAt.set(observed, now);
  return now;
}

function newestOf({ column }: Params, observed: Observation): Newest {
  const value: BoundValue | null | undefined = observed.max;
  if (value === null || value === undefined) {
    return { none: `no value in ${column} (no rows, or every value NULL)` };
  }
  if (typeof value === "number") {
    // PostgreSQL's 'infinity' timestamps have no place on the time line.
    if (!Number.isSafeInteger(value)) return { none: `the newest ${column} is not a finite time` };
    return { micros: observed.dtype === "Date" ? BigInt(value) * MICROS_PER_DAY : BigInt(value) };
  }
  // Text: an ISO timestamp; digits beyond the microsecond are cut, as on the other types.
  const text = String(value);
  const read = readIsoTimestamp(text.replace(/(\.\d{6})\d+/, "$1"));
  if (isProblem(read)) {
    return { none: `the newest ${column} value ${JSON.stringify(text)} is no ISO timestamp` };
  }
  return { micros: utcMicros(read) };
}

/** A timestamp for messages: `2024-03-01 06:00:00`, with a fraction only when it has one. */
function shown(micros: bigint): string {
  return formatIsoTimestamp(micros).replace(/\.0+$/, "");
}

/** Fails (1) when the newest value of `column` is older than `max_age` before `now`. */
export default defineRule({
  name: "freshness",
  scope: "dataset",
  params,
  columnOf: ({ column }) => column,
  measure: ({ column }) => ({ kind: "max", column }),
  columnTypeProblem: (_, column: ColumnInfo) =>
    column.dtype === "Date" || column.dtype === "Datetime" || isStoredText(column.dtype)
      ? undefined
      : `freshness needs a Date, Datetime or text (ISO 8601) column; ${column.name} is ${column.dtype}`,
  evaluate(params, observed) {
    const newest = newestOf(params, observed);
    if ("none" in newest) return 1;
    const age = nowOf(params, observed) - newest.micros;
    return age > (readMaxAge(params.max_age) as bigint) ? 1 : 0;
  },
  describe(params, { observed }) {
    const newest = newestOf(params, observed);
    if ("none" in newest) {
      return `${newest.none}: nothing shows the data is fresh, max ${params.max_age}`;
    }
    const age = nowOf(params, observed) - newest.micros;
    const at = `newest ${params.column} (${shown(newest.micros)} UTC)`;
    if (age < 0n) return `${at} is ${formatAge(age)} in the future, max age ${params.max_age}`;
    const stale = age > (readMaxAge(params.max_age) as bigint);
    return `${at} is ${formatAge(age)} old, ${stale ? "max" : "within"} ${params.max_age}`;
  },
});
