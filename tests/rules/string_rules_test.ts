/**
 * The string rules (`length`, `disallowed_values`, `contains`, `starts_with`, `ends_with`,
 * `not_regex`, `like`) on every tier: Parquet (footers on and off), CSV, S3, PostgreSQL,
 * the Snowflake test server and MySQL/MariaDB must all give the counts below, which are
 * known by construction from the frames (each case says why). Then the param errors,
 * which are Kontract errors at the param's file:line:col.
 */
import pl from "nodejs-polars";
import { relative } from "node:path";
import { KontractError, validate } from "../../mod.ts";
import { assertRejectsWith } from "../support/assert.ts";
import { peopleFrame, tempDir, writeBoth, writeText } from "../support/fixtures.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";

// ------------------------------------------------------------------ peopleFrame
//
// id      1 … 10
// email   a@x.io, b@x.io, NULL, "", a@x.io, ünï@x.io, NULL, bad, a@x.io, c@x.io
//         (8 non-null; ünï@x.io is 8 characters and 10 bytes)
// country US, DE, NULL, US, FR, 日本, US, de, DE, ""
//         (9 non-null; 日本 is 2 characters and 6 bytes)
// age     20, 30, NULL, 40, 20, 30, 20, NULL, 99, 30 (Int32; 8 non-null)

const PEOPLE_CASES: TierCase[] = [
  // length, in characters: the multi-byte values are the ones that tell bytes apart.
  // Outside [6, 6]: "" (0), ünï@x.io (8), bad (3).
  { rule: "length", params: { column: "email", min: 6, max: 6 }, failed: 3 },
  // ünï@x.io is 8 characters: within max 8 (10 bytes would not be).
  { rule: "length", params: { column: "email", max: 8 }, failed: 0 },
  { rule: "length", params: { column: "email", max: 7 }, failed: 1 },
  // Only "" is not 2 characters; 日本 is (6 bytes).
  { rule: "length", params: { column: "country", min: 2, max: 2 }, failed: 1 },
  { rule: "length", params: { column: "country", min: 1 }, failed: 1 },
  // Every non-null country but "" is longer than 0: 9 - 1.
  { rule: "length", params: { column: "country", min: 0, max: 0 }, failed: 8 },
  // An integer column by its text form: only "10" is longer than one character.
  { rule: "length", params: { column: "id", max: 1 }, failed: 1 },
  { rule: "length", params: { column: "age", min: 2, max: 2 }, failed: 0 },

  // disallowed_values: exact matches only (no case folding, no trailing-space padding).
  // US ×3, DE ×2.
  { rule: "disallowed_values", params: { column: "country", values: ["US", "DE"] }, failed: 5 },
  // Only the lower-case de; DE ×2 are not it.
  { rule: "disallowed_values", params: { column: "country", values: ["de"] }, failed: 1 },
  // "US " is not US.
  { rule: "disallowed_values", params: { column: "country", values: ["US "] }, failed: 0 },
  { rule: "disallowed_values", params: { column: "country", values: ["日本", "FR"] }, failed: 2 },
  // The empty string is a value (the NULLs are not).
  { rule: "disallowed_values", params: { column: "email", values: [""] }, failed: 1 },
  // Read against the integer column: 20 ×3 and "30" as 30 ×3.
  { rule: "disallowed_values", params: { column: "age", values: [20, "30"] }, failed: 6 },
  // No integer is "abc": nothing can be disallowed.
  { rule: "disallowed_values", params: { column: "age", values: ["abc"] }, failed: 0 },
  // Longer lists take the other membership paths (one regex for text, a join for
  // integers): 17 fillers plus US (×3), and 20 plus 17 numbers that never occur.
  {
    rule: "disallowed_values",
    params: { column: "country", values: [...fillers("zz", 17), "US"] },
    failed: 3,
  },
  {
    rule: "disallowed_values",
    params: { column: "age", values: [20, ...Array.from({ length: 17 }, (_, i) => 1000 + i)] },
    failed: 3,
  },

  // contains: "" and bad have no @x.io.
  { rule: "contains", params: { column: "email", value: "@x.io" }, failed: 2 },
  // Case-sensitive: no email holds "A@" (8 fail); ignoring case a@x.io ×3 do (8 - 3).
  { rule: "contains", params: { column: "email", value: "A@" }, failed: 8 },
  {
    rule: "contains",
    params: { column: "email", value: "A@", case_sensitive: false },
    failed: 5,
  },
  // ünï@x.io holds ü; ignoring case, Ü finds it too.
  { rule: "contains", params: { column: "email", value: "Ü" }, failed: 8 },
  {
    rule: "contains",
    params: { column: "email", value: "Ü", case_sensitive: false },
    failed: 7,
  },
  { rule: "contains", params: { column: "country", value: "日" }, failed: 8 },
  // Plain characters, not wildcards: no email holds % or _ (as wildcards every value
  // would), and "." is a dot (as a regex only "" would miss it): "" and bad.
  { rule: "contains", params: { column: "email", value: "%" }, failed: 8 },
  { rule: "contains", params: { column: "email", value: "_" }, failed: 8 },
  { rule: "contains", params: { column: "email", value: "." }, failed: 2 },
  // By the text form: 20 ×3, 30 ×3 and 40 hold "0"; 99 does not.
  { rule: "contains", params: { column: "age", value: "0" }, failed: 1 },

  // starts_with: DE ×2 start with D (9 - 2); ignoring case de too (9 - 3).
  { rule: "starts_with", params: { column: "country", value: "D" }, failed: 7 },
  {
    rule: "starts_with",
    params: { column: "country", value: "D", case_sensitive: false },
    failed: 6,
  },
  // a@x.io ×3 start with "a@"; b, "", ünï, bad and c do not.
  { rule: "starts_with", params: { column: "email", value: "a@" }, failed: 5 },
  // 20 ×3 start with "2"; 8 - 3.
  { rule: "starts_with", params: { column: "age", value: "2" }, failed: 5 },

  // ends_with: "" and bad do not end with x.io.
  { rule: "ends_with", params: { column: "email", value: "x.io" }, failed: 2 },
  // DE ×2 and de end with e ignoring case: 9 - 3; case-sensitive only de: 9 - 1.
  {
    rule: "ends_with",
    params: { column: "country", value: "E", case_sensitive: false },
    failed: 6,
  },
  { rule: "ends_with", params: { column: "country", value: "e" }, failed: 8 },
  { rule: "ends_with", params: { column: "email", value: "ï@x.io" }, failed: 7 },

  // not_regex: a search, as `regex`. a@x.io ×3.
  { rule: "not_regex", params: { column: "email", pattern: "^a" }, failed: 3 },
  // Two upper-case letters: US ×3, DE ×2, FR.
  { rule: "not_regex", params: { column: "country", pattern: "^[A-Z]{2}$" }, failed: 6 },
  { rule: "not_regex", params: { column: "country", pattern: "日" }, failed: 1 },
  // By the text form: 20 ×3 and 30 ×3.
  { rule: "not_regex", params: { column: "age", pattern: "^[23]0$" }, failed: 6 },
  { rule: "not_regex", params: { column: "email", pattern: "@y\\.io" }, failed: 0 },

  // like: whole value, case-sensitive, `_` one character.
  { rule: "like", params: { column: "email", pattern: "%@x.io" }, failed: 2 },
  // One character before @x.io: a ×3, b, c; not ünï (3), "" or bad.
  { rule: "like", params: { column: "email", pattern: "_@x.io" }, failed: 3 },
  // Two characters: every non-null country but "" (日本 included).
  { rule: "like", params: { column: "country", pattern: "__" }, failed: 1 },
  // Only de starts with a lower-case d: 9 - 1.
  { rule: "like", params: { column: "country", pattern: "d%" }, failed: 8 },
  // No email starts with A: all 8.
  { rule: "like", params: { column: "email", pattern: "A%" }, failed: 8 },
  { rule: "like", params: { column: "email", pattern: "%" }, failed: 0 },
  // The empty pattern matches only the empty value.
  { rule: "like", params: { column: "email", pattern: "" }, failed: 7 },
  // By the text form: only 10 is "1" and one more character.
  { rule: "like", params: { column: "id", pattern: "1_" }, failed: 9 },

  // With `when:` (rows per tests/rules/when_tolerance_test.ts's table). US rows 1, 4, 7:
  // a@x.io, "", NULL; only "" is not 6 characters.
  {
    rule: "length",
    params: { column: "email", min: 6, max: 6 },
    when: "country = 'US'",
    failed: 1,
  },
  // Active rows 1, 3, 5, 6, 8, 9, 10: of their emails only bad does not end in @x.io.
  {
    rule: "like",
    params: { column: "email", pattern: "%@x.io" },
    when: "active = true",
    failed: 1,
  },
  // Ages below 35, rows 1, 2, 5, 6, 7, 10: US, DE, FR, 日本, US, "": US ×2 and DE.
  {
    rule: "disallowed_values",
    params: { column: "country", values: ["US", "DE"] },
    when: "age < 35",
    failed: 3,
  },
  // With `tolerance:` the count stays exact and the verdict passes: "" and bad.
  {
    rule: "contains",
    params: { column: "email", value: "@x.io" },
    tolerance: { max_failed: 2 },
    failed: 2,
    passed: true,
  },
  // 8 of the 10 rows fail (see above): within a ratio of 0.9.
  {
    rule: "ends_with",
    params: { column: "country", value: "e" },
    tolerance: { max_failed_ratio: 0.9 },
    failed: 8,
    passed: true,
  },
];

testEveryTier("string rules", peopleFrame, PEOPLE_CASES);

// ------------------------------------------------------------------ special characters

/** Values that hold what SQL, LIKE and regex syntax give a meaning to. */
const SPECIAL_VALUES = [
  "50%", //                      0   3 characters
  "50 percent", //               1  10
  "a_b", //                      2   3
  "axb", //                      3   3
  "O'Brien", //                  4   7
  "C:\\dir\\file", //            5  11 (two single backslashes)
  "a.b*c+d?(e)[f]{g}|h^$", //    6  21
  "line\nbreak", //              7  10
  null, //                       8
  "Straße", //                   9   6 (7 bytes)
  "ÜBER", //                    10   4 (5 bytes)
  "über", //                    11   4 (5 bytes)
  "trail ", //                  12   6
  "trail", //                   13   5
  "e\u0301", //                 14   2 (e and a combining accent)
  "🦆", //                      15   1 (4 bytes)
];

/** One text column of SPECIAL_VALUES (15 non-null). */
function specialFrame() {
  return pl.DataFrame({ s: SPECIAL_VALUES });
}

/** Each case finds exactly one value, unless it says otherwise: 15 - 1 = 14 fail. */
const SPECIAL_CASES: TierCase[] = [
  { rule: "contains", params: { column: "s", value: "%" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: "_" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: "'" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: "\\" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: "\\dir\\" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: ".b*c+d?(e)[f]{g}|h^$" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: "\n" }, failed: 14 },
  { rule: "contains", params: { column: "s", value: "ß" }, failed: 14 },
  // Ignoring case, ü finds ÜBER and über: 15 - 2.
  { rule: "contains", params: { column: "s", value: "ü", case_sensitive: false }, failed: 13 },
  { rule: "contains", params: { column: "s", value: "über" }, failed: 14 },
  // 50% and 50 percent: 15 - 2; with the % only 50%.
  { rule: "starts_with", params: { column: "s", value: "50" }, failed: 13 },
  { rule: "starts_with", params: { column: "s", value: "50%" }, failed: 14 },
  // a_b, not axb (as a LIKE wildcard _ would take both).
  { rule: "starts_with", params: { column: "s", value: "a_" }, failed: 14 },
  { rule: "starts_with", params: { column: "s", value: "O'" }, failed: 14 },
  { rule: "ends_with", params: { column: "s", value: "%" }, failed: 14 },
  { rule: "ends_with", params: { column: "s", value: "\\file" }, failed: 14 },
  { rule: "ends_with", params: { column: "s", value: "|h^$" }, failed: 14 },
  // trail only: "trail " ends with a space (no trailing-space padding anywhere).
  { rule: "ends_with", params: { column: "s", value: "trail" }, failed: 14 },
  // ÜBER and über end with "ber" ignoring case.
  { rule: "ends_with", params: { column: "s", value: "BER", case_sensitive: false }, failed: 13 },

  // like with escapes: \% and \_ are plain, a lone % or _ is a wildcard.
  { rule: "like", params: { column: "s", pattern: "50\\%" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "50%" }, failed: 13 },
  { rule: "like", params: { column: "s", pattern: "a\\_b" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "a_b" }, failed: 13 },
  { rule: "like", params: { column: "s", pattern: "%'%" }, failed: 14 },
  // \\ is one plain backslash.
  { rule: "like", params: { column: "s", pattern: "C:\\\\dir\\\\file" }, failed: 14 },
  // \d and \f are d and f (an escape before other characters changes nothing): C:dirfile.
  { rule: "like", params: { column: "s", pattern: "C:\\dir\\file" }, failed: 15 },
  // Regex metacharacters are plain in LIKE.
  { rule: "like", params: { column: "s", pattern: "a.b*c+d?(e)[f]{g}|h^$" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "a.b%" }, failed: 14 },
  // _ and % take the newline too.
  { rule: "like", params: { column: "s", pattern: "line_break" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "%\nb%" }, failed: 14 },
  // One character: 🦆 only (é written as two code points is two).
  { rule: "like", params: { column: "s", pattern: "_" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "e_" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "Stra_e" }, failed: 14 },
  { rule: "like", params: { column: "s", pattern: "trail" }, failed: 14 },
  // Case-sensitive: über, not ÜBER.
  { rule: "like", params: { column: "s", pattern: "%ber" }, failed: 14 },

  // length in characters. Of length 6: Straße (7 bytes) and "trail ".
  { rule: "length", params: { column: "s", min: 6, max: 6 }, failed: 13 },
  // At most 4: 50%, a_b, axb, ÜBER, über, e + accent, 🦆 (7); in bytes ÜBER, über and
  // 🦆 would be longer.
  { rule: "length", params: { column: "s", max: 4 }, failed: 8 },
  { rule: "length", params: { column: "s", min: 2 }, failed: 1 },

  // Exact values with quotes and backslashes; "trail" is not "trail ".
  {
    rule: "disallowed_values",
    params: { column: "s", values: ["50%", "trail", "O'Brien", "C:\\dir\\file"] },
    failed: 4,
  },
  { rule: "disallowed_values", params: { column: "s", values: ["ÜBER"] }, failed: 1 },
  // More than 16 values, as one anchored alternation: its metacharacters stay plain.
  {
    rule: "disallowed_values",
    params: {
      column: "s",
      values: [...fillers("a.b", 17), "a.b*c+d?(e)[f]{g}|h^$", "line\nbreak"],
    },
    failed: 2,
  },

  // not_regex: a plain backslash; digits then %; a newline.
  { rule: "not_regex", params: { column: "s", pattern: "\\\\" }, failed: 1 },
  { rule: "not_regex", params: { column: "s", pattern: "^\\d+%$" }, failed: 1 },
  { rule: "not_regex", params: { column: "s", pattern: "\\n" }, failed: 1 },
  // Case-sensitive like regex: über, not ÜBER.
  { rule: "not_regex", params: { column: "s", pattern: "ber$" }, failed: 1 },
];

testEveryTier("string rules, special characters", specialFrame, SPECIAL_CASES);

/** `count` distinct texts that start with `prefix` and occur in no frame. */
function fillers(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}

// ------------------------------------------------------------------ param errors

/** How the loader names a file in messages: relative to the working directory. */
function label(path: string): string {
  return relative(Deno.cwd(), path);
}

Deno.test("string rules: bad params are Kontract errors at the param's file:line:col", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  // Each rule's params are line 5 of its Kontract, from column 13 (`    params: `). The
  // error points at `at` in them (the bad value), or at the params when `at` is "".
  const cases: { rule: string; params: string; at: string; error: string }[] = [
    {
      rule: "length",
      params: "{ column: email, min: 5, max: 3 }",
      at: "",
      error: "rules[0].params: min (5) is greater than max (3)",
    },
    {
      rule: "length",
      params: "{ column: email }",
      at: "",
      error: "rules[0].params: needs min, max or both",
    },
    {
      rule: "length",
      params: "{ column: email, min: -1 }",
      at: "-1",
      error: "rules[0].params.min: must be 0 or more",
    },
    {
      rule: "length",
      params: "{ column: email, max: 2.5 }",
      at: "2.5",
      error: "rules[0].params.max: must be a whole number of characters",
    },
    {
      rule: "length",
      params: "{ column: email, max: ten }",
      at: "ten",
      error: "rules[0].params.max: must be a number of characters",
    },
    {
      rule: "contains",
      params: '{ column: email, value: "" }',
      at: '""',
      error: 'rules[0].params.value: is empty, and every text contains ""',
    },
    {
      rule: "starts_with",
      params: '{ column: email, value: "" }',
      at: '""',
      error: 'rules[0].params.value: is empty, and every text starts with ""',
    },
    {
      rule: "ends_with",
      params: "{ column: email, value: x, case_sensitive: maybe }",
      at: "maybe",
      error: "rules[0].params.case_sensitive: Invalid input: expected boolean, received string",
    },
    {
      rule: "like",
      params: '{ column: email, pattern: "a\\\\" }',
      at: '"a',
      error: "rules[0].params.pattern: ends with the escape character \\ " +
        "(write \\\\ for a plain backslash)",
    },
    {
      rule: "not_regex",
      params: '{ column: email, pattern: "(" }',
      at: '"(',
      error: "rules[0].params.pattern: not a valid regular expression",
    },
    {
      rule: "contains",
      params: "{ column: email }",
      at: "",
      error: "rules[0].params.value: required",
    },
    {
      rule: "disallowed_values",
      params: "{ column: email, values: US }",
      at: "US",
      error: "rules[0].params.values: Invalid input: expected array, received string",
    },
  ];
  for (const [index, { rule, params, at, error }] of cases.entries()) {
    const path = await writeText(
      dir.path,
      `case${index}.yml`,
      `name: t\ndatasource: ${parquet}\nrules:\n  - name: ${rule}\n    params: ${params}\n`,
    );
    const column = 13 + (at === "" ? 0 : params.indexOf(at));
    await assertRejectsWith(
      validate(path),
      KontractError,
      new RegExp(`^${escapeRegExp(`${label(path)}:5:${column}: ${error}`)}$`),
      2,
    );
  }
});

Deno.test("string rules refuse List and Struct columns before reading a row", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/nested.parquet`;
  pl.DataFrame({
    tags: [["a"], ["b", "c"]],
    point: [{ x: 1 }, { x: 2 }],
  }).writeParquet(path);
  const rules: [string, Record<string, unknown>][] = [
    ["length", { max: 3 }],
    ["disallowed_values", { values: ["a"] }],
    ["contains", { value: "a" }],
    ["starts_with", { value: "a" }],
    ["ends_with", { value: "a" }],
    ["not_regex", { pattern: "a" }],
    ["like", { pattern: "a%" }],
  ];
  for (const column of ["tags", "point"]) {
    for (const [rule, params] of rules) {
      await assertRejectsWith(
        validate({
          name: "nested",
          datasource: path,
          rules: [{ name: rule, params: { column, ...params } }],
        }),
        KontractError,
        new RegExp(`^<kontract>: COL:${column}:${rule}: ${rule} cannot check column "${column}"`),
        2,
      );
    }
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
