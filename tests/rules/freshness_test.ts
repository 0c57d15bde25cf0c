/**
 * `freshness` beyond the cross-tier cases (freshness_tiers_test.ts): how `max_age` reads,
 * the messages, param and column errors as Kontract errors at file:line:col, the default
 * `now`, text columns, and the single pass keeping the rows a max needs when footers
 * count the rows.
 * @module
 */
import { relative } from "node:path";
import pl from "nodejs-polars";
import { explain, KontractError, validate } from "../../mod.ts";
import { renderExplanation } from "../../src/engine/explain.ts";
import { formatAge, readMaxAge } from "../../src/rules/max_age.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { eventsFrame } from "../support/events_frame.ts";
import { tempDir, writeBoth, writeText } from "../support/fixtures.ts";
import { escapeRegExp } from "../support/user_sql_attacks.ts";

const S = 1_000_000n;

Deno.test("max_age: the forms Kontra and Python Kontra write, exactly in microseconds", () => {
  const cases: [string, bigint][] = [
    ["90m", 90n * 60n * S],
    ["24h", 24n * 3600n * S],
    ["7d", 7n * 86400n * S],
    ["30s", 30n * S],
    ["2w", 14n * 86400n * S],
    ["1h30m", 5400n * S],
    ["2d12h", 60n * 3600n * S],
    // Python Kontra: unit words, spaces, decimals, any case, parts in any order.
    ["7 days", 7n * 86400n * S],
    ["1 hour 30 minutes", 5400n * S],
    ["1.5h", 5400n * S],
    ["0.000001s", 1n],
    ["30m1h", 5400n * S],
    ["2 Weeks", 14n * 86400n * S],
    ["1hr 1min 1sec", 3661n * S],
  ];
  for (const [text, micros] of cases) assertEquals(readMaxAge(text), micros, text);
});

Deno.test("max_age: anything else is refused with a one-line reason", () => {
  const cases: [string, RegExp][] = [
    ["", /^an empty age: write a number and a unit/],
    ["   ", /^an empty age/],
    ["24", /^"24" is not a number and a unit .* \(at "24"\)$/],
    ["h", /^"h" is not a number and a unit/],
    ["-1h", /is not a number and a unit .* \(at "-1h"\)$/],
    ["1h and 5m", /is not a number and a unit .* \(at "and 5m"\)$/],
    ["1y", /^"1y" has an unknown unit "y": use s, m, h, d or w$/],
    ["1 month", /unknown unit "month"/],
    ["0h", /^"0h" is zero: give an age above zero$/],
    ["0.0000001s", /finer than a microsecond/],
    ["999999999w", /longer than Kontra reads/],
    ["1e3s", /unknown unit "e"/],
  ];
  for (const [text, problem] of cases) {
    const read = readMaxAge(text);
    assert.ok(typeof read !== "bigint", text);
    assert.match(read.problem, problem);
    assert.ok(!read.problem.includes("\n"));
  }
});

Deno.test("formatAge: days, hours, minutes and exact seconds", () => {
  assertEquals(formatAge(0n), "0s");
  assertEquals(formatAge(1n), "0.000001s");
  assertEquals(formatAge(86400n * S), "1d");
  assertEquals(formatAge((3n * 86400n + 4n * 3600n) * S), "3d 4h");
  assertEquals(formatAge((90061n * S) + 500_000n), "1d 1h 1m 1.5s");
  assertEquals(formatAge(-3600n * S), "1h");
});

/** How the loader names a file in messages: relative to the working directory. */
function label(path: string): string {
  return relative(Deno.cwd(), path);
}

Deno.test("freshness: bad params are Kontract errors at the param's file:line:col", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  // The params are line 5 of each Kontract, from column 13 (`    params: `); the error
  // points at `at` in them, or at the params themselves when `at` is "".
  const cases = [
    {
      params: "{ column: at, max_age: 5 parsecs }",
      at: "5 parsecs",
      error: 'max_age: "5 parsecs" has an unknown unit "parsecs": use s, m, h, d or w',
    },
    {
      params: "{ column: at, max_age: 0m }",
      at: "0m",
      error: 'max_age: "0m" is zero: give an age above zero',
    },
    {
      params: "{ column: at, max_age: 24 }",
      at: "24",
      error: "max_age: Invalid input: expected string, received number",
    },
    {
      params: '{ column: at, max_age: 24h, now: "yesterday" }',
      at: '"yesterday"',
      error:
        'now: "yesterday" is not an ISO timestamp (YYYY-MM-DD, optionally followed by THH:MM[:SS[.ffffff]][Z|±HH:MM])',
    },
    {
      params: '{ column: at, max_age: 24h, now: "2024-02-30" }',
      at: '"2024-02-30"',
      error: 'now: "2024-02-30" has no such date',
    },
    { params: "{ max_age: 24h }", at: "", error: "column: required" },
    { params: "{ column: at }", at: "", error: "max_age: required" },
    { params: "{ column: at, max_age: 24h, unit: h }", at: "unit", error: "unit: unknown field" },
  ];
  for (const [index, { params, at, error }] of cases.entries()) {
    const path = await writeText(
      dir.path,
      `case${index}.yml`,
      `name: t\ndatasource: ${parquet}\nrules:\n  - name: freshness\n    params: ${params}\n`,
    );
    const column = 13 + (at === "" ? 0 : params.indexOf(at));
    await assertRejectsWith(
      validate(path),
      KontractError,
      new RegExp(`^${escapeRegExp(`${label(path)}:5:${column}: rules[0].params.${error}`)}$`),
      2,
    );
  }
});

Deno.test("freshness: a column of another type is a Kontract error before any row is read", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  await assertRejectsWith(
    validate({
      name: "t",
      datasource: parquet,
      rules: [{ name: "freshness", params: { column: "id", max_age: "1d" } }],
    }),
    KontractError,
    /^<kontract>: DATASET:freshness: freshness needs a Date, Datetime or text \(ISO 8601\) column; id is Int64$/,
    2,
  );
});

Deno.test("freshness: a missing column fails with the row count and says so", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  const result = await validate({
    name: "t",
    datasource: parquet,
    rules: [{ name: "freshness", params: { column: "at_utcc", max_age: "1d" } }],
  });
  const [rule] = result.results;
  assertEquals([rule.rule_id, rule.status, rule.failed_count], ["DATASET:freshness", "failed", 8]);
  assert.match(rule.message, /column "at_utcc" not found in the data \(did you mean "at_utc"\?\)/);
});

Deno.test("freshness: messages say how old the newest value is", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  const run = async (params: Record<string, string>) => {
    const result = await validate({
      name: "t",
      datasource: parquet,
      rules: [{ name: "freshness", params }],
    });
    const [rule] = result.results;
    assertEquals(rule.rule_id, "DATASET:freshness");
    assertEquals("column" in rule, false);
    return [rule.failed_count, rule.message];
  };
  // The newest `at` is 2024-03-01 06:00:00; `until` is NULL on id 3 only.
  assertEquals(await run({ column: "at", max_age: "24h", now: "2024-03-04T10:00:00Z" }), [
    1,
    "newest at (2024-03-01 06:00:00 UTC) is 3d 4h old, max 24h",
  ]);
  assertEquals(await run({ column: "at", max_age: "7d", now: "2024-03-04T10:00:00.25Z" }), [
    0,
    "newest at (2024-03-01 06:00:00 UTC) is 3d 4h 0.25s old, within 7d",
  ]);
  assertEquals(await run({ column: "day", max_age: "1h", now: "2024-02-29T23:00:00Z" }), [
    0,
    "newest day (2024-03-01 00:00:00 UTC) is 1h in the future, max age 1h",
  ]);
});

Deno.test("freshness: without `now`, the clock at the run decides", async () => {
  await using dir = await tempDir();
  // One value an hour ago (to the microsecond, from the clock now).
  const hourAgo = (Date.now() - 3_600_000) * 1000;
  const frame = pl.DataFrame([
    pl.Series("at", [String(hourAgo), null]).cast(pl.Int64).cast(pl.Datetime("us", "UTC")),
  ]);
  const { parquet } = writeBoth(frame, dir.path, "recent");
  const result = await validate({
    name: "t",
    datasource: parquet,
    rules: [
      { name: "freshness", id: "two_hours", params: { column: "at", max_age: "2h" } },
      { name: "freshness", id: "half_hour", params: { column: "at", max_age: "30m" } },
    ],
  });
  assertEquals(result.results.map((rule) => [rule.rule_id, rule.failed_count]), [
    ["two_hours", 0],
    ["half_hour", 1],
  ]);
});

Deno.test("freshness: text columns read their greatest value as an ISO timestamp", async () => {
  await using dir = await tempDir();
  const frame = pl.DataFrame({
    iso: ["2024-03-01T06:00:00+01:00", "2024-02-01T00:00:00+01:00", null],
    spaced: ["2024-03-01 05:00:00.123456789", "2023-12-31 23:59:59", null],
    junk: ["2024-03-01", "not a time", null],
    empty: pl.Series("empty", [null, null, null], pl.Utf8),
  });
  const { parquet, csv } = writeBoth(frame, dir.path, "text");
  for (const datasource of [parquet, csv]) {
    const result = await validate({
      name: "t",
      datasource,
      rules: ["iso", "spaced", "junk", "empty"].map((column) => ({
        name: "freshness",
        id: column,
        params: { column, max_age: "1h", now: "2024-03-01T06:00:00Z" },
      })),
    });
    assertEquals(result.results.map((rule) => [rule.rule_id, rule.failed_count, rule.message]), [
      // 06:00 at +01:00 is 05:00 UTC: an hour before now.
      ["iso", 0, "newest iso (2024-03-01 05:00:00 UTC) is 1h old, within 1h"],
      // Digits beyond the microsecond are cut.
      [
        "spaced",
        0,
        "newest spaced (2024-03-01 05:00:00.123456 UTC) is 59m 59.876544s old, within 1h",
      ],
      // "not a time" is the greatest text.
      [
        "junk",
        1,
        'the newest junk value "not a time" is no ISO timestamp: nothing shows the data is ' +
        "fresh, max 1h",
      ],
      [
        "empty",
        1,
        "no value in empty (no rows, or every value NULL): nothing shows the data is fresh, max 1h",
      ],
    ], datasource);
  }
});

Deno.test("freshness: the single pass keeps every non-null value when footers count the rows", async () => {
  await using dir = await tempDir();
  // `ns` holds nanoseconds that are not whole microseconds: its footer bounds prove
  // nothing, so the max is scanned, in the pass that also counts the regex violations
  // (only "b", on the row whose timestamp is NOT the newest). The pass drops rows no
  // rule needs: the newest timestamp's row must survive for the max.
  const base = 1_709_272_800_000_000_000n; // 2024-03-01T06:00:00Z in ns
  const frame = pl.DataFrame([
    pl.Series("code", ["a", "b", "a"]),
    pl.Series("ns", [`${base + 1n}`, `${base - 3_600_000_000_000n}`, null]).cast(pl.Int64)
      .cast(pl.Datetime("ns")),
  ]);
  const { parquet } = writeBoth(frame, dir.path, "mixed");
  const kontract = {
    name: "t",
    datasource: parquet,
    rules: [
      { name: "regex", params: { column: "code", pattern: "^a$" } },
      { name: "freshness", params: { column: "ns", max_age: "1s", now: "2024-03-01T06:00:01Z" } },
    ],
  };
  const result = await validate(kontract);
  assertEquals(result.results.map((rule) => [rule.execution_source, rule.failed_count]), [
    ["scan", 1],
    ["scan", 0],
  ]);
  assertEquals(
    result.results[1].message,
    "newest ns (2024-03-01 06:00:00 UTC) is 1s old, within 1s",
  );
  const plan = renderExplanation(await explain(kontract));
  assert.match(plan, /filter pushed into the reader: .*max\(ns\) in the single pass/);
});

Deno.test("freshness: --explain shows the tier that answers it", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(eventsFrame(), dir.path, "events");
  const kontract = {
    name: "t",
    datasource: parquet,
    rules: [{ name: "freshness", params: { column: "at", max_age: "1d" } }],
  };
  const withFooters = renderExplanation(await explain(kontract));
  assert.match(withFooters, /DATASET:freshness\s+metadata footer statistics: the largest at/);
  const scanned = renderExplanation(await explain(kontract, { metadata: false }));
  assert.match(scanned, /DATASET:freshness\s+scan\s+max\(at\) in the single pass \[at\]/);
});
