/**
 * `deno task install`: puts a `kontra` command on PATH that runs this clone's cli.ts with
 * this clone's deno.json (its import map and lock), from any working directory.
 *
 * It wraps `deno install --global`, passing absolute paths so the installed command does
 * not depend on where it is run. The installation root is `--root <dir>`, else
 * `KONTRA_INSTALL_ROOT`, else Deno's own default (`DENO_INSTALL_ROOT`, else `~/.deno`);
 * the command lands in `<root>/bin`. Needs no network once `deno install --frozen` ran.
 *
 * Deno 2.9.6 copies deno.json to `<root>/bin/.kontra/` and runs the command with that copy,
 * but does not copy deno.lock: without it the command would re-resolve the npm packages
 * (newer transitive versions, from the network). So the install resolves from a copy of
 * the clone's lock (the clone's own lock is never written) and that lock is put next to
 * the copied deno.json.
 * @module
 */
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));

/** The root given by `--root <dir>` or `--root=<dir>`, if any. */
function rootArgument(args: string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg === "--root") return args[index + 1];
    if (arg.startsWith("--root=")) return arg.slice("--root=".length);
  }
  return undefined;
}

/** The directory `deno install --global` writes the command into, as Deno chooses it. */
function binDirectory(root: string | undefined): string {
  if (root !== undefined) return join(resolve(root), "bin");
  const fromEnv = Deno.env.get("DENO_INSTALL_ROOT");
  if (fromEnv) return join(resolve(fromEnv), "bin");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return join(home, ".deno", "bin");
}

/** Whether `dir` is one of the entries of PATH. */
function onPath(dir: string): boolean {
  const entries = (Deno.env.get("PATH") ?? "").split(delimiter).filter((entry) => entry !== "");
  return entries.some((entry) => resolve(entry) === dir);
}

async function install(args: string[]): Promise<number> {
  const root = rootArgument(args) ?? Deno.env.get("KONTRA_INSTALL_ROOT");
  const scratch = await Deno.makeTempDir({ prefix: "kontra-install-" });
  try {
    const lock = join(scratch, "deno.lock");
    await Deno.copyFile(join(REPO, "deno.lock"), lock);
    return await installWithLock(root, lock);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

async function installWithLock(root: string | undefined, lock: string): Promise<number> {
  const command = [
    "install",
    "--global",
    "--allow-all",
    "--force",
    "--name",
    "kontra",
    "--config",
    join(REPO, "deno.json"),
    "--lock",
    lock,
    ...(root === undefined ? [] : ["--root", resolve(root)]),
    join(REPO, "cli.ts"),
  ];
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: command,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`kontra was not installed: deno ${command.join(" ")} exited with ${code}`);
    return code;
  }
  const bin = binDirectory(root);
  const copiedConfig = join(bin, ".kontra");
  if (!existsSync(join(copiedConfig, "deno.json"))) {
    console.error(`kontra was installed but ${copiedConfig}/deno.json is missing: no lock copied`);
    return 1;
  }
  await Deno.copyFile(lock, join(copiedConfig, "deno.lock"));
  console.log(`kontra installed: ${join(bin, "kontra")}`);
  if (onPath(bin)) {
    console.log(`${bin} is on PATH: run \`kontra --help\``);
  } else {
    console.log(`${bin} is NOT on PATH; add it, e.g. export PATH="${bin}:$PATH"`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await install(Deno.args));
