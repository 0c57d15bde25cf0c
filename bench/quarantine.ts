/**
 * `deno task bench:quarantine [--rows 10000000] [--case nulls|all] [--format parquet|csv]`:
 * time and peak RSS of quarantining the users dataset's violating rows. Validation runs
 * first without actions; the figure is `result.quarantine()` alone (peak RSS is the
 * process's, validation included). `nulls` quarantines `not_null(email)` only:
 * 103,093 rows of 10M (i % 97 == 0); `all` uses every row rule of bench/users.yml.
 * Prints one JSON line; run it twice to see the second run rewrite identical bytes.
 * @module
 */
import { parseArgs } from "node:util";
import { validate } from "../mod.ts";
import { peakRssBytes } from "../src/engine/peak_rss.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "10000000" },
    case: { type: "string", default: "nulls" },
    format: { type: "string", default: "parquet" },
    out: { type: "string" },
  },
});
const data = `bench/data/users_${values.rows}`;
const kontract = values.case === "nulls"
  ? { name: "users_quarantine_bench", rules: [{ name: "not_null", params: { column: "email" } }] }
  : "bench/users.yml";
const out = values.out ?? await Deno.makeTempDir({ prefix: "kontra-bench-dlq-" });

const validated = performance.now();
const result = await validate(kontract, { data, actions: false });
const started = performance.now();
const action = await result.quarantine({
  location: out,
  format: values.format as "parquet" | "csv",
});
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  dataset_rows: Number(values.rows),
  case: values.case,
  format: values.format,
  validate_seconds: Math.round((started - validated) / 10) / 100,
  quarantine_seconds: Math.round(seconds * 100) / 100,
  peak_rss_mb: Math.round(peakRssBytes() / 1e6),
  ...action,
}));
if (values.out === undefined) await Deno.remove(out, { recursive: true });
