/**
 * The quarantine action on local files into a local directory: content, schema,
 * ordering, formats, determinism and idempotency, and what is not quarantined.
 */
import pl from "nodejs-polars";
import { validate, verifyQuarantine } from "../../mod.ts";
import type { QuarantineManifest } from "../../src/actions/quarantine_manifest.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import {
  EXPECTED_ROWS,
  listFiles,
  shopFrame,
  shopKontract,
  snapshot,
  writeShop,
} from "./fixtures.ts";

const REASONS: Record<string, string> = {
  "COL:email:unique": "email value occurs more than once",
  "COL:country:allowed_values": "country is not in the allowed list",
  "COL:email:not_null": "email is NULL",
  "COL:email:regex": "email does not match ^[a-z]+$",
  "DATASET:custom_sql_check": "returned by the custom SQL check",
};

/** The single run directory under `<dlq>/shop/`. */
async function runDir(dlq: string): Promise<string> {
  const runs = [];
  for await (const entry of Deno.readDir(`${dlq}/shop`)) runs.push(entry.name);
  assertEquals(runs.length, 1, `one run directory, found ${runs.join(", ")}`);
  return `${dlq}/shop/${runs[0]}`;
}

async function manifestOf(dir: string): Promise<QuarantineManifest> {
  return JSON.parse(await Deno.readTextFile(`${dir}/_manifest.json`));
}

Deno.test("quarantine writes every violating row with all columns, in source then rule order", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const dlq = `${tmp.path}/dlq`;
  const result = await validate(shopKontract({ quarantine: { location: dlq } }), { data });
  assertEquals(result.passed, false);
  const dir = await runDir(dlq);
  assertEquals(result.actions, [{
    action: "quarantine",
    status: "succeeded",
    location: `${dir}/`,
    rows: EXPECTED_ROWS.length,
  }]);
  assertEquals(await listFiles(dir), ["_manifest.json", "part-00000.parquet"]);
  const rows = pl.readParquet(`${dir}/part-00000.parquet`);
  assertEquals(rows.columns, ["id", "email", "country", "_violated_rule_id", "_error_reason"]);
  assertEquals(rows.dtypes.map(String), [
    "DataType(Int64)",
    "DataType(String)",
    "DataType(String)",
    "DataType(String)",
    "DataType(String)",
  ]);
  const source = shopFrame().toRecords();
  assertEquals(
    rows.toRecords(),
    EXPECTED_ROWS.map(([id, rule]) => ({
      ...source[id - 1],
      _violated_rule_id: rule,
      _error_reason: REASONS[rule],
    })),
  );
  const manifest = await manifestOf(dir);
  assertEquals(manifest.rows, EXPECTED_ROWS.length);
  assertEquals(manifest.rule_ids, [
    "COL:country:allowed_values",
    "COL:email:not_null",
    "COL:email:regex",
    "COL:email:unique",
    "DATASET:custom_sql_check",
  ]);
  assertEquals(manifest.rows_per_rule, {
    "COL:country:allowed_values": 2,
    "COL:email:not_null": 2,
    "COL:email:regex": 1,
    "COL:email:unique": 3,
    "DATASET:custom_sql_check": 1,
  });
  assertEquals(manifest.schema.map((column) => column.name), rows.columns);
  assertEquals(manifest.kontract, { name: "shop", fingerprint: result.kontract.fingerprint });
  assertEquals(manifest.run_fingerprint, dir.split("/").pop());
  assertEquals(manifest.notes, []);
  assert((await verifyQuarantine(dlq)).ok);
});

Deno.test("two runs on the same data write byte-identical files to the same place", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = shopKontract({ quarantine: { location: `${tmp.path}/dlq` } });
  const first = await validate(kontract, { data });
  const before = await snapshot(`${tmp.path}/dlq`);
  const second = await validate(kontract, { data });
  assertEquals(second.actions, first.actions);
  assertEquals(await snapshot(`${tmp.path}/dlq`), before, "same bytes, no extra files");
  // Another location gets the very same bytes under the same run fingerprint.
  const elsewhere = await second.quarantine({ location: `${tmp.path}/other` });
  assertEquals(elsewhere.status, "succeeded");
  assertEquals(await snapshot(`${tmp.path}/other`), before);
});

Deno.test("a rewritten run directory keeps files it did not write, and verify flags them", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = shopKontract({ quarantine: { location: `${tmp.path}/dlq` } });
  await validate(kontract, { data });
  const dir = await runDir(`${tmp.path}/dlq`);
  await Deno.writeTextFile(`${dir}/stray.parquet`, "not ours");
  const second = await validate(kontract, { data });
  assertEquals(second.actions?.[0]?.status, "succeeded");
  assertEquals(await listFiles(dir), ["_manifest.json", "part-00000.parquet", "stray.parquet"]);
  assertEquals(await Deno.readTextFile(`${dir}/stray.parquet`), "not ours");
  const report = await verifyQuarantine(dir);
  assertEquals(report.ok, false);
  assert(report.runs[0].problems.includes("stray.parquet: not in the manifest"));
});

Deno.test("changed data gets a new run directory", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = shopKontract({ quarantine: { location: `${tmp.path}/dlq` } });
  const first = await validate(kontract, { data });
  await Deno.utime(`${data}/part-1.parquet`, new Date(2001, 1, 1), new Date(2001, 1, 1));
  const second = await validate(kontract, { data });
  assert(first.actions[0].location !== second.actions[0].location);
  assertEquals((await listFiles(`${tmp.path}/dlq`)).length, 4);
});

Deno.test("quarantine as CSV: the same rows, header first", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const dlq = `${tmp.path}/dlq`;
  await validate(shopKontract({ quarantine: { location: dlq, format: "csv" } }), { data });
  const dir = await runDir(dlq);
  assertEquals(await listFiles(dir), ["_manifest.json", "part-00000.csv"]);
  const lines = (await Deno.readTextFile(`${dir}/part-00000.csv`)).trimEnd().split("\n");
  assertEquals(lines[0], "id,email,country,_violated_rule_id,_error_reason");
  assertEquals(lines.slice(1, 4), [
    "1,a,US,COL:email:unique,email value occurs more than once",
    "2,,XX,COL:country:allowed_values,country is not in the allowed list",
    "2,,XX,COL:email:not_null,email is NULL",
  ]);
  assertEquals(lines.length, 1 + EXPECTED_ROWS.length);
  const manifest = await manifestOf(dir);
  assertEquals(manifest.format, "csv");
  assertEquals(manifest.schema[0], { name: "id", type: "Int64" });
  assert((await verifyQuarantine(dlq)).ok);
});

Deno.test("a CSV source is quarantined like Parquet", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`, "csv");
  const result = await validate(shopKontract(), { data, actions: false });
  const action = await result.quarantine({ location: `${tmp.path}/dlq` });
  assertEquals(action.rows, EXPECTED_ROWS.length);
  const rows = pl.readParquet(`${action.location}part-00000.parquet`);
  assertEquals(
    rows.select("id", "_violated_rule_id").rows(),
    EXPECTED_ROWS.map(([id, rule]) => [id, rule]),
  );
});

Deno.test("a custom_sql_check that does not return every column is skipped with a note", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = shopKontract(
    { quarantine: { location: `${tmp.path}/dlq` } },
    "SELECT id FROM {table} WHERE id = 8",
  );
  const result = await validate(kontract, { data });
  const [action] = result.actions;
  assertEquals(action.rows, EXPECTED_ROWS.length - 1);
  assert(action.message?.includes("DATASET:custom_sql_check: skipped"), action.message);
  assert(action.message?.includes("does not return email, country"), action.message);
  const manifest = await manifestOf(await runDir(`${tmp.path}/dlq`));
  assertEquals(manifest.notes, [action.message]);
});

Deno.test("dataset-level failures alone quarantine nothing", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = {
    name: "shop",
    rules: [
      { name: "min_rows", params: { threshold: 100 } },
      { name: "dtype", params: { column: "id", type: "string" } },
      { name: "not_null", params: { column: "no_such_column" } },
      { name: "not_null", params: { column: "id" } },
    ],
    actions: { quarantine: { location: `${tmp.path}/dlq` } },
  };
  const result = await validate(kontract, { data });
  assertEquals(result.summary.failed, 3);
  assertEquals(result.actions, [{
    action: "quarantine",
    status: "skipped",
    rows: 0,
    message: "no row-level rule failed",
  }]);
  assertEquals(await listFiles(tmp.path).then((f) => f.some((p) => p.startsWith("dlq"))), false);
});

Deno.test("a relative location resolves against the Kontract's directory", async () => {
  await using tmp = await tempDir();
  await writeShop(`${tmp.path}/data`);
  const yaml = [
    "name: shop",
    "datasource: data/",
    "actions:",
    "  quarantine:",
    "    location: dlq/",
    "rules:",
    "  - { name: not_null, params: { column: email } }",
  ].join("\n");
  await Deno.writeTextFile(`${tmp.path}/shop.yml`, yaml);
  const result = await validate(`${tmp.path}/shop.yml`);
  assertEquals(result.actions[0].rows, 2);
  assert(result.actions[0].location?.startsWith(`${tmp.path}/dlq/shop/`));
});

Deno.test("a Kontract name that is not a safe path segment is made one", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = { ...shopKontract(), name: "../sales/eu" };
  const result = await validate(kontract, { data, actions: false });
  const action = await result.quarantine({ location: `${tmp.path}/dlq` });
  assert(action.location?.startsWith(`${tmp.path}/dlq/.._sales_eu/`), action.location);
});
