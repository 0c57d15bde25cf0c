/**
 * `deno task install` puts a working `kontra` command on PATH: installed into a temporary
 * root (never the real ~/.deno), then run by name from a directory outside the clone.
 */
import { dirname, join } from "node:path";
import { assert, assertEquals } from "../support/assert.ts";
import { REPO, type Run, runDeno } from "../support/cli.ts";
import { fiveUsers, tempDir, writeText } from "../support/fixtures.ts";

/** Runs `script` with `sh` in `cwd` with exactly `env`; `sh` looks commands up in env.PATH. */
async function sh(script: string, cwd: string, env: Record<string, string>): Promise<Run> {
  const output = await new Deno.Command("sh", { args: ["-c", script], cwd, env, clearEnv: true })
    .output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const KONTRACT = `name: users
datasource: users.parquet
rules:
  - name: not_null
    params: { column: email }
  - name: unique
    params: { column: id }
`;

Deno.test("deno task install: the installed kontra runs from any directory", async () => {
  await using dir = await tempDir();
  const root = join(dir.path, "root");
  const bin = join(root, "bin");
  const tmp = join(dir.path, "tmp");
  const work = join(dir.path, "work");
  await Deno.mkdir(tmp);
  await Deno.mkdir(work);
  const repoLock = await Deno.readTextFile(join(REPO, "deno.lock"));
  const env = {
    HOME: Deno.env.get("HOME") ?? dir.path,
    ...(Deno.env.has("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    // The installed command is a shell script that runs `deno`: Deno must be on PATH.
    PATH: [bin, dirname(Deno.execPath()), Deno.env.get("PATH") ?? ""].join(":"),
    TMPDIR: tmp,
    NO_COLOR: "1",
  };

  const install = await runDeno(
    ["task", "--config", join(REPO, "deno.json"), "install", "--root", root],
    { cwd: work, env },
  );
  assertEquals(install.code, 0, install.stderr);
  assert(install.stdout.includes(`kontra installed: ${join(bin, "kontra")}\n`), install.stdout);
  assert(install.stdout.includes(`${bin} is on PATH`), install.stdout);
  const installedLock = await Deno.readTextFile(join(bin, ".kontra", "deno.lock"));

  const version = await sh("kontra --version", work, env);
  const { version: expected } = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  assertEquals(version, { code: 0, stdout: `${expected}\n`, stderr: "" });

  // Five users: email has 1 NULL, ids are unique. The failing blocking rule exits 1.
  fiveUsers().writeParquet(join(work, "users.parquet"));
  await writeText(work, "kontract.yml", KONTRACT);
  const run = await sh(
    "kontra validate kontract.yml --data users.parquet --output-format json",
    work,
    env,
  );
  assertEquals(run.code, 1, run.stderr);
  const document = JSON.parse(run.stdout);
  assertEquals(
    document.results.map((rule: { rule_id: string; failed_count: number }) => [
      rule.rule_id,
      rule.failed_count,
    ]),
    [["COL:email:not_null", 1], ["COL:id:unique", 0]],
  );
  assertEquals(run.stderr, "");

  // The command resolved its npm packages from the clone's lock: it re-resolved nothing,
  // and the clone's own lock was not written.
  assertEquals(await Deno.readTextFile(join(bin, ".kontra", "deno.lock")), installedLock);
  assertEquals(await Deno.readTextFile(join(REPO, "deno.lock")), repoLock);
  assertEquals([...Deno.readDirSync(tmp)].map((entry) => entry.name), [], "TMPDIR is empty");
  assertEquals([...Deno.readDirSync(work)].map((entry) => entry.name).sort(), [
    "kontract.yml",
    "users.parquet",
  ]);
});

Deno.test("deno task install: says when the command's directory is not on PATH", async () => {
  await using dir = await tempDir();
  const root = join(dir.path, "root");
  const bin = join(root, "bin");
  const tmp = join(dir.path, "tmp");
  await Deno.mkdir(tmp);
  const install = await runDeno(["run", "-A", join(REPO, "scripts/install.ts")], {
    cwd: dir.path,
    env: {
      HOME: Deno.env.get("HOME") ?? dir.path,
      ...(Deno.env.has("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      PATH: [dirname(Deno.execPath()), Deno.env.get("PATH") ?? ""].join(":"),
      KONTRA_INSTALL_ROOT: root,
      TMPDIR: tmp,
      NO_COLOR: "1",
    },
  });
  assertEquals(install.code, 0, install.stderr);
  assert(install.stdout.includes(`${bin} is NOT on PATH; add it`), install.stdout);
  assert((await Deno.stat(join(bin, "kontra"))).isFile);
  assertEquals([...Deno.readDirSync(tmp)].map((entry) => entry.name), [], "TMPDIR is empty");
});
