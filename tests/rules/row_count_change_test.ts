/**
 * `row_count_change` against a previous run's result document: through the SDK (a path
 * or a document) and the CLI (`--baseline result.json`), both directions, growth from an
 * empty dataset, no baseline at all, and baselines that are not result documents.
 */
import pl from "nodejs-polars";
import { KontractError, validate } from "../../mod.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { assertOneLineError, runCli } from "../support/cli.ts";
import { testEveryTier } from "../support/every_tier.ts";
import { peopleFrame, tempDir } from "../support/fixtures.ts";

/** A Kontract over `data` with one row_count_change rule of `params`. */
function kontract(data: string, params: Record<string, unknown>) {
  return { name: "people", datasource: data, rules: [{ name: "row_count_change", params }] };
}

/** Writes the first `rows` rows of peopleFrame (10 rows; more repeat it) as Parquet. */
function writeRows(dir: string, name: string, rows: number): string {
  const people = peopleFrame();
  const frame = pl.concat([people, people]).head(rows);
  const path = `${dir}/${name}.parquet`;
  frame.writeParquet(path);
  return path;
}

Deno.test("row_count_change compares with the previous run's rows, both ways", async () => {
  await using dir = await tempDir();
  const ten = writeRows(dir.path, "ten", 10);
  const before = await validate(kontract(ten, { max_decrease_ratio: 0.1 }), { actions: false });
  // Known by construction: 10 rows then; 8 (-20%), 9 (-10%), 12 (+20%), 10 now.
  const cases: [number, Record<string, unknown>, number, string][] = [
    [
      8,
      { max_decrease_ratio: 0.1 },
      1,
      "8 rows, 10 in the previous run (-20%): more than the allowed decrease of 10%",
    ],
    [9, { max_decrease_ratio: 0.1 }, 0, "9 rows, 10 in the previous run (-10%)"],
    [12, { max_decrease_ratio: 0.1 }, 0, "12 rows, 10 in the previous run (+20%)"],
    [
      12,
      { max_increase_ratio: 0.15 },
      1,
      "12 rows, 10 in the previous run (+20%): more than the allowed increase of 15%",
    ],
    [8, { max_increase_ratio: 0 }, 0, "8 rows, 10 in the previous run (-20%)"],
    [
      10,
      { max_decrease_ratio: 0, max_increase_ratio: 0 },
      0,
      "10 rows, 10 in the previous run (0%)",
    ],
  ];
  for (const [rows, params, failed, message] of cases) {
    const now = writeRows(dir.path, `now_${rows}`, rows);
    const result = await validate(kontract(now, params), {
      actions: false,
      baseline: before.document,
    });
    const [rule] = result.results;
    assertEquals([rule.rule_id, rule.failed_count, rule.message], [
      "DATASET:row_count_change",
      failed,
      message,
    ]);
    assertEquals(rule.passed, failed === 0);
  }
});

Deno.test("row_count_change: growth from no rows is infinite; no baseline passes and says so", async () => {
  await using dir = await tempDir();
  const empty = writeRows(dir.path, "empty", 0);
  const ten = writeRows(dir.path, "ten", 10);
  const first = await validate(kontract(empty, { max_increase_ratio: 10 }), { actions: false });
  assertEquals(
    first.results[0].message,
    "0 rows; no previous run to compare with (pass --baseline result.json)",
  );
  assertEquals(first.results[0].passed, true);
  const grown = await validate(kontract(ten, { max_increase_ratio: 10 }), {
    actions: false,
    baseline: first.document,
  });
  assertEquals(grown.results[0].failed_count, 1);
  assert.match(grown.results[0].message, /\(\+∞%\): more than the allowed increase of 1000%/);
  const shrunk = await validate(kontract(ten, { max_decrease_ratio: 1 }), {
    actions: false,
    baseline: grown.document,
  });
  assertEquals(shrunk.results[0].failed_count, 0);
});

Deno.test("kontra validate --baseline reads the earlier result document", async () => {
  await using dir = await tempDir();
  const ten = writeRows(dir.path, "ten", 10);
  const eight = writeRows(dir.path, "eight", 8);
  const file = `${dir.path}/kontract.yml`;
  await Deno.writeTextFile(
    file,
    "name: people\nrules:\n  - { name: row_count_change, params: { max_decrease_ratio: 0.1 } }\n",
  );
  const first = await runCli(["validate", file, "--data", ten, "-o", "json"]);
  assertEquals(first.code, 0, first.stderr);
  const baseline = `${dir.path}/result.json`;
  await Deno.writeTextFile(baseline, first.stdout);
  const second = await runCli([
    "validate",
    file,
    "--data",
    eight,
    "-o",
    "json",
    "--baseline",
    baseline,
  ]);
  assertEquals(second.code, 1, second.stderr);
  const [rule] = JSON.parse(second.stdout).results;
  assertEquals(rule.failed_count, 1);
  assert.match(rule.message, /8 rows, 10 in the previous run \(-20%\)/);
});

Deno.test("a baseline that is not a readable result document is a one-line error, exit 2", async () => {
  await using dir = await tempDir();
  const ten = writeRows(dir.path, "ten", 10);
  const file = `${dir.path}/kontract.yml`;
  await Deno.writeTextFile(
    file,
    "name: people\nrules:\n  - { name: row_count_change, params: { max_decrease_ratio: 0.1 } }\n",
  );
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(`${dir.path}/${name}`, text);
    return `${dir.path}/${name}`;
  };
  const bad: [string, RegExp][] = [
    [`${dir.path}/absent.json`, /baseline .*absent\.json: file not found/],
    [dir.path, /baseline .*: .*director/],
    [await write("text.json", "rows: 10"), /baseline .*text\.json: not JSON/],
    [
      await write(
        "other.json",
        JSON.stringify({ schema_version: "2.0", dataset: { uri: "x", rows: 1 } }),
      ),
      /baseline .*other\.json: not a Kontra result document \(schema_version: /,
    ],
    [
      await write(
        "rows.json",
        JSON.stringify({ schema_version: "1.0", dataset: { uri: "x", rows: -1 } }),
      ),
      /not a Kontra result document \(dataset\.rows: /,
    ],
  ];
  for (const [baseline, message] of bad) {
    const run = await runCli(["validate", file, "--data", ten, "--baseline", baseline]);
    assertOneLineError(run, 2, message);
  }
});

Deno.test("bad row_count_change params are Kontract errors naming the field", async () => {
  await using dir = await tempDir();
  const ten = writeRows(dir.path, "ten", 10);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{}, /needs max_decrease_ratio, max_increase_ratio or both/],
    [{ max_decrease_ratio: 1.5 }, /max_decrease_ratio: cannot be above 1/],
    [{ max_increase_ratio: -0.1 }, /max_increase_ratio: must be 0 or more/],
    [{ max_increase_ratio: 0.1, threshold: 3 }, /threshold/],
  ];
  for (const [params, message] of bad) {
    await assertRejectsWith(
      validate(kontract(ten, params), { actions: false }),
      KontractError,
      message,
      2,
    );
  }
});

// peopleFrame has 10 rows; the previous run had 12 (-16.67%) on every source.
testEveryTier("row_count_change against a baseline of 12 rows", peopleFrame, [
  { rule: "row_count_change", params: { max_decrease_ratio: 0.2 }, failed: 0 },
  { rule: "row_count_change", params: { max_decrease_ratio: 0.1 }, failed: 1 },
  { rule: "row_count_change", params: { max_increase_ratio: 0 }, failed: 0 },
], { previousRows: 12 });
