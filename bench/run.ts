/**
 * `deno task bench [--rows 1000000,10000000] [--runs 3]`: wall time and peak RSS of
 * `kontra validate` on the users dataset next to a bare Polars scan of the same
 * columns in the same run. Seconds are noisy on shared machines; the ratio is the
 * figure to watch. Writes bench/results/local.json and prints a Markdown table.
 * @module
 */
import { parseArgs } from "node:util";
import { ensureUsersData } from "./data.ts";
import { measureDeno, median } from "./measure.ts";

const COLUMNS = ["user_id", "email", "name", "country", "status", "age"];

interface Row {
  rows: number;
  kontra_seconds: number;
  bare_seconds: number;
  ratio: number;
  kontra_peak_rss_mb: number;
  bare_peak_rss_mb: number;
}

function ensureData(rows: number): Promise<string> {
  return ensureUsersData(rows, 5_000_000, { log: (message) => console.error(message) });
}

async function benchRows(rows: number, runs: number): Promise<Row> {
  const dir = await ensureData(rows);
  const kontra = [];
  const bare = [];
  for (let run = 0; run < runs; run++) {
    kontra.push(
      await measureDeno(
        ["cli.ts", "validate", "bench/users.yml", "--data", dir, "-o", "json", "--timings"],
      ),
    );
    bare.push(await measureDeno(["bench/bare_scan.ts", dir, ...COLUMNS]));
  }
  const kontraSeconds = median(kontra.map((run) => run.seconds));
  const bareSeconds = median(bare.map((run) => run.seconds));
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  return {
    rows,
    kontra_seconds: Number(kontraSeconds.toFixed(2)),
    bare_seconds: Number(bareSeconds.toFixed(2)),
    ratio: Number((kontraSeconds / bareSeconds).toFixed(2)),
    kontra_peak_rss_mb: mb(Math.max(...kontra.map((run) => run.peakRssBytes))),
    bare_peak_rss_mb: mb(Math.max(...bare.map((run) => run.peakRssBytes))),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: "1000000" },
      runs: { type: "string", default: "3" },
    },
  });
  const table: Row[] = [];
  for (const rows of values.rows.split(",").map(Number)) {
    table.push(await benchRows(rows, Number(values.runs)));
  }
  await Deno.mkdir("bench/results", { recursive: true });
  await Deno.writeTextFile("bench/results/local.json", JSON.stringify(table, null, 2) + "\n");
  console.log("| rows | kontra s | bare scan s | ratio | kontra peak RSS MB | bare peak RSS MB |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const row of table) {
    console.log(
      `| ${row.rows} | ${row.kontra_seconds} | ${row.bare_seconds} | ${row.ratio} | ${row.kontra_peak_rss_mb} | ${row.bare_peak_rss_mb} |`,
    );
  }
}
