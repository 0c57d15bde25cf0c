/**
 * The JSR package and the single binary, without the network: the doc-lint filter, the
 * published file set, and the `deno compile` arguments per target (compiling itself needs
 * Deno's CDN and runs only in the release workflow).
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compileArgs, packageDir, TARGETS } from "../../scripts/compile.ts";
import { realDiagnostics } from "../../scripts/doc_lint.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

const diagnostic = (kind: string, text: string) =>
  `error[${kind}]: ${text}\n  --> /repo/src/x.ts:1:1\n   | \n 1 | export x\n   | ^\n\n`;

Deno.test("doc lint: npm types are tolerated, everything else is reported", () => {
  const output = [
    diagnostic("private-type-ref", "public type 'A[\"p\"]' references private type 'ZodType'"),
    diagnostic("private-type-ref", "public type 'B' references private type 'Expr'"),
    diagnostic("private-type-ref", "public type 'C' references private type 'LocalThing'"),
    diagnostic("missing-jsdoc", "exported symbol is missing JSDoc documentation"),
    "error: Found 4 documentation lint errors.\n\nStack backtrace:\n   0: <unknown>\n",
  ].join("");
  const kept = realDiagnostics(output);
  assert.equal(kept.length, 2);
  assert.match(kept[0], /private type 'LocalThing'/);
  assert.match(kept[1], /^error\[missing-jsdoc\]/);
  assert.ok(kept.every((block) => !/Found \d+|Stack backtrace/.test(block)));
  assert.deepEqual(realDiagnostics(""), []);
});

Deno.test("jsr: the package publishes the SDK, the CLI and the schema only", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  assert.equal(config.name, "@kontra/kontra");
  assert.deepEqual(config.exports, { ".": "./mod.ts", "./cli": "./cli.ts" });
  for (const path of ["mod.ts", "cli.ts", "src/", "schema/", "README.md"]) {
    assert.ok(config.publish.include.includes(path), path);
  }
  assert.match(config.tasks.compile, /scripts\/compile\.ts/);
});

Deno.test("compile: each target includes its own native addons and self-extracts", async () => {
  const nodeModules = await Deno.makeTempDir({ prefix: "kontra-compile-" });
  try {
    await Deno.mkdir(join(nodeModules, ".deno"));
    const target = "aarch64-apple-darwin";
    assert.deepEqual(compileArgs(target, "dist/k", nodeModules), {
      missing: ["nodejs-polars-darwin-arm64", "@duckdb/node-bindings-darwin-arm64"],
    });
    const dirs = TARGETS[target].addons.map((name) => {
      const dir = join(
        nodeModules,
        ".deno",
        `${name.replace("/", "+")}@1.0.0`,
        "node_modules",
        name,
      );
      Deno.mkdirSync(dir, { recursive: true });
      return dir;
    });
    assert.equal(packageDir("@duckdb/node-bindings-darwin-arm64", nodeModules), dirs[1]);
    const plan = compileArgs(target, "dist/kontra-macos-arm64", nodeModules);
    assert.ok("args" in plan);
    assert.deepEqual(plan.args, [
      "compile",
      "--allow-all",
      "--frozen",
      "--self-extracting",
      "--target",
      "aarch64-apple-darwin",
      "--include",
      relative(REPO, dirs[0]),
      "--include",
      relative(REPO, dirs[1]),
      "--output",
      "dist/kontra-macos-arm64",
      "cli.ts",
    ]);
  } finally {
    await Deno.remove(nodeModules, { recursive: true });
  }
});

Deno.test("compile: the four released platforms", () => {
  assert.deepEqual(
    Object.entries(TARGETS).map(([triple, { name }]) => `${triple} → ${name}`),
    [
      "x86_64-unknown-linux-gnu → linux-x64",
      "aarch64-unknown-linux-gnu → linux-arm64",
      "x86_64-apple-darwin → macos-x64",
      "aarch64-apple-darwin → macos-arm64",
    ],
  );
});
