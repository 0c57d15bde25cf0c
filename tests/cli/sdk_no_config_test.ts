/**
 * The SDK without the clone's deno.json: a script in a directory outside the clone imports
 * `file://<clone>/mod.ts` and runs with `--no-config`. This works because every npm import
 * mod.ts reaches is a pinned `npm:name@version` specifier, not a name from the import map.
 */
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "../support/assert.ts";
import { REPO, runDeno } from "../support/cli.ts";
import { fiveUsers, tempDir, writeText } from "../support/fixtures.ts";

/** Validates an in-memory Kontract and prints `[rule_id, failed_count]` per rule and the verdict. */
function script(parquet: string): string {
  return `import { validate } from ${JSON.stringify(pathToFileURL(join(REPO, "mod.ts")).href)};
const result = await validate({
  name: "users",
  datasource: ${JSON.stringify(parquet)},
  rules: [
    { name: "not_null", params: { column: "email" } },
    { name: "unique", params: { column: "email" } },
    { name: "unique", params: { column: "id" } },
  ],
});
console.log(JSON.stringify({
  passed: result.passed,
  counts: result.results.map((rule) => [rule.rule_id, rule.failed_count]),
}));
`;
}

const FLAG_SETS: Record<string, string[]> = {
  "no config": [],
  // Offline, with exactly the clone's locked versions of every transitive package.
  "no config, the clone's lock, cached only": [
    `--lock=${join(REPO, "deno.lock")}`,
    "--frozen",
    "--cached-only",
  ],
};

for (const [title, flags] of Object.entries(FLAG_SETS)) {
  Deno.test(`SDK from outside the clone (${title}): validates a Parquet file`, async () => {
    await using dir = await tempDir();
    const tmp = join(dir.path, "tmp");
    const work = join(dir.path, "work");
    await Deno.mkdir(tmp);
    await Deno.mkdir(work);
    const parquet = join(work, "users.parquet");
    // Five users: email has 1 NULL and 1 duplicate ("a@x.io" twice); ids are unique.
    fiveUsers().writeParquet(parquet);
    await writeText(work, "check.ts", script(parquet));
    const repoLock = await Deno.readTextFile(join(REPO, "deno.lock"));

    const run = await runDeno(["run", "-A", "--no-config", ...flags, "check.ts"], {
      cwd: work,
      env: {
        HOME: Deno.env.get("HOME") ?? dir.path,
        ...(Deno.env.has("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        PATH: [dirname(Deno.execPath()), Deno.env.get("PATH") ?? ""].join(":"),
        TMPDIR: tmp,
        NO_COLOR: "1",
      },
    });

    assertEquals(run.code, 0, run.stderr);
    assertEquals(JSON.parse(run.stdout), {
      passed: false,
      counts: [["COL:email:not_null", 1], ["COL:email:unique", 1], ["COL:id:unique", 0]],
    });
    // No config means no lock and no node_modules written next to the script, and the
    // clone's lock is only read.
    assertEquals([...Deno.readDirSync(work)].map((entry) => entry.name).sort(), [
      "check.ts",
      "users.parquet",
    ]);
    assertEquals(await Deno.readTextFile(join(REPO, "deno.lock")), repoLock);
    assertEquals([...Deno.readDirSync(tmp)].map((entry) => entry.name), [], "TMPDIR is empty");
  });
}

/** Every `.ts` file under `dir`. */
function sources(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

// Static and dynamic imports in code (doc-comment examples, which start with `*`, are skipped).
const SPECIFIER = /^(?!\s*\*).*?(?:\bfrom\s+|\bimport\(\s*)"([^"]+)"/gm;

Deno.test("src/ imports npm packages only as pinned npm:name@version specifiers", () => {
  const bare = [join(REPO, "mod.ts"), ...sources(join(REPO, "src"))].flatMap((file) =>
    [...Deno.readTextFileSync(file).matchAll(SPECIFIER)]
      .map((match) => match[1])
      .filter((specifier) => !/^(\.{1,2}\/|node:|npm:[^@]+@\d|npm:@[^@]+@\d)/.test(specifier))
      .map((specifier) => `${file.slice(REPO.length)}: ${specifier}`)
  );
  assertEquals(bare, []);
});
