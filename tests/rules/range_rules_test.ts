/**
 * `range` on every tier: Parquet (footers on and off), CSV, S3, PostgreSQL, the Snowflake
 * test server and MySQL/MariaDB must all give the counts below, known by construction
 * from the frames (each case says why). Then the footer-statistics reading as a pure
 * function, and the param errors (Kontract errors at file:line:col, or naming the rule
 * when only the column's type tells).
 */
import pl from "nodejs-polars";
import { relative } from "node:path";
import { KontractError, validate } from "../../mod.ts";
import type { ColumnInfo, ValueBounds } from "../../src/core/dataset.ts";
import { rangeFromStats, type RangeParams } from "../../src/rules/range.ts";
import { assertEquals, assertRejectsWith } from "../support/assert.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";
import { peopleFrame, tempDir, writeBoth, writeText } from "../support/fixtures.ts";
import { pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";

// ------------------------------------------------------------------ peopleFrame
//
// id      1 … 10 (Int64)
// email   a@x.io, b@x.io, NULL, "", a@x.io, ünï@x.io, NULL, bad, a@x.io, c@x.io
// country US, DE, NULL, US, FR, 日本, US, de, DE, ""
// age     20, 30, NULL, 40, 20, 30, 20, NULL, 99, 30 (Int32; 8 non-null)
// score   1.5, 2.5, 1.5, NULL, 0, -1, 2.5, 3, 4, 5 (Float64; 9 non-null)

const NUMBER_AND_TEXT_CASES: TierCase[] = [
  // Outside [20, 40]: 99.
  { rule: "range", params: { column: "age", min: 20, max: 40 }, failed: 1 },
  // Outside (20, 40): 20 ×3, 40, 99.
  { rule: "range", params: { column: "age", min: 20, max: 40, inclusive: "neither" }, failed: 5 },
  // [20, 40): 40 and 99; (20, 40]: 20 ×3 and 99.
  { rule: "range", params: { column: "age", min: 20, max: 40, inclusive: "left" }, failed: 2 },
  { rule: "range", params: { column: "age", min: 20, max: 40, inclusive: "right" }, failed: 4 },
  // Below 25: 20 ×3.
  { rule: "range", params: { column: "age", min: 25 }, failed: 3 },
  // A bound between integers: above 30.5 are 40 and 99.
  { rule: "range", params: { column: "age", max: 30.5 }, failed: 2 },
  // Bounds written as text, read as numbers: below 21 (20 ×3) and above 98.5 (99).
  { rule: "range", params: { column: "age", min: "21", max: "98.5" }, failed: 4 },
  // No integer lies in [2.2, 2.8]: every non-null age (8) is outside.
  { rule: "range", params: { column: "age", min: 2.2, max: 2.8 }, failed: 8 },
  // Bounds beyond Int32 in either direction: nothing is outside, or everything is.
  { rule: "range", params: { column: "age", min: -1e30, max: 1e30 }, failed: 0 },
  { rule: "range", params: { column: "age", min: 1e30 }, failed: 8 },
  // Int64 ids (1 … 10) outside (3, 8): 1, 2, 3, 8, 9, 10.
  { rule: "range", params: { column: "id", min: 3, max: 8, inclusive: "neither" }, failed: 6 },
  // Floats outside [0, 3]: -1, 4, 5; [0, 3) adds 3; (0, 5) is missing 0, -1, 5.
  { rule: "range", params: { column: "score", min: 0, max: 3 }, failed: 3 },
  { rule: "range", params: { column: "score", min: 0, max: 3, inclusive: "left" }, failed: 4 },
  { rule: "range", params: { column: "score", min: 0, max: 5, inclusive: "neither" }, failed: 3 },
  { rule: "range", params: { column: "score", min: "-0.5" }, failed: 1 },
  // Text in byte order: "" is below "A", and "de" and 日本 above "Z" (lower case and
  // CJK come after upper-case ASCII). US ×3, DE ×2 and FR are inside.
  { rule: "range", params: { column: "country", min: "A", max: "Z" }, failed: 3 },
  // Above "b": b@x.io ("b" is a prefix of it), bad, c@x.io, ünï@x.io; "" and a@x.io ×3
  // are below.
  { rule: "range", params: { column: "email", max: "b" }, failed: 4 },
  // Inclusive at a text bound: "US" is the max, so nothing is above it but 日本 and de.
  { rule: "range", params: { column: "country", max: "US" }, failed: 2 },
  { rule: "range", params: { column: "country", max: "US", inclusive: "left" }, failed: 5 },
  // Limited by `when:` to the US rows (1, 4, 7: ages 20, 40, 20): below 25 are rows 1 and 7.
  { rule: "range", params: { column: "age", min: 25 }, when: "country = 'US'", failed: 2 },
  // Within a tolerance of 2: 40 and 99 are above 30.5, and the rule passes.
  {
    rule: "range",
    params: { column: "age", max: 30.5 },
    tolerance: { max_failed: 2 },
    failed: 2,
    passed: true,
  },
];

testEveryTier("range on numbers and text", peopleFrame, NUMBER_AND_TEXT_CASES);

// ------------------------------------------------------------------ eventsFrame
//
// (see tests/support/events_frame.ts; `at_utc` holds the instants whose UTC times are `at`)
// day     2024-01-01, 2024-01-15, 2024-01-31, NULL, 2024-02-01, 2023-12-31, 2024-01-15,
//         2024-03-01
// at      2024-01-01 08:00, 2024-01-15 12:30, 2024-01-31 23:59:59.999999, NULL,
//         2024-02-01 00:00, 2023-12-31 23:00, 2024-01-15 06:15, 2024-03-01 06:00

// CSV has no date or timestamp type: Polars reads these columns as text, and `range` then
// compares text. These bounds are written so that text order and time order agree (ISO
// dates; timestamps with `T`, as Polars writes them, and no value equal to a bound with
// a UTC offset), so CSV gives the same counts.
const DATE_CASES: TierCase[] = [
  // Outside [2024-01-01, 2024-01-31]: 2024-02-01, 2023-12-31, 2024-03-01.
  { rule: "range", params: { column: "day", min: "2024-01-01", max: "2024-01-31" }, failed: 3 },
  // Open at both ends the bounds themselves are outside too: + 2024-01-01, 2024-01-31.
  {
    rule: "range",
    params: { column: "day", min: "2024-01-01", max: "2024-01-31", inclusive: "neither" },
    failed: 5,
  },
  // [01-01, 01-31): 01-31, 02-01, 12-31, 03-01; (01-01, 01-31]: 01-01, 02-01, 12-31, 03-01.
  {
    rule: "range",
    params: { column: "day", min: "2024-01-01", max: "2024-01-31", inclusive: "left" },
    failed: 4,
  },
  {
    rule: "range",
    params: { column: "day", min: "2024-01-01", max: "2024-01-31", inclusive: "right" },
    failed: 4,
  },
  // Before 2024-01-15: 2024-01-01, 2023-12-31. After 2024-02-01: 2024-03-01.
  { rule: "range", params: { column: "day", min: "2024-01-15" }, failed: 2 },
  { rule: "range", params: { column: "day", max: "2024-02-01" }, failed: 1 },
  // A date on a timestamp column is its midnight: before it, 2023-12-31 23:00.
  { rule: "range", params: { column: "at", min: "2024-01-01" }, failed: 1 },
  // To the microsecond: after 2024-01-31 23:59:59.999999 are 02-01 00:00 and 03-01 06:00;
  // with the max excluded, the value equal to it too.
  { rule: "range", params: { column: "at", max: "2024-01-31T23:59:59.999999" }, failed: 2 },
  {
    rule: "range",
    params: { column: "at", max: "2024-01-31T23:59:59.999999", inclusive: "left" },
    failed: 3,
  },
  // Instants in [01-15 12:00Z, 02-01 12:00Z]: 12:30, 01-31 23:59, 02-01 00:00; outside:
  // 01-01 08:00, 12-31 23:00, 01-15 06:15, 03-01 06:00.
  {
    rule: "range",
    params: { column: "at_utc", min: "2024-01-15T12:00:00Z", max: "2024-02-01T12:00:00Z" },
    failed: 4,
  },
];

testEveryTier("range on dates and timestamps", eventsFrame, DATE_CASES);

// Bounds equal to a value, with offsets or other spellings: only typed columns compare them
// as times.
const TIMESTAMP_CASES: TierCase[] = [
  // [01-15 06:15Z, 02-01 00:00Z] holds both ends: outside are 01-01, 12-31, 03-01.
  {
    rule: "range",
    params: { column: "at_utc", min: "2024-01-15T06:15:00Z", max: "2024-02-01T00:00:00+00:00" },
    failed: 3,
  },
  // Without the ends: + 01-15 06:15 and 02-01 00:00.
  {
    rule: "range",
    params: {
      column: "at_utc",
      min: "2024-01-15T06:15:00Z",
      max: "2024-02-01T00:00:00+00:00",
      inclusive: "neither",
    },
    failed: 5,
  },
  // An offset names an instant: 18:59:59.999999-05:00 is 23:59:59.999999Z. After it:
  // 02-01 00:00 and 03-01; excluding it, the value equal to it too.
  {
    rule: "range",
    params: { column: "at_utc", max: "2024-01-31T18:59:59.999999-05:00" },
    failed: 2,
  },
  {
    rule: "range",
    params: { column: "at_utc", max: "2024-01-31T18:59:59.999999-0500", inclusive: "left" },
    failed: 3,
  },
  // 09:00+01:00 is 08:00Z: before it only 12-31 23:00; excluding it, 01-01 08:00 too.
  { rule: "range", params: { column: "at_utc", min: "2024-01-01T09:00+01:00" }, failed: 1 },
  {
    rule: "range",
    params: { column: "at_utc", min: "2024-01-01T09:00+01", inclusive: "right" },
    failed: 2,
  },
  // A space instead of T, no seconds: before 01-15 06:15 are 01-01 08:00 and 12-31 23:00.
  { rule: "range", params: { column: "at", min: "2024-01-15 06:15" }, failed: 2 },
  // One microsecond below a value: 01-31 23:59:59.999999, 02-01, 03-01 are above.
  { rule: "range", params: { column: "at", max: "2024-01-31T23:59:59.999998" }, failed: 3 },
  // A date on a column of instants is its midnight UTC: after it, 01-31 23:59, 02-01, 03-01.
  { rule: "range", params: { column: "at_utc", max: "2024-01-31" }, failed: 3 },
];

testEveryTier("range on typed timestamps", eventsFrame, TIMESTAMP_CASES, {
  skip: {
    csv: "CSV has no timestamp type: Polars reads these columns as text, compared as text",
  },
});

// ------------------------------------------------------------------ NaN and infinities

/** x: 1, NaN, inf, -inf, NULL, 0.5. */
function floatsFrame() {
  return pl.DataFrame({ x: [1, NaN, Infinity, -Infinity, null, 0.5] });
}

const NAN_CASES: TierCase[] = [
  // NaN is above every number, +inf included: above 10 are NaN and inf.
  { rule: "range", params: { column: "x", max: 10 }, failed: 2 },
  // With only a min, NaN is inside: below 0 is -inf alone.
  { rule: "range", params: { column: "x", min: 0 }, failed: 1 },
  // Outside [-1e308, 1e308]: NaN, inf, -inf.
  { rule: "range", params: { column: "x", min: -1e308, max: 1e308 }, failed: 3 },
];

testEveryTier("range with NaN and infinities", floatsFrame, NAN_CASES, {
  skip: { mysql: "MySQL's DOUBLE holds neither NaN nor infinities" },
});

// ------------------------------------------------------------------ footer statistics

/** Statistics of a column with `nulls` NULLs among `rows`, and these exact bounds. */
function stats(rows: number, nulls: number | undefined, bounds?: ValueBounds) {
  return {
    rows,
    nullCount: () => nulls,
    bounds: () => bounds,
  };
}

function range(column: string, params: Partial<RangeParams>): RangeParams {
  return { column, inclusive: "both", ...params };
}

Deno.test("range from footer statistics: inside, outside, or undecided", () => {
  const age: ColumnInfo = { name: "age", dtype: "Int32" };
  const ages = stats(10, 2, { min: 20, max: 99 });
  // Every value in [20, 99]: inside [0, 100] and [20, 99]; outside (99, …) and (…, 20).
  assertEquals(rangeFromStats(range("age", { min: 0, max: 100 }), age, ages), 0);
  assertEquals(rangeFromStats(range("age", { min: 20, max: 99 }), age, ages), 0);
  assertEquals(rangeFromStats(range("age", { min: 99, inclusive: "neither" }), age, ages), 8);
  assertEquals(rangeFromStats(range("age", { max: 20, inclusive: "left" }), age, ages), 8);
  assertEquals(rangeFromStats(range("age", { min: 100 }), age, ages), 8);
  // The bounds straddle: only a scan can count.
  assertEquals(rangeFromStats(range("age", { min: 30 }), age, ages), undefined);
  assertEquals(
    rangeFromStats(range("age", { min: 20, inclusive: "neither" }), age, ages),
    undefined,
  );
  // Missing statistics decide nothing; an all-NULL column has nothing outside.
  assertEquals(rangeFromStats(range("age", { min: 0 }), age, stats(10, undefined)), undefined);
  assertEquals(rangeFromStats(range("age", { min: 0 }), age, stats(10, 2)), undefined);
  assertEquals(rangeFromStats(range("age", { min: 50 }), age, stats(10, 10)), 0);

  // Floats (bounds exist only where no NaN can hide, see parquet_bounds.ts).
  const score: ColumnInfo = { name: "score", dtype: "Float64" };
  const scores = stats(10, 1, { min: -1, max: 5 });
  assertEquals(rangeFromStats(range("score", { min: -2 }), score, scores), 0);
  assertEquals(rangeFromStats(range("score", { min: -2, max: 10 }), score, scores), 0);
  assertEquals(rangeFromStats(range("score", { min: -2, max: 4.5 }), score, scores), undefined);
  assertEquals(rangeFromStats(range("score", { min: 5.5 }), score, scores), 9);

  // Text by code point: "B" < "a", and U+1F600 after U+FFFD (UTF-16 units would not say so).
  const name: ColumnInfo = { name: "name", dtype: "String" };
  assertEquals(
    rangeFromStats(range("name", { min: "B" }), name, stats(3, 0, { min: "a", max: "z" })),
    0,
  );
  assertEquals(
    rangeFromStats(range("name", { max: "\ufffd" }), name, stats(3, 0, { min: "😀", max: "😀" })),
    3,
  );
  // Bounds of another type than the column's decide nothing.
  assertEquals(
    rangeFromStats(range("name", { min: "B" }), name, stats(3, 0, { min: 1, max: 2 })),
    undefined,
  );

  // Dates as days since 1970, timestamps as microseconds (UTC for instants).
  const day: ColumnInfo = { name: "day", dtype: "Date" };
  const january = stats(5, 0, { min: 19723, max: 19753 }); // 2024-01-01 … 2024-01-31
  assertEquals(
    rangeFromStats(range("day", { min: "2024-01-01", max: "2024-01-31" }), day, january),
    0,
  );
  assertEquals(rangeFromStats(range("day", { min: "2024-02-01" }), day, january), 5);
  assertEquals(
    rangeFromStats(range("day", { max: "2024-01-31", inclusive: "neither" }), day, january),
    undefined,
  );
  const at: ColumnInfo = { name: "at", dtype: "Datetime", timeUnit: "us", timeZone: "UTC" };
  const noon = 1_704_110_400_000_000; // 2024-01-01T12:00:00Z
  const noons = stats(2, 0, { min: noon, max: noon });
  assertEquals(rangeFromStats(range("at", { min: "2024-01-01T13:00:00+01:00" }), at, noons), 0);
  assertEquals(
    rangeFromStats(
      range("at", { min: "2024-01-01T13:00:00+01:00", inclusive: "right" }),
      at,
      noons,
    ),
    2,
  );
  // A wall-clock column reads the same microseconds as its wall time.
  const naive: ColumnInfo = { name: "at", dtype: "Datetime", timeUnit: "ns" };
  assertEquals(rangeFromStats(range("at", { max: "2024-01-01T12:00:00" }), naive, noons), 0);
  assertEquals(rangeFromStats(range("at", { max: "2024-01-01T11:59:59.999999" }), naive, noons), 2);
});

// ------------------------------------------------------------------ param errors

/** How the loader names a file in messages: relative to the working directory. */
function label(path: string): string {
  return relative(Deno.cwd(), path);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("range: bad params are Kontract errors at the param's file:line:col", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  // Each rule's params are line 5 of its Kontract, from column 13 (`    params: `).
  const cases: { params: string; at: string; error: string }[] = [
    {
      params: "{ column: age, min: 5, max: 3 }",
      at: "",
      error: "rules[0].params: min (5) is greater than max (3)",
    },
    {
      params: "{ column: age, min: 5, max: 5, inclusive: left }",
      at: "",
      error: 'rules[0].params: min and max are both 5 and inclusive is "left": ' +
        "no value can be inside",
    },
    { params: "{ column: age }", at: "", error: "rules[0].params: needs min, max or both" },
    {
      params: "{ column: age, min: 1, inclusive: open }",
      at: "open",
      error:
        'rules[0].params.inclusive: Invalid option: expected one of "both"|"left"|"right"|"neither"',
    },
    {
      params: "{ column: age, max: .inf }",
      at: ".inf",
      error: "rules[0].params.max: Invalid input",
    },
    {
      params: "{ column: age, min: [1] }",
      at: "[1]",
      error: "rules[0].params.min: Invalid input",
    },
  ];
  for (const [index, { params, at, error }] of cases.entries()) {
    const path = await writeText(
      dir.path,
      `case${index}.yml`,
      `name: t\ndatasource: ${parquet}\nrules:\n  - name: range\n    params: ${params}\n`,
    );
    const column = 13 + (at === "" ? 0 : params.indexOf(at));
    await assertRejectsWith(
      validate(path),
      KontractError,
      new RegExp(`^${escapeRegExp(`${label(path)}:5:${column}: ${error}`)}`),
      2,
    );
  }
});

Deno.test("range: bounds the column's type cannot read are Kontract errors naming the rule", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  const cases: [Record<string, unknown>, string][] = [
    [{ column: "id", min: "abc" }, 'min "abc" is not a finite number, and column "id" is Int64'],
    [
      { column: "id", max: "inf" },
      'max "inf" is not a finite number, and column "id" is Int64',
    ],
    [
      { column: "day", min: "2024-02-30" },
      'min "2024-02-30" has no such date, and column "day" is Date',
    ],
    [
      { column: "day", min: "2024-01-01T00:00:00" },
      'min "2024-01-01T00:00:00" is not a date (YYYY-MM-DD), and column "day" is Date',
    ],
    [{ column: "day", min: 5 }, 'min 5 is not a date (YYYY-MM-DD), and column "day" is Date'],
    [
      { column: "at", min: "2024-01-01T00:00:00Z" },
      'min "2024-01-01T00:00:00Z" names an instant (it has a UTC offset), and column "at" is ' +
      "Datetime (no time zone) without a time zone: write its wall time without the offset",
    ],
    [
      { column: "at_utc", max: "2024-01-01T00:00:00.0000001" },
      'max "2024-01-01T00:00:00.0000001" is finer than a microsecond, and column "at_utc" is ' +
      "Datetime (UTC)",
    ],
    [
      { column: "at_utc", max: "2024-01-01T24:00" },
      'max "2024-01-01T24:00" has no such time of day, and column "at_utc" is Datetime (UTC)',
    ],
    [
      { column: "day", min: "2024-02-01", max: "2024-01-01" },
      'min ("2024-02-01") is greater than max ("2024-01-01")',
    ],
  ];
  for (const [params, problem] of cases) {
    await assertRejectsWith(
      validate({ name: "t", datasource: parquet, rules: [{ name: "range", params }] }),
      KontractError,
      new RegExp(`^<kontract>: COL:${params.column}:range: ${escapeRegExp(problem)}$`),
      2,
    );
  }
  const people = writeBoth(peopleFrame(), dir.path, "people").parquet;
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: people,
      rules: [{ name: "range", params: { column: "country", min: 5 } }],
    }),
    KontractError,
    new RegExp(
      escapeRegExp(
        'min 5 is a number, and column "country" is String: write it as text ("5") to compare ' +
          "as text, byte for byte",
      ),
    ),
    2,
  );
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: people,
      rules: [{ name: "range", params: { column: "active", min: 0 } }],
    }),
    KontractError,
    /range cannot check column "active" of type Bool: it orders numbers, text, dates and timestamps/,
    2,
  );
});

// ------------------------------------------------------------------ units, zones, collations

Deno.test("range compares timestamps in each column's own unit and zone (Parquet)", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/units.parquet`;
  // ns: 1 ns, 1000 ns (1 µs), 1500 ns. ms: 0, 1, 2 ms. berlin: instants 00:00Z and 01:00Z.
  pl.DataFrame({ ns: [1, 1000, 1500], ms: [0, 1, 2], berlin: [0, 3_600_000_000, null] }).select(
    pl.col("ns").cast(pl.Int64).cast(pl.Datetime("ns")),
    pl.col("ms").cast(pl.Int64).cast(pl.Datetime("ms")),
    pl.col("berlin").cast(pl.Int64).cast(pl.Datetime("us", "Europe/Berlin")),
  ).writeParquet(path);
  const cases: [Record<string, unknown>, number][] = [
    // Above 1 µs: 1500 ns (a microsecond literal must not cut nanoseconds off).
    [{ column: "ns", max: "1970-01-01T00:00:00.000001" }, 1],
    // Excluding 1 µs: 1000 ns too; above-or-at 1 µs excluded from below: 1 ns and 1000 ns.
    [{ column: "ns", max: "1970-01-01T00:00:00.000001", inclusive: "left" }, 2],
    [{ column: "ns", min: "1970-01-01T00:00:00.000001", inclusive: "right" }, 2],
    // Milliseconds with microsecond bounds: below 0.5 ms is 0 ms; above 1.5 ms is 2 ms;
    // strictly inside (1 ms, 2 ms) nothing is, so all 3 are outside.
    [{ column: "ms", min: "1970-01-01T00:00:00.0005" }, 1],
    [{ column: "ms", max: "1970-01-01T00:00:00.0015" }, 1],
    [{
      column: "ms",
      min: "1970-01-01T00:00:00.001",
      max: "1970-01-01T00:00:00.002",
      inclusive: "neither",
    }, 3],
    // A Europe/Berlin column of instants: 01:00+01:00 is 00:00Z, so after it is 01:00Z.
    [{ column: "berlin", max: "1970-01-01T01:00:00+01:00" }, 1],
    [{ column: "berlin", min: "1970-01-01T00:30:00Z" }, 1],
  ];
  for (const metadata of [true, false]) {
    const result = await validate({
      name: "units",
      datasource: path,
      rules: cases.map(([params], index) => ({ name: "range", params, id: `r${index}` })),
    }, { metadata });
    assertEquals(
      result.results.map((rule) => rule.failed_count),
      cases.map(([, failed]) => failed),
      `metadata ${metadata}`,
    );
  }
});

Deno.test(
  pgTest("range and compare order PostgreSQL text by bytes, whatever the column's collation"),
  async () => {
    const postgres = requirePostgres();
    await using schema = await tempSchema(postgres);
    const table = `"${schema.name}".words`;
    // Under en-x-icu, "a" < "B" < "Z"; by bytes "B" < "Z" < "a".
    await postgres.sql.unsafe(
      `CREATE TABLE ${table} (word text COLLATE "en-x-icu", other text COLLATE "en-x-icu")`,
    );
    await postgres.sql.unsafe(`INSERT INTO ${table} VALUES ('a', 'B'), ('B', 'a'), ('Z', 'Z')`);
    const result = await validate({
      name: "collation",
      datasource: `${postgres.url}/${schema.name}.words`,
      rules: [
        // Above "Z" by bytes: "a" only.
        { name: "range", params: { column: "word", max: "Z" }, id: "range" },
        // word < other holds by bytes on row 2 ("B" < "a") only: rows 1 and 3 fail.
        { name: "compare", params: { left: "word", op: "<", right: "other" }, id: "compare" },
      ],
    }, { env: {} });
    assertEquals(result.results.map((rule) => rule.failed_count), [1, 2]);
  },
);

Deno.test("range answers from Parquet footers when they decide it", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  const people = writeBoth(peopleFrame(), dir.path, "people").parquet;
  const cases: [string, Record<string, unknown>, number, string][] = [
    // Every day in [2023-12-31, 2024-03-01]: inside [2023-01-01, 2025-01-01] (0) and
    // below 2025-01-01 (all 7 non-null days outside a min of 2025-01-01).
    [parquet, { column: "day", min: "2023-01-01", max: "2025-01-01" }, 0, "metadata"],
    [parquet, { column: "day", min: "2025-01-01" }, 7, "metadata"],
    // 2024-01-01 falls between the smallest and largest day: the scan counts (2023-12-31).
    [parquet, { column: "day", min: "2024-01-01" }, 1, "scan"],
    [parquet, { column: "at_utc", max: "2030-01-01T00:00:00Z" }, 0, "metadata"],
    [people, { column: "age", min: 100 }, 8, "metadata"],
    [people, { column: "score", min: -5, max: 10 }, 0, "metadata"],
    [people, { column: "country", min: "" }, 0, "metadata"],
    // ünï@x.io is above "zzz" (ü is U+00FC): the footers' max says some are outside.
    [people, { column: "email", max: "zzz" }, 1, "scan"],
  ];
  for (const [datasource, params, failed, tier] of cases) {
    const result = await validate({ name: "t", datasource, rules: [{ name: "range", params }] });
    const [rule] = result.results;
    assertEquals(
      [rule.failed_count, rule.execution_source],
      [failed, tier],
      JSON.stringify(params),
    );
  }
});
