/**
 * Generates the N-row, 10-column users dataset as Parquet, memory-flat: one chunk of
 * rows at a time, each written to its own file.
 *
 *   deno task gen:users --rows 10000000 --out bench/data/users_10m [--chunk 5000000]
 *
 * Writes `<out>/part-00000.parquet`, … and prints the total size.
 * @module
 */
import { parseArgs } from "node:util";
import { usersFrame } from "./users_data.ts";

/** Writes `rows` rows into `dir` in files of at most `chunk` rows; returns the file paths. */
export async function generateUsers(
  dir: string,
  rows: number,
  chunk = 5_000_000,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let start = 0, part = 0; start < rows; start += chunk, part++) {
    const path = `${dir}/part-${String(part).padStart(5, "0")}.parquet`;
    // The streaming sink, not writeParquet: nodejs-polars 0.25.2's eager writer doubles
    // null_count in the footer of dictionary-encoded column chunks of large row groups.
    usersFrame(start, Math.min(chunk, rows - start)).lazy()
      .sinkParquet(path, { compression: "zstd" })
      // deno-lint-ignore no-explicit-any
      .collectSync({ engine: "streaming" } as any);
    files.push(path);
  }
  return files;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: "1000000" },
      out: { type: "string" },
      chunk: { type: "string", default: "5000000" },
    },
  });
  const rows = Number(values.rows);
  const out = values.out ?? `bench/data/users_${rows}`;
  const files = await generateUsers(out, rows, Number(values.chunk));
  let bytes = 0;
  for (const file of files) bytes += (await Deno.stat(file)).size;
  console.log(
    `${rows} rows in ${files.length} files under ${out} (${(bytes / 1e6).toFixed(1)} MB)`,
  );
}
