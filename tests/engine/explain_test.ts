/** `--explain`: tiers, columns, pushed-down filters and DuckDB path, without running. */
import { assert, assertEquals } from "../support/assert.ts";
import { explain } from "../../mod.ts";
import { renderExplanation } from "../../src/engine/explain.ts";
import { runCli } from "../support/cli.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";

const RULES = [
  { name: "not_null", params: { column: "email" } },
  { name: "regex", params: { column: "email", pattern: "@" } },
  { name: "unique", params: { column: "id" } },
  { name: "dtype", params: { column: "age", type: "int" } },
  { name: "min_rows", params: { threshold: 1 } },
  { name: "custom_sql_check", params: { sql: "SELECT * FROM {table} WHERE age > 50" } },
  { name: "not_null", params: { column: "nope" } },
];

Deno.test("Parquet: footers answer what they can; the scan filter is pushed into the reader", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const plan = await explain({ name: "p", datasource: parquet, rules: RULES });
  assertEquals(plan.rows, 10);
  assertEquals(plan.rules.map((rule) => [rule.rule_id, rule.tier]), [
    ["COL:email:not_null", "metadata"],
    ["COL:email:regex", "scan"],
    ["COL:id:unique", "scan"],
    ["COL:age:dtype", "metadata"],
    ["DATASET:min_rows", "metadata"],
    ["DATASET:custom_sql_check", "sql"],
    ["COL:nope:not_null", "metadata"],
  ]);
  assertEquals(plan.reads.map((read) => read.tier), ["metadata", "scan", "sql", "scan", "sql"]);
  assert.match(
    plan.reads[1].what,
    /over \[email\]; filter pushed into the reader: .*str\.contains/,
  );
  assert.match(plan.reads[2].what, /DuckDB reads the local files/);
  assert.match(
    plan.reads[3].what,
    /duplicates of id \(Int\d+\): DuckDB: MIN\/MAX, then one bit per value/,
  );
  assert.match(plan.rules[6].how, /column "nope" not found in the data/);
  const text = renderExplanation(plan);
  assert.match(text, /^Plan for p on .*people\.parquet \(10 rows, from metadata\)/);
  assert.match(
    text,
    /COL:id:unique +scan +exact duplicate count, in a pass of its own \(see Reads\) \[id\]/,
  );
});

Deno.test("CSV: no footers, so the scan counts rows and pushes no filter", async () => {
  await using dir = await tempDir();
  const { csv } = writeBoth(peopleFrame(), dir.path, "people");
  const plan = await explain({ name: "c", datasource: csv, rules: RULES.slice(0, 2) });
  assertEquals(plan.rows, undefined);
  assertEquals(plan.rules.map((rule) => rule.tier), ["scan", "scan"]);
  assert.match(plan.reads[0].what, /no filter \(the scan counts the rows\)/);
});

Deno.test("kontra validate --explain runs nothing and prints the plan, as JSON too", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const kontract = `${dir.path}/k.yml`;
  await Deno.writeTextFile(
    kontract,
    `name: k\ndatasource: ${parquet}\nrules:\n  - { name: unique, params: { column: email } }\n` +
      `actions:\n  quarantine: { location: ${dir.path}/dlq }\n`,
  );
  const text = await runCli(["validate", kontract, "--explain"]);
  assertEquals(text.code, 0);
  assert.match(text.stdout, /COL:email:unique +scan/);
  const json = await runCli(["validate", kontract, "--explain", "-o", "json"]);
  assertEquals(json.code, 0);
  assertEquals(JSON.parse(json.stdout).rules[0].tier, "scan");
  // Nothing ran: no quarantine was written.
  await assert.rejects(() => Deno.stat(`${dir.path}/dlq`));
});
