/**
 * An interrupted run (Ctrl-C, a CI job cancelled) leaves nothing behind: the CLI removes
 * its temporary directories (local copies, DuckDB spill files) and its quarantine staging
 * before it dies of the signal, exit code 130 for SIGINT and 143 for SIGTERM, also while a
 * long DuckDB or Polars step blocks the main thread. A finished run leaves no directory on
 * the list to clean up (a published quarantine run is not temporary any more).
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { REPO } from "../support/cli.ts";
import { validate } from "../../mod.ts";
import { liveTempDirs } from "../../src/core/temp_dirs.ts";
import { shopKontract, writeShop } from "../actions/fixtures.ts";

const ROWS = 60_000;

/**
 * A CSV whose `unique` check needs a local copy and a DuckDB spill directory, and a
 * permitted but slow `custom_sql_check` (a self join) that keeps them alive for minutes.
 */
async function slowKontract(dir: string): Promise<string> {
  const ids = Array.from({ length: ROWS }, (_, i) => i);
  pl.DataFrame({ id: ids, email: ids.map((i) => `user${i % 50_000}@x.io`) })
    .writeCSV(join(dir, "users.csv"));
  const kontract = join(dir, "kontract.yml");
  await Deno.writeTextFile(
    kontract,
    [
      "name: slow",
      "datasource: users.csv",
      "rules:",
      "  - name: unique",
      "    params: { column: email }",
      "  - name: custom_sql_check",
      "    params:",
      "      sql: SELECT a.id FROM {table} a JOIN {table} b ON a.email < b.email AND a.id > b.id",
      "",
    ].join("\n"),
  );
  return kontract;
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** Starts the CLI, waits until it has made a temporary directory, sends `signal`. */
async function interrupt(signal: "SIGINT" | "SIGTERM"): Promise<void> {
  await using tmp = await tempDir();
  const temp = join(tmp.path, "tmp");
  await Deno.mkdir(temp);
  const kontract = await slowKontract(tmp.path);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      join(REPO, "deno.json"),
      join(REPO, "cli.ts"),
      "validate",
      kontract,
    ],
    env: { NO_COLOR: "1", TMPDIR: temp, HOME: tmp.path, PATH: Deno.env.get("PATH") ?? "" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + 60_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = (await entries(temp)).filter((name) => name.startsWith("kontra-"));
    if (seen.some((name) => name.startsWith("kontra-copy-"))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert(seen.length > 0, "the run made a temporary directory to clean up");
  // Let the slow join start: the main thread is then blocked inside DuckDB.
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.kill(signal);
  const { code, stderr } = await child.output();
  assertEquals(code, signal === "SIGINT" ? 130 : 143, new TextDecoder().decode(stderr));
  assertEquals(await entries(temp), [], "nothing left in TMPDIR");
}

Deno.test("SIGINT removes every temporary directory and exits 130", async () => {
  await interrupt("SIGINT");
});

Deno.test("SIGTERM removes every temporary directory and exits 143", async () => {
  await interrupt("SIGTERM");
});

Deno.test("a finished run, quarantine included, leaves no temporary directory alive", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`, "csv");
  const result = await validate(
    shopKontract({ quarantine: { location: `${tmp.path}/dlq` } }),
    { data },
  );
  assertEquals(result.actions[0].status, "succeeded");
  assertEquals(liveTempDirs(), []);
  assert((await entries(`${tmp.path}/dlq/shop`)).length === 1, "the published run stays");
});
