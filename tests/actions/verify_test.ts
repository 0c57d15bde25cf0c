/**
 * `kontra quarantine verify` and `verifyQuarantine`: intact runs pass; a changed byte,
 * a truncated file, a renamed column, a missing or stray file, a damaged manifest fail.
 */
import pl from "nodejs-polars";
import { DataSourceError, validate, verifyQuarantine } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { tempDir } from "../support/fixtures.ts";
import { shopKontract, writeShop } from "./fixtures.ts";

/** Quarantines the shop data into `<root>/dlq`; returns the run directory (no slash). */
async function quarantined(root: string, format: "parquet" | "csv" = "parquet") {
  const data = await writeShop(`${root}/data`);
  const result = await validate(shopKontract({ quarantine: { location: `${root}/dlq`, format } }), {
    data,
  });
  return result.actions[0].location!.replace(/\/$/, "");
}

async function problems(location: string): Promise<string[]> {
  const report = await verifyQuarantine(location);
  return report.runs.flatMap((run) => run.problems);
}

Deno.test("verify passes on an intact run, from the run, the Kontract or the root directory", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  for (const location of [run, `${run}/`, `${tmp.path}/dlq/shop`, `${tmp.path}/dlq`]) {
    const report = await verifyQuarantine(location);
    assertEquals(report.ok, true, location);
    assertEquals(report.runs.map((r) => [r.location, r.rows, r.files]), [[`${run}/`, 9, 1]]);
  }
  const { code, stdout } = await runCli(["quarantine", "verify", `${tmp.path}/dlq`]);
  assertEquals(code, 0);
  assertEquals(stdout, `OK       ${run}/  9 rows in 1 file\n✔ intact: 1 run verified\n`);
});

Deno.test("verify fails after one byte of a data file changed", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  const path = `${run}/part-00000.parquet`;
  const bytes = await Deno.readFile(path);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  await Deno.writeFile(path, bytes);
  const found = await problems(tmp.path);
  assert(found.includes("part-00000.parquet: content changed (SHA-256 differs)"), found.join());
  const { code, stdout } = await runCli(["quarantine", "verify", run]);
  assertEquals(code, 1);
  assert(stdout.startsWith(`DAMAGED  ${run}/`), stdout);
  assert(stdout.includes("✘ 1 of 1 run damaged"), stdout);
});

Deno.test("verify fails on a truncated file and says why", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  const path = `${run}/part-00000.parquet`;
  const { size } = await Deno.stat(path);
  await Deno.truncate(path, size - 100);
  const found = await problems(run);
  assert(
    found.some((p) => p.startsWith(`part-00000.parquet: size ${size - 100} bytes`)),
    found.join(),
  );
  assert(found.includes("part-00000.parquet: content changed (SHA-256 differs)"));
  assert(found.some((p) => p.startsWith("part-00000.parquet: unreadable")), found.join());
});

Deno.test("verify fails when a column was renamed (Parquet)", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  const path = `${run}/part-00000.parquet`;
  const frame = pl.readParquet(path).rename({ email: "mail" });
  frame.writeParquet(path, { compression: "zstd" });
  const found = await problems(run);
  assert(
    found.includes("part-00000.parquet: schema changed: missing email; unexpected mail"),
    found.join("\n"),
  );
  assert(found.includes("part-00000.parquet: content changed (SHA-256 differs)"));
});

Deno.test("verify fails when a column's type changed (Parquet)", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  const path = `${run}/part-00000.parquet`;
  pl.readParquet(path).withColumns(pl.col("id").cast(pl.Int32)).writeParquet(path);
  const found = await problems(run);
  assert(
    found.includes("part-00000.parquet: schema changed: id is Int32, manifest says Int64"),
    found.join("\n"),
  );
});

Deno.test("verify fails when a CSV header was edited", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path, "csv");
  const path = `${run}/part-00000.csv`;
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.replace("id,email,", "id,e_mail,"));
  const found = await problems(run);
  assert(
    found.includes("part-00000.csv: schema changed: missing email; unexpected e_mail"),
    found.join("\n"),
  );
});

Deno.test("verify reports missing and stray files and a missing manifest", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  await Deno.rename(`${run}/part-00000.parquet`, `${run}/part-00001.parquet`);
  assertEquals(await problems(run), [
    "part-00001.parquet: not in the manifest",
    "part-00000.parquet: missing",
  ]);
  await Deno.remove(`${run}/_manifest.json`);
  assertEquals(await problems(`${tmp.path}/dlq`), ["missing _manifest.json"]);
});

Deno.test("verify reports a manifest whose figures were edited", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  const manifest = JSON.parse(await Deno.readTextFile(`${run}/_manifest.json`));
  manifest.rows = 8;
  manifest.rows_per_rule["COL:email:unique"] = 2;
  manifest.schema_sha256 = "0".repeat(64);
  manifest.kontract.fingerprint = "f".repeat(64);
  await Deno.writeTextFile(`${run}/_manifest.json`, JSON.stringify(manifest));
  assertEquals(await problems(run), [
    "part-00000.parquet: schema checksum differs from the manifest's",
    "schema checksum does not match the manifest's schema",
    "manifest: files hold 9 rows, total says 8",
    "rule COL:email:unique: 3 rows, manifest says 2",
    "run fingerprint does not match the manifest's Kontract and data",
  ]);
  await Deno.writeTextFile(`${run}/_manifest.json`, "{ not json");
  const [problem] = await problems(run);
  assert(problem.startsWith("_manifest.json is not a valid manifest:"), problem);
});

Deno.test("verify of a copied run under another name flags the directory name", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  await Deno.rename(run, `${tmp.path}/dlq/shop/renamed`);
  const found = await problems(`${tmp.path}/dlq/shop/renamed`);
  assertEquals(found.length, 1);
  assert(found[0].startsWith("directory name is not the run fingerprint"), found[0]);
});

Deno.test("verify: an empty location is not intact, a missing one is a usage error", async () => {
  await using tmp = await tempDir();
  const report = await verifyQuarantine(tmp.path);
  assertEquals(report.ok, false);
  assertEquals(report.runs[0].problems, ["no quarantine run (no _manifest.json) found"]);
  await verifyQuarantine(`${tmp.path}/nope`).then(
    () => assert.fail("expected an error"),
    (error) => {
      assert(error instanceof DataSourceError);
      assertEquals(error.exitCode, 2);
    },
  );
  const { code, stderr } = await runCli(["quarantine", "verify", `${tmp.path}/nope`]);
  assertEquals(code, 2);
  assertEquals(stderr, `kontra: ${tmp.path}/nope: no such quarantine location\n`);
});

Deno.test("verify -o json prints the report", async () => {
  await using tmp = await tempDir();
  const run = await quarantined(tmp.path);
  const { code, stdout } = await runCli(["quarantine", "verify", run, "-o", "json"]);
  assertEquals(code, 0);
  assertEquals(JSON.parse(stdout), {
    location: run,
    ok: true,
    runs: [{ location: `${run}/`, ok: true, rows: 9, files: 1, problems: [] }],
  });
});
