/**
 * `deno task bench:s3 [--rows 10000000]`: the benchmark Kontract on the same Parquet
 * files read locally and from an S3 API server on loopback (s3rver, in-process), in
 * the same run, plus the bytes the server sent against the objects' total size.
 * @module
 */
import { parseArgs } from "node:util";
import { ensureUsersData, parquetFiles } from "./data.ts";
import { validate } from "../mod.ts";
import { startS3Server } from "../tests/support/s3_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { rows: { type: "string", default: "10000000" } },
});
const rows = Number(values.rows);
const dir = await ensureUsersData(rows, 5_000_000, { log: (message) => console.error(message) });
const files = parquetFiles(dir).map((file) => file.name);
const server = await startS3Server();
try {
  await server.createBucket("bench");
  for (const name of files) await server.putFile("bench", `users/${name}`, `${dir}/${name}`);
  for (const [key, value] of Object.entries(server.env())) Deno.env.set(key, value);
  const run = async (data: string) => {
    server.resetBytes();
    const started = performance.now();
    const result = await validate("bench/users.yml", { data, timings: true });
    return {
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      bytes: server.bytesSent(),
      total: result.document.stats?.bytes_total,
      counts: result.results.map((r) => r.failed_count).join(","),
    };
  };
  const local = await run(dir);
  const s3 = await run("s3://bench/users/");
  const metadataOnly = await (async () => {
    server.resetBytes();
    const result = await validate({
      name: "meta",
      datasource: "s3://bench/users/",
      rules: [
        { name: "not_null", params: { column: "user_id" } },
        { name: "min_rows", params: { threshold: 1 } },
        { name: "dtype", params: { column: "email", type: "string" } },
      ],
    }, { timings: true });
    return { bytes: server.bytesSent(), total: result.document.stats?.bytes_total ?? 0 };
  })();
  console.log(JSON.stringify({ rows, local, s3, metadataOnly }, null, 2));
  console.log(
    `| rows | local s | S3 s | S3/local | S3 bytes sent / object bytes | metadata-only bytes |`,
  );
  console.log(`|---:|---:|---:|---:|---:|---:|`);
  console.log(
    `| ${rows} | ${local.seconds} | ${s3.seconds} | ${(s3.seconds / local.seconds).toFixed(2)} | ` +
      `${s3.bytes} / ${s3.total} | ${metadataOnly.bytes} (${
        (100 * metadataOnly.bytes / metadataOnly.total).toFixed(3)
      }%) |`,
  );
  if (local.counts !== s3.counts) throw new Error(`counts differ: ${local.counts} vs ${s3.counts}`);
} finally {
  await server.close();
}
