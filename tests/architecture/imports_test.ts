/**
 * The folders of `src/` depend one way only. Each folder has a layer; a module may import
 * from its own layer or a lower one, never a higher one, and no chain of imports between
 * modules comes back to where it started. Read from the source text, so a new import is
 * checked the moment it is written.
 */
import { dirname, join, relative, resolve } from "node:path";
import { assertEquals } from "../support/assert.ts";

/** Lowest first: core knows nothing of Kontra's other parts; the entry points know all. */
const LAYERS = [
  "core",
  "sql",
  "rules",
  "storage",
  "sources",
  "databases",
  "kontract",
  "report",
  "engine",
  "actions",
  "integrations",
  ".", // src/*.ts: the SDK's entry points and the one place that opens any datasource
];

const SRC = resolve(import.meta.dirname!, "../../src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function modules(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory) return modules(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The relative imports of a module, static and dynamic, as absolute paths. */
function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(file);
  return [...text.matchAll(IMPORT), ...text.matchAll(DYNAMIC)]
    .map((match) => resolve(dirname(file), match[1]));
}

/** The layer of a module: its top folder under src/. */
function layerOf(file: string): string {
  const top = relative(SRC, file).split("/");
  return top.length === 1 ? "." : top[0];
}

const graph = new Map(modules(SRC).map((file) => [file, importsOf(file)]));

Deno.test("every folder of src/ has a layer", () => {
  const folders = [...new Set([...graph.keys()].map(layerOf))].sort();
  assertEquals(folders.filter((folder) => !LAYERS.includes(folder)), []);
});

Deno.test("no module imports from a higher layer", () => {
  const upward: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      if (!target.startsWith(SRC)) continue;
      if (LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file))) {
        upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
  }
  assertEquals(upward, []);
});

Deno.test("no import cycle between modules", () => {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (state.get(target) === "open") {
        const loop = path.slice(path.indexOf(target)).map((step) => relative(SRC, step));
        cycles.push([...loop, relative(SRC, target)].join(" -> "));
      } else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  assertEquals(cycles, []);
});
