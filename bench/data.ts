/**
 * `deno task bench:data [--rows 100000000] [--chunk 5000000] [--out dir] [--force]
 *  [--s3-endpoint http://127.0.0.1:9000 --s3-bucket bench --s3-prefix users/]`
 *
 * Generates the 10-column users dataset (scripts/users_data.ts) as Parquet files of
 * `--chunk` rows each, one chunk in memory at a time, into `bench/data/users_<rows>`
 * (git-ignored); with `--s3-endpoint`, also uploads them there (credentials from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). A marker file records how the files were
 * made: data made by an older generator, or cut in other chunks, is made again.
 * @module
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parseArgs } from "node:util";
import { generateUsers } from "../scripts/generate_users.ts";

// 2: written by the streaming sink, whose footers hold exact null counts.
const GENERATOR = 2;
const MARKER = "_kontra_bench.json";

/** The dataset's directory, generated first unless it is already there as asked. */
export async function ensureUsersData(
  rows: number,
  chunk: number,
  options: { out?: string; force?: boolean; log?: (message: string) => void } = {},
): Promise<string> {
  const dir = options.out ?? `bench/data/users_${rows}`;
  const want = JSON.stringify({ generator: GENERATOR, rows, chunk });
  if (!options.force) {
    try {
      if ((await Deno.readTextFile(`${dir}/${MARKER}`)).trim() === want) return dir;
    } catch {
      // Missing: generate.
    }
  }
  options.log?.(`generating ${rows.toLocaleString("en")} rows into ${dir} …`);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const started = performance.now();
  await generateUsers(dir, rows, chunk);
  await Deno.writeTextFile(`${dir}/${MARKER}`, want + "\n");
  options.log?.(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The dataset's Parquet files, in order, with their sizes. */
export function parquetFiles(dir: string): { name: string; path: string; size: number }[] {
  return [...Deno.readDirSync(dir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".parquet"))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, path: `${dir}/${name}`, size: Deno.statSync(`${dir}/${name}`).size }));
}

/** Uploads the dataset's Parquet files under `prefix` (ending in `/`). */
export async function uploadUsersData(
  client: S3Client,
  dir: string,
  bucket: string,
  prefix: string,
): Promise<void> {
  for (const file of parquetFiles(dir)) {
    const body = await Deno.readFile(file.path);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: prefix + file.name, Body: body }),
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: "100000000" },
      chunk: { type: "string", default: "5000000" },
      out: { type: "string" },
      force: { type: "boolean", default: false },
      "s3-endpoint": { type: "string" },
      "s3-bucket": { type: "string", default: "bench" },
      "s3-prefix": { type: "string", default: "users/" },
    },
  });
  const log = (message: string) => console.error(message);
  const dir = await ensureUsersData(Number(values.rows), Number(values.chunk), {
    out: values.out,
    force: values.force,
    log,
  });
  const files = parquetFiles(dir);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  console.log(
    `${values.rows} rows in ${files.length} files under ${dir} (${(total / 1e6).toFixed(1)} MB)`,
  );
  const endpoint = values["s3-endpoint"];
  if (endpoint) {
    const client = new S3Client({
      endpoint,
      region: Deno.env.get("AWS_REGION") ?? "us-east-1",
      forcePathStyle: true,
      // Servers that predate flexible checksums (s3rver) store aws-chunked bodies verbatim.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    try {
      const bucket = values["s3-bucket"];
      await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error) => {
        if (!/BucketAlready(Exists|OwnedByYou)/.test(String(error?.name))) throw error;
      });
      await uploadUsersData(client, dir, bucket, values["s3-prefix"]);
      console.log(`uploaded to s3://${bucket}/${values["s3-prefix"]} at ${endpoint}`);
    } finally {
      client.destroy();
    }
  }
}
