/**
 * `deno task compile [--target TRIPLE]`: the `kontra` single binary, made by `deno compile`.
 *
 * - Without `--target` it builds for this machine into `dist/kontra`; with one, into
 *   `dist/kontra-<platform>` (e.g. `dist/kontra-linux-arm64`).
 * - Polars and DuckDB are native addons in per-platform npm packages that their loaders
 *   `require()` by computed name, so the target's packages are passed with `--include`.
 * - `--self-extracting`: DuckDB's addon loads `libduckdb` from its own folder, which only
 *   works from real files, so the binary unpacks itself next to the executable on first run.
 * - `deno install` fetches only this machine's addon packages, so each target must be built on
 *   its own platform: the release workflow runs one runner per target.
 * - `deno compile` downloads the Deno runtime (`denort`) from Deno's CDN: without internet it
 *   fails within seconds ("error sending request for url (https://dl.deno.land/…)").
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The platforms released, with the npm packages that hold their native addons. */
export const TARGETS = {
  "x86_64-unknown-linux-gnu": {
    name: "linux-x64",
    addons: ["nodejs-polars-linux-x64-gnu", "@duckdb/node-bindings-linux-x64"],
  },
  "aarch64-unknown-linux-gnu": {
    name: "linux-arm64",
    addons: ["nodejs-polars-linux-arm64-gnu", "@duckdb/node-bindings-linux-arm64"],
  },
  "x86_64-apple-darwin": {
    name: "macos-x64",
    addons: ["nodejs-polars-darwin-x64", "@duckdb/node-bindings-darwin-x64"],
  },
  "aarch64-apple-darwin": {
    name: "macos-arm64",
    addons: ["nodejs-polars-darwin-arm64", "@duckdb/node-bindings-darwin-arm64"],
  },
} as const;

/** A target triple Kontra is released for. */
export type Target = keyof typeof TARGETS;

/** The triple of this machine, if Kontra is released for it. */
export function hostTarget(): Target | undefined {
  const triple = Deno.build.target;
  return triple in TARGETS ? triple as Target : undefined;
}

/** Where `deno install` put an npm package, e.g. `node_modules/.deno/@duckdb+x@1.0/node_modules/@duckdb/x`. */
export function packageDir(
  name: string,
  nodeModules = join(ROOT, "node_modules"),
): string | undefined {
  const prefix = `${name.replace("/", "+")}@`;
  for (const entry of Deno.readDirSync(join(nodeModules, ".deno"))) {
    if (entry.isDirectory && entry.name.startsWith(prefix)) {
      return join(nodeModules, ".deno", entry.name, "node_modules", name);
    }
  }
  return undefined;
}

/** The `deno compile` arguments for `target`, or the addon packages that are missing. */
export function compileArgs(
  target: Target,
  output: string,
  nodeModules = join(ROOT, "node_modules"),
): { args: string[] } | { missing: string[] } {
  const dirs = TARGETS[target].addons.map((name) => [name, packageDir(name, nodeModules)] as const);
  const missing = dirs.filter(([, dir]) => dir === undefined).map(([name]) => name);
  if (missing.length > 0) return { missing };
  return {
    args: [
      "compile",
      "--allow-all",
      "--frozen",
      "--self-extracting",
      "--target",
      target,
      ...dirs.flatMap(([, dir]) => ["--include", relative(ROOT, dir!)]),
      "--output",
      output,
      "cli.ts",
    ],
  };
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--target");
  const target = (at >= 0 ? Deno.args[at + 1] : hostTarget()) as Target | undefined;
  if (target === undefined || !(target in TARGETS)) {
    console.error(
      `compile: --target must be one of ${Object.keys(TARGETS).join(", ")}` +
        (at < 0 ? ` (this machine is ${Deno.build.target})` : ""),
    );
    Deno.exit(2);
  }
  const output = at >= 0 ? `dist/kontra-${TARGETS[target].name}` : "dist/kontra";
  const plan = compileArgs(target, output);
  if ("missing" in plan) {
    console.error(
      `compile: ${plan.missing.join(", ")} not installed: build ${target} on that platform ` +
        `after \`deno install\` (npm installs only this machine's native addons)`,
    );
    Deno.exit(2);
  }
  console.error(`deno ${plan.args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args: plan.args, cwd: ROOT }).spawn()
    .status;
  Deno.exit(code);
}
