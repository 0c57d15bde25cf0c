/**
 * `compare` on every tier (Parquet with footers on and off, CSV, S3, PostgreSQL, the
 * Snowflake test server, MySQL/MariaDB): counts known by construction from the frames.
 * Then the columns it refuses to compare, and a missing right column.
 */
import pl from "nodejs-polars";
import { KontractError, validate } from "../../mod.ts";
import { assertEquals, assertRejectsWith } from "../support/assert.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";

// ------------------------------------------------------------------ peopleFrame
//
// row     1       2       3     4     5       6         7     8     9       10
// id      1       2       3     4     5       6         7     8     9       10
// age     20      30      NULL  40    20      30        20    NULL  99      30
// score   1.5     2.5     1.5   NULL  0       -1        2.5   3     4       5
// email   a@x.io  b@x.io  NULL  ""    a@x.io  ünï@x.io  NULL  bad   a@x.io  c@x.io
// country US      DE      NULL  US    FR      日本      US    de    DE      ""

const PEOPLE_CASES: TierCase[] = [
  // Every set age is above its id (20 > 1 … 30 > 10): nothing fails.
  { rule: "compare", params: { left: "age", op: ">", right: "id" }, failed: 0 },
  // Int32 against Float64, both set on rows 1, 2, 5, 6, 7, 9, 10: no age is below its
  // score.
  { rule: "compare", params: { left: "age", op: "<", right: "score" }, failed: 7 },
  // A float against an integer: only rows 1 (1.5 >= 1) and 2 (2.5 >= 2) hold, of the 9
  // rows with a score.
  { rule: "compare", params: { left: "score", op: ">=", right: "id" }, failed: 7 },
  // `==` is `=`: no set age equals its id (8 rows with an age).
  { rule: "compare", params: { left: "age", op: "==", right: "id" }, failed: 8 },
  // No set age equals its id, so `!=` holds everywhere; a column always equals itself.
  { rule: "compare", params: { left: "age", op: "!=", right: "id" }, failed: 0 },
  { rule: "compare", params: { left: "score", op: "!=", right: "score" }, failed: 9 },
  { rule: "compare", params: { left: "id", op: "=", right: "id" }, failed: 0 },
  // Text byte for byte, on rows where both are set (1, 2, 4, 5, 6, 8, 9, 10): "" < US,
  // ü (U+00FC) < 日, b < d hold; a@x.io < US fails (a is after U), and so on for rows 2,
  // 5, 9; c@x.io < "" fails. A case-folding collation would let a@x.io < US hold.
  { rule: "compare", params: { left: "email", op: "<", right: "country" }, failed: 5 },
  // The same relation turned around (no two are equal): the same 5 rows fail.
  { rule: "compare", params: { left: "country", op: ">=", right: "email" }, failed: 5 },
];

testEveryTier("compare on numbers and text", peopleFrame, PEOPLE_CASES);

// ------------------------------------------------------------------ eventsFrame
//
// row  day         at (naive)            at_utc (UTC)   until (naive)     until_utc (UTC)
// 1    2024-01-01  01-01 08:00           same instant   01-01 09:00       01-01 09:00
// 2    2024-01-15  01-15 12:30           same instant   01-15 12:30       01-15 12:00
// 3    2024-01-31  01-31 23:59:59.999999 same instant   NULL              02-01 00:00
// 4    NULL        NULL                  NULL           02-01 10:00       NULL
// 5    2024-02-01  02-01 00:00           same instant   01-31 00:00       02-02 00:00
// 6    2023-12-31  12-31 23:00           same instant   01-01 01:00       01-01 01:00
// 7    2024-01-15  01-15 06:15           same instant   01-16 00:00       01-16 00:00
// 8    2024-03-01  03-01 06:00           same instant   03-01 05:59:59    03-01 05:59:59

const EVENT_CASES: TierCase[] = [
  // until >= at, both set on rows 1, 2, 5, 6, 7, 8: fails on 5 and 8.
  { rule: "compare", params: { left: "until", op: ">=", right: "at" }, failed: 2 },
  // Strictly after: row 2 (equal) fails too.
  { rule: "compare", params: { left: "until", op: ">", right: "at" }, failed: 3 },
  // Instants, both set on rows 1, 2, 3, 5, 6, 7, 8: fails on 2 (12:00 < 12:30) and 8.
  { rule: "compare", params: { left: "until_utc", op: ">", right: "at_utc" }, failed: 2 },
  { rule: "compare", params: { left: "at_utc", op: "<", right: "until_utc" }, failed: 2 },
  // Equal on row 2 only (12:30) among the rows with both.
  { rule: "compare", params: { left: "at", op: "!=", right: "until" }, failed: 1 },
  // Limited to days before February (rows 1, 2, 3, 6, 7): the failing rows 5 and 8 are not
  // among them.
  {
    rule: "compare",
    params: { left: "until", op: ">=", right: "at" },
    when: "day < '2024-02-01'",
    failed: 0,
  },
  // A date is its midnight: no day is after its `at` (row 5 is equal).
  { rule: "compare", params: { left: "day", op: "<=", right: "at" }, failed: 0 },
];

testEveryTier("compare on dates and timestamps", eventsFrame, EVENT_CASES);

const TYPED_EVENT_CASES: TierCase[] = [
  // Row 5: 2024-02-01 equals 2024-02-01 00:00, so "<" fails there.
  { rule: "compare", params: { left: "day", op: "<", right: "at" }, failed: 1 },
  { rule: "compare", params: { left: "at", op: ">", right: "day" }, failed: 1 },
];

testEveryTier("compare on typed dates and timestamps", eventsFrame, TYPED_EVENT_CASES, {
  skip: {
    csv: "CSV has no date or timestamp type: Polars reads these columns as text, " +
      "and a date is a prefix of its midnight's text",
  },
});

// ------------------------------------------------------------------ refusals

Deno.test("compare refuses columns it cannot compare alike on every tier", async () => {
  await using dir = await tempDir();
  const events = writeBoth(eventsFrame(), dir.path, "events").parquet;
  const people = writeBoth(peopleFrame(), dir.path, "people").parquet;
  const cases: [string, Record<string, unknown>, string][] = [
    [
      events,
      { left: "at", op: "<", right: "at_utc" },
      'compare cannot check at < at_utc: "at" is Datetime (no time zone) and "at_utc" is ' +
      "Datetime (UTC): an instant compares only with an instant (a date or a time without " +
      "a time zone names none)",
    ],
    [
      events,
      { left: "day", op: "=", right: "until_utc" },
      'compare cannot check day = until_utc: "day" is Date and "until_utc" is Datetime (UTC)',
    ],
    [
      people,
      { left: "age", op: "<", right: "email" },
      'compare cannot check age < email: "age" is Int32 and "email" is String: both must be ' +
      "numbers, text, or dates and timestamps",
    ],
    [
      people,
      { left: "active", op: "=", right: "active" },
      'compare cannot check active = active: "active" is Bool; it compares numbers, text, ' +
      "dates and timestamps",
    ],
  ];
  for (const [datasource, params, problem] of cases) {
    await assertRejectsWith(
      validate({ name: "t", datasource, rules: [{ name: "compare", params }] }),
      KontractError,
      new RegExp(`^<kontract>: COL:${params.left}:compare: ${escapeRegExp(problem)}`),
      2,
    );
  }
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: people,
      rules: [{ name: "compare", params: { left: "age", op: "~", right: "id" } }],
    }),
    KontractError,
    /params\.op: Invalid option/,
    2,
  );
});

Deno.test("compare with a missing right column fails like a missing column", async () => {
  await using dir = await tempDir();
  const people = writeBoth(peopleFrame(), dir.path, "people").parquet;
  const result = await validate({
    name: "t",
    datasource: people,
    rules: [{ name: "compare", params: { left: "age", op: "<", right: "agee" } }],
  });
  const [rule] = result.results;
  // The id is about the left column; every row (10) fails, as on a missing column.
  assertEquals(
    [rule.rule_id, rule.column, rule.failed_count, rule.passed, rule.message],
    [
      "COL:age:compare",
      "age",
      10,
      false,
      'column "agee" not found in the data (did you mean "age"?)',
    ],
  );
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("compare: instants in other zones and units compare as instants (Parquet)", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/zones.parquet`;
  // utc (µs) and berlin (ms, Europe/Berlin) hold the same instants: 00:00Z and 01:00Z.
  pl.DataFrame({ x: [0, 3_600_000] }).select(
    pl.col("x").cast(pl.Int64).mul(1000).cast(pl.Datetime("us", "UTC")).alias("utc"),
    pl.col("x").cast(pl.Int64).cast(pl.Datetime("ms", "Europe/Berlin")).alias("berlin"),
  ).writeParquet(path);
  const result = await validate({
    name: "zones",
    datasource: path,
    rules: [
      { name: "compare", params: { left: "utc", op: "=", right: "berlin" }, id: "a" },
      { name: "compare", params: { left: "berlin", op: "=", right: "utc" }, id: "b" },
      { name: "compare", params: { left: "utc", op: "<", right: "berlin" }, id: "c" },
    ],
  });
  assertEquals(result.results.map((rule) => rule.failed_count), [0, 0, 2]);
});
