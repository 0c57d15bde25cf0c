/**
 * `deno task bench:scale [--rows 100000000] [--chunk 5000000] [--runs 3] [--no-s3]
 *  [--rule-counts 1,5,10,20] [--hand polars+duckdb,duckdb] [--postgres-rows 5000000]
 *  [--no-postgres] [--name scale_100m]`
 *
 * The benchmark Kontract on N rows, locally and from an S3 server on loopback, each
 * figure next to its baselines (a bare Polars scan, hand-written queries) in the same
 * run; time per rule count; bytes read; PostgreSQL pushdown (bench/postgres.ts). Writes
 * `bench/results/<name>.json` and `<name>.md` and prints the Markdown.
 * @module
 */
import { parseArgs } from "node:util";
import { pushdownFigures } from "./pushdown.ts";
import { markdown, resultPath, ROOT, runSuite } from "./suite.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "100000000" },
    chunk: { type: "string", default: "5000000" },
    runs: { type: "string", default: "3" },
    "no-s3": { type: "boolean", default: false },
    "rule-counts": { type: "string", default: "1,5,10,20" },
    hand: { type: "string" },
    "postgres-rows": { type: "string", default: "5000000" },
    "no-postgres": { type: "boolean", default: false },
    name: { type: "string" },
  },
});
Deno.chdir(ROOT);
const rows = Number(values.rows);
const runs = Number(values.runs);
const log = (message: string) => console.error(`[bench:scale] ${message}`);
// Polars' nUnique keeps every distinct value (~150 bytes a row here): small data only.
const hand = values.hand?.split(",") ??
  ["polars+duckdb", "duckdb", ...(rows <= 20_000_000 ? ["polars"] : [])];
const started = performance.now();
const report = await runSuite({
  rows,
  chunk: Number(values.chunk),
  runs,
  s3: !values["no-s3"],
  ruleCounts: values["rule-counts"].split(",").map(Number),
  handVariants: hand,
  log,
});
const postgres = values["no-postgres"]
  ? undefined
  : await pushdownFigures(Number(values["postgres-rows"]), runs, log);
const name = values.name ?? `scale_${rows >= 1e6 ? `${rows / 1e6}m` : rows}`;
const full = { ...report, ...(postgres ? { postgres } : {}) };
await Deno.writeTextFile(resultPath(`${name}.json`), JSON.stringify(full, null, 2) + "\n");
let text = markdown(report);
if (postgres) {
  text +=
    `\nPostgreSQL pushdown: ${postgres.rows.toLocaleString("en")} rows, ${postgres.rules} rules: ` +
    `Kontra ${postgres.kontra_seconds} s, ONE hand-written query ${postgres.hand_written_seconds} s, ` +
    `ratio ${postgres.ratio}; Kontra sends ${postgres.statements} statement(s) in ` +
    `${postgres.round_trips} round trip(s).\n`;
}
await Deno.writeTextFile(resultPath(`${name}.md`), text);
console.log(text);
log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
