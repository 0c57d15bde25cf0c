/**
 * The baseline: a bare streaming Polars pass over the same columns Kontra reads,
 * touching every value once. Prints its peak RSS as JSON.
 *
 *   deno run -A bench/bare_scan.ts <dir-or-file> <column>…
 * @module
 */
import pl from "nodejs-polars";
import { peakRssBytes } from "../src/engine/peak_rss.ts";

const [target, ...columns] = Deno.args;
const files = (await Deno.stat(target)).isDirectory
  ? [...Deno.readDirSync(target)].map((entry) => `${target}/${entry.name}`).sort()
  : [target];
const scan = pl.concat(files.map((file) => pl.scanParquet(file)), { how: "vertical" });
const counts = scan.select(...columns.map((c) => pl.col(c).isNull().sum().alias(c)))
  // deno-lint-ignore no-explicit-any
  .collectSync({ engine: "streaming" } as any);
console.log(JSON.stringify({ peak_rss_bytes: peakRssBytes(), nulls: counts.toRecords()[0] }));
