/**
 * ISO 8601 dates and timestamps as a Kontract writes them, read exactly: to the
 * microsecond (JS `Date` keeps milliseconds only) and only in the forms every engine
 * reads the same way. Days and microseconds count from 1970-01-01T00:00:00, the way
 * Polars stores `Date` and `Datetime(us)` values.
 *
 * Accepted: `YYYY-MM-DD`, then optionally `T` (or a space) and `HH:MM`, `:SS`, `.f` with
 * 1 to 6 fractional digits, and a UTC offset (`Z`, `±HH:MM`, `±HHMM`, `±HH`). Years
 * 0001 to 9999; no leap seconds (`:60`); nothing finer than a microsecond, which is the
 * finest unit PostgreSQL and MySQL store.
 * @module
 */

/** A timestamp as written. */
export interface IsoTimestamp {
  /** Microseconds from 1970-01-01T00:00:00 to the written date and time (its wall time). */
  wallMicros: bigint;
  /** The written UTC offset in minutes (`Z` is 0), or undefined when none is written. */
  offsetMinutes?: number;
}

/** Why a text is no timestamp Kontra reads. */
export interface IsoProblem {
  problem: string;
}

/** Microseconds in a day. */
export const MICROS_PER_DAY = 86_400_000_000n;

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The forms accepted, for messages. */
export const ISO_FORMS = "YYYY-MM-DD, optionally followed by THH:MM[:SS[.ffffff]][Z|±HH:MM]";

/** Days from 1970-01-01 to a date written `YYYY-MM-DD`, or a problem. */
export function readIsoDate(text: string): number | IsoProblem {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return { problem: `"${text}" is not a date (YYYY-MM-DD)` };
  return daysOf(text, match[1], match[2], match[3]);
}

/** A timestamp (or a date, read as its midnight), or a problem. */
export function readIsoTimestamp(text: string): IsoTimestamp | IsoProblem {
  const match = TIMESTAMP.exec(text);
  if (!match) return { problem: `"${text}" is not an ISO timestamp (${ISO_FORMS})` };
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction, zone] = match;
  const days = daysOf(text, year, month, day);
  if (typeof days !== "number") return days;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return { problem: `"${text}" has no such time of day` };
  }
  if (fraction !== undefined && fraction.length > 6) {
    return { problem: `"${text}" is finer than a microsecond` };
  }
  const micros = BigInt(days) * MICROS_PER_DAY +
    BigInt(Number(hour) * 3600 + Number(minute) * 60 + Number(second)) * 1_000_000n +
    BigInt((fraction ?? "").padEnd(6, "0"));
  const offset = zone === undefined ? undefined : offsetOf(zone);
  if (offset !== undefined && !(Math.abs(offset) <= 18 * 60)) {
    return { problem: `"${text}" has no such UTC offset (at most ±18:00)` };
  }
  return offset === undefined
    ? { wallMicros: micros }
    : { wallMicros: micros, offsetMinutes: offset };
}

/** True when `value` is a problem rather than a reading. */
export function isProblem(value: unknown): value is IsoProblem {
  return typeof value === "object" && value !== null && "problem" in value;
}

/** The instant a timestamp names, in microseconds from 1970-01-01T00:00:00Z. */
export function utcMicros({ wallMicros, offsetMinutes }: IsoTimestamp): bigint {
  return wallMicros - BigInt(offsetMinutes ?? 0) * 60_000_000n;
}

/** `YYYY-MM-DD` of a day count from 1970-01-01. */
export function formatIsoDate(days: number): string {
  const { year, month, day } = civilOf(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` of microseconds from 1970-01-01T00:00:00. */
export function formatIsoTimestamp(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const seconds = Number(rest / 1_000_000n);
  const fraction = Number(rest % 1_000_000n);
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${
    pad(seconds % 60, 2)
  }.${pad(fraction, 6)}`;
  return `${formatIsoDate(Number(days))} ${time}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** The day count of a checked calendar date, or a problem. */
function daysOf(text: string, year: string, month: string, day: string): number | IsoProblem {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return { problem: `"${text}" has no such date` };
  }
  return daysFromCivil(y, m, d);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) +
    dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilOf(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** `Z`, `+05:30`, `-0800`, `+01` in minutes east of UTC. */
function offsetOf(zone: string): number {
  if (zone === "Z" || zone === "z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(2) || "0");
  // NaN for minutes past 59: no such offset.
  return minutes > 59 ? NaN : sign * (Number(digits.slice(0, 2)) * 60 + minutes);
}
