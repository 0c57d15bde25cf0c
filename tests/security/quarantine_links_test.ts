/**
 * Others may write inside a quarantine location. Whatever links they plant there, a
 * quarantine never writes through a symbolic link and never deletes a file it did not
 * create in this run: the victim files outside (and inside) stay byte for byte.
 */
import { validate } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { listFiles, shopKontract, snapshot, writeShop } from "../actions/fixtures.ts";

interface Scene {
  root: string;
  data: string;
  dlq: string;
  victim: string;
  kontract: Record<string, unknown>;
}

/** Data, a quarantine location, and a victim directory holding files somebody cares about. */
async function scene(root: string): Promise<Scene> {
  const data = await writeShop(`${root}/data`);
  const victim = `${root}/victim`;
  await Deno.mkdir(victim);
  await Deno.writeTextFile(`${victim}/precious.txt`, "keep me");
  await Deno.writeTextFile(`${victim}/part-00000.parquet`, "not a quarantine file");
  await Deno.writeTextFile(`${victim}/_manifest.json`, "{}");
  const dlq = `${root}/dlq`;
  return { root, data, dlq, victim, kontract: shopKontract({ quarantine: { location: dlq } }) };
}

/** The run directory name this data gets, learnt from a first run that is then removed. */
async function runName(s: Scene): Promise<string> {
  const first = await validate(s.kontract, { data: s.data });
  const location = first.actions?.[0]?.location;
  assert(location, "a first run quarantines");
  await Deno.remove(`${s.dlq}/shop`, { recursive: true });
  return location.replace(/\/$/, "").split("/").at(-1)!;
}

async function quarantineStatus(s: Scene): Promise<{ status: string; error?: string }> {
  const result = await validate(s.kontract, { data: s.data });
  const action = result.actions?.[0];
  assert(action, "the quarantine action ran");
  return { status: action.status, error: action.error };
}

Deno.test("a link planted at the run directory is refused; its target is untouched", async () => {
  await using tmp = await tempDir();
  const s = await scene(tmp.path);
  const run = await runName(s);
  const before = await snapshot(s.victim);
  await Deno.mkdir(`${s.dlq}/shop`, { recursive: true });
  await Deno.symlink(s.victim, `${s.dlq}/shop/${run}`);
  const { status, error } = await quarantineStatus(s);
  assertEquals(status, "failed");
  assert(/symbolic link/.test(error ?? ""), error);
  assertEquals(await snapshot(s.victim), before);
});

Deno.test("a link planted at the Kontract's directory is refused; its target is untouched", async () => {
  await using tmp = await tempDir();
  const s = await scene(tmp.path);
  const before = await snapshot(s.victim);
  await Deno.mkdir(s.dlq, { recursive: true });
  await Deno.symlink(s.victim, `${s.dlq}/shop`);
  const { status, error } = await quarantineStatus(s);
  assertEquals(status, "failed");
  assert(/symbolic link/.test(error ?? ""), error);
  assertEquals(await snapshot(s.victim), before);
  assertEquals(await listFiles(s.victim), ["_manifest.json", "part-00000.parquet", "precious.txt"]);
});

Deno.test("links planted at file names inside a run directory are replaced, never followed", async () => {
  await using tmp = await tempDir();
  const s = await scene(tmp.path);
  const run = await runName(s);
  const before = await snapshot(s.victim);
  const dir = `${s.dlq}/shop/${run}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.symlink(`${s.victim}/part-00000.parquet`, `${dir}/part-00000.parquet`);
  await Deno.symlink(`${s.victim}/_manifest.json`, `${dir}/_manifest.json`);
  await Deno.symlink(`${s.victim}/precious.txt`, `${dir}/planted.txt`);
  const { status } = await quarantineStatus(s);
  assertEquals(status, "succeeded");
  assertEquals(await snapshot(s.victim), before);
  for (const name of ["part-00000.parquet", "_manifest.json"]) {
    assert(!(await Deno.lstat(`${dir}/${name}`)).isSymlink, `${name} is a file of ours now`);
  }
  // The planted link is not ours: it stays, and so does what it points to.
  assert((await Deno.lstat(`${dir}/planted.txt`)).isSymlink);
});

Deno.test("a directory planted at a file name is refused, not removed", async () => {
  await using tmp = await tempDir();
  const s = await scene(tmp.path);
  const run = await runName(s);
  const dir = `${s.dlq}/shop/${run}`;
  await Deno.mkdir(`${dir}/part-00000.parquet`, { recursive: true });
  await Deno.writeTextFile(`${dir}/part-00000.parquet/inside.txt`, "keep me too");
  const { status, error } = await quarantineStatus(s);
  assertEquals(status, "failed");
  assert(/is a directory/.test(error ?? ""), error);
  assertEquals(await Deno.readTextFile(`${dir}/part-00000.parquet/inside.txt`), "keep me too");
});

Deno.test("files of other runs and leftovers of crashed runs are never deleted", async () => {
  await using tmp = await tempDir();
  const s = await scene(tmp.path);
  await Deno.mkdir(`${s.dlq}/shop/.kontra-tmp-crashed`, { recursive: true });
  await Deno.writeTextFile(`${s.dlq}/shop/.kontra-tmp-crashed/x`, "old");
  const old = new Date(Date.now() - 24 * 3600 * 1000);
  await Deno.utime(`${s.dlq}/shop/.kontra-tmp-crashed`, old, old);
  await Deno.mkdir(`${s.dlq}/shop/other-run`);
  await Deno.writeTextFile(`${s.dlq}/shop/other-run/part-00000.parquet`, "another run");
  const { status } = await quarantineStatus(s);
  assertEquals(status, "succeeded");
  assertEquals(await Deno.readTextFile(`${s.dlq}/shop/.kontra-tmp-crashed/x`), "old");
  assertEquals(
    await Deno.readTextFile(`${s.dlq}/shop/other-run/part-00000.parquet`),
    "another run",
  );
});
