/**
 * `not_null` with `treat_as_null`, and `dtype`'s `datetime_tz` / `datetime_naive`, on every
 * tier (Parquet with footers on and off, CSV, S3, PostgreSQL, the Snowflake test server,
 * MySQL/MariaDB): counts known by construction from the frames.
 */
import { KontractError, validate } from "../../mod.ts";
import { typeMatches } from "../../src/rules/type_families.ts";
import { assertEquals, assertRejectsWith } from "../support/assert.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";

// ------------------------------------------------------------------ peopleFrame
//
// email   a@x.io, b@x.io, NULL, "", a@x.io, ünï@x.io, NULL, bad, a@x.io, c@x.io
// country US, DE, NULL, US, FR, 日本, US, de, DE, ""
// age     20, 30, NULL, 40, 20, 30, 20, NULL, 99, 30 (Int32)
// score   1.5, 2.5, 1.5, NULL, 0, -1, 2.5, 3, 4, 5 (Float64)
// active  true, false, true, NULL, true, true, false, true, true, true

/** `count` distinct numbers that no column holds. */
function absentNumbers(count: number): number[] {
  return Array.from({ length: count }, (_, index) => 1000 + index);
}

const NOT_NULL_CASES: TierCase[] = [
  // 2 NULLs and the empty string.
  { rule: "not_null", params: { column: "email", treat_as_null: [""] }, failed: 3 },
  // 1 NULL, "" and "de" (exact: DE ×2 are not "de"); nothing is "N/A".
  { rule: "not_null", params: { column: "country", treat_as_null: ["", "N/A", "de"] }, failed: 3 },
  // 2 NULLs and 99 ("99" read as the integer); "N/A" can be no Int32, and no age is -1.
  { rule: "not_null", params: { column: "age", treat_as_null: ["N/A", -1, "99"] }, failed: 3 },
  // 1 NULL and 0; "nan" reads as NaN, which no score is.
  { rule: "not_null", params: { column: "score", treat_as_null: [0, "nan"] }, failed: 2 },
  // 1 NULL and false ×2.
  { rule: "not_null", params: { column: "active", treat_as_null: [false] }, failed: 3 },
  // Where age is set (rows 1, 2, 4, 5, 6, 7, 9, 10): "" on row 4 and NULL on row 7.
  {
    rule: "not_null",
    params: { column: "email", treat_as_null: [""] },
    when: "age IS NOT NULL",
    failed: 2,
  },
  // An empty list is plain not_null (and footer statistics can answer it): 1 NULL.
  { rule: "not_null", params: { column: "country", treat_as_null: [] }, failed: 1 },
  // Long lists take the other membership paths (one regex for text, a join for numbers):
  // the 2 NULLs and "" / the 2 NULLs and 20 ×3.
  {
    rule: "not_null",
    params: { column: "email", treat_as_null: [...absentNumbers(17).map(String), ""] },
    failed: 3,
  },
  {
    rule: "not_null",
    params: { column: "age", treat_as_null: [...absentNumbers(17), 20] },
    failed: 5,
  },
];

testEveryTier("not_null with treat_as_null", peopleFrame, NOT_NULL_CASES);

const EVENT_NOT_NULL_CASES: TierCase[] = [
  // A date by its text form: 1 NULL and 2023-12-31.
  { rule: "not_null", params: { column: "day", treat_as_null: ["2023-12-31"] }, failed: 2 },
];

testEveryTier("not_null with treat_as_null on dates", eventsFrame, EVENT_NOT_NULL_CASES);

Deno.test("not_null with treat_as_null refuses List columns before reading a row", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/nested.parquet`;
  const { default: pl } = await import("nodejs-polars");
  pl.DataFrame({ tags: [["a"], ["b", "c"]] }).writeParquet(path);
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: path,
      rules: [{ name: "not_null", params: { column: "tags", treat_as_null: ["a"] } }],
    }),
    KontractError,
    /^<kontract>: COL:tags:not_null: not_null with treat_as_null cannot check column "tags"/,
    2,
  );
  // Without values to compare, a List column's NULLs are counted as ever.
  const result = await validate({
    name: "t",
    datasource: path,
    rules: [{ name: "not_null", params: { column: "tags" } }],
  });
  assertEquals(result.results[0].failed_count, 0);
});

// ------------------------------------------------------------------ dtype
//
// eventsFrame: day Date, at Datetime (no time zone), at_utc Datetime (UTC); 8 rows. A
// failing dtype rule fails every row (8).

const DTYPE_CASES: TierCase[] = [
  { rule: "dtype", params: { column: "at", type: "datetime_naive" }, failed: 0 },
  { rule: "dtype", params: { column: "at", type: "datetime_tz" }, failed: 8 },
  { rule: "dtype", params: { column: "at", type: "datetime" }, failed: 0 },
  { rule: "dtype", params: { column: "at_utc", type: "datetime_tz" }, failed: 0 },
  { rule: "dtype", params: { column: "at_utc", type: "DATETIME_NAIVE" }, failed: 8 },
  { rule: "dtype", params: { column: "at_utc", type: "timestamp" }, failed: 0 },
  { rule: "dtype", params: { column: "day", type: "datetime_naive" }, failed: 8 },
  { rule: "dtype", params: { column: "day", type: "date" }, failed: 0 },
];

testEveryTier(
  "dtype tells timestamps with and without a time zone apart",
  eventsFrame,
  DTYPE_CASES,
  {
    skip: { csv: "CSV has no timestamp type: Polars reads these columns as text" },
  },
);

Deno.test("dtype names and messages for the two kinds of timestamp", async () => {
  assertEquals(
    [
      typeMatches("datetime_tz", "Datetime", "UTC"),
      typeMatches("datetime_tz", "Datetime", "Europe/Berlin"),
      typeMatches("datetime_tz", "Datetime"),
      typeMatches("datetime_naive", "Datetime"),
      typeMatches("datetime_naive", "Datetime", "UTC"),
      typeMatches("datetime_naive", "Date"),
      typeMatches("datetime", "Datetime", "UTC"),
    ],
    [true, true, false, true, false, false, true],
  );
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  const result = await validate({
    name: "t",
    datasource: parquet,
    rules: [
      { name: "dtype", params: { column: "at", type: "datetime_tz" } },
      { name: "dtype", params: { column: "at_utc", type: "datetime_tz" } },
    ],
  });
  assertEquals(result.results.map((rule) => rule.message), [
    "at is Datetime (no time zone), expected datetime_tz",
    "at_utc is Datetime (UTC), which is datetime_tz",
  ]);
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: parquet,
      rules: [{ name: "dtype", params: { column: "at", type: "datetime_zoned" } }],
    }),
    KontractError,
    /unknown type; expected one of .*datetime_tz, datetime_naive/,
    2,
  );
});
