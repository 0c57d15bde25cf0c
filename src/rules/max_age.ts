/**
 * Ages as a Kontract writes them (`freshness`'s `max_age`): `90m`, `24h`, `7d`, `30s`,
 * `2w`, and sums such as `1h30m` or `2d 12h`, read exactly in microseconds. Python
 * Kontra's forms are read too, so its contracts carry over: the units `s`/`sec`/`second(s)`,
 * `m`/`min`/`minute(s)`, `h`/`hr`/`hour(s)`, `d`/`day(s)`, `w`/`week(s)` in any case,
 * decimals (`1.5h`), spaces between parts. A day is 24 hours and a week 7 days (no
 * calendar). Anything else, and an age of zero, is refused.
 * @module
 */

const MICROS = {
  w: 604_800_000_000n,
  d: 86_400_000_000n,
  h: 3_600_000_000n,
  m: 60_000_000n,
  s: 1_000_000n,
} as const;

type Unit = keyof typeof MICROS;

const UNITS: Record<string, Unit> = {
  s: "s",
  sec: "s",
  second: "s",
  seconds: "s",
  m: "m",
  min: "m",
  minute: "m",
  minutes: "m",
  h: "h",
  hr: "h",
  hour: "h",
  hours: "h",
  d: "d",
  day: "d",
  days: "d",
  w: "w",
  week: "w",
  weeks: "w",
};

// A number (up to 9 digits, with an optional fraction of up to 9) and a unit word.
const PART = /(\d{1,9})(?:\.(\d{1,9}))?\s*([a-z]+)\s*/y;

/** What a `max_age` may look like, for messages. */
export const MAX_AGE_FORMS = "a number and a unit (s, m, h, d, w), e.g. 90m, 24h, 7d or 1h30m";

/** The age in microseconds, or a one-line problem (naming the text, not the field). */
export function readMaxAge(text: string): bigint | { problem: string } {
  const shown = JSON.stringify(text);
  const written = text.trim().toLowerCase();
  if (written === "") return { problem: `an empty age: write ${MAX_AGE_FORMS}` };
  let total = 0n;
  PART.lastIndex = 0;
  while (PART.lastIndex < written.length) {
    const at = PART.lastIndex;
    const match = PART.exec(written);
    if (!match) {
      return { problem: `${shown} is not ${MAX_AGE_FORMS} (at "${written.slice(at)}")` };
    }
    const [, whole, fraction = "", word] = match;
    const unit = UNITS[word];
    if (unit === undefined) {
      return { problem: `${shown} has an unknown unit "${word}": use s, m, h, d or w` };
    }
    const scale = 10n ** BigInt(fraction.length);
    const scaled = BigInt(whole + fraction) * MICROS[unit];
    if (scaled % scale !== 0n) {
      return { problem: `${shown} is finer than a microsecond` };
    }
    total += scaled / scale;
  }
  if (total === 0n) return { problem: `${shown} is zero: give an age above zero` };
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { problem: `${shown} is longer than Kontra reads (about 285 years)` };
  }
  return total;
}

/**
 * A duration in microseconds as `3d 4h 12m 5.5s`: days, hours, minutes and seconds,
 * zero parts left out, exact to the microsecond; `0s` for none.
 */
export function formatAge(micros: bigint): string {
  const parts: string[] = [];
  let rest = micros < 0n ? -micros : micros;
  for (const unit of ["d", "h", "m"] as const) {
    const count = rest / MICROS[unit];
    rest %= MICROS[unit];
    if (count > 0n) parts.push(`${count}${unit}`);
  }
  const seconds = rest / MICROS.s;
  const fraction = String(rest % MICROS.s).padStart(6, "0").replace(/0+$/, "");
  if (seconds > 0n || fraction !== "" || parts.length === 0) {
    parts.push(`${seconds}${fraction === "" ? "" : `.${fraction}`}s`);
  }
  return parts.join(" ");
}
