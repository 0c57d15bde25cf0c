/**
 * Proves the S3 test server and pins down how nodejs-polars, hyparquet and the AWS SDK behave
 * against it. The numbers asserted here are the facts Kontra's S3 source is designed on, and
 * each step logs what it measured (bytes, requests, timings).
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { type FileMetaData, parquetMetadata, parquetMetadataAsync } from "hyparquet";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type S3TestServer, startS3Server } from "./s3_server.ts";

const BUCKET = "kontra-data";
const ROWS = 200_000;
const ROW_GROUP = 50_000;
// Observed in nodejs-polars 0.25.2: its first read of a Parquet object is always the last
// 64 KiB (whole footer in one go), re-fetched on every scan (no metadata cache across scans).
const POLARS_FOOTER_PREFETCH = 64 * 1024;

// The streaming engine is only reachable through the (blocking) collectSync.
const STREAMING = { engine: "streaming" } as const;

function cloudOptions(s3: S3TestServer, overrides: Record<string, string> = {}) {
  // Strings only: a boolean value makes polars drop every option and go to real AWS.
  return {
    aws_endpoint_url: s3.endpoint,
    aws_region: s3.region,
    aws_access_key_id: s3.accessKeyId,
    aws_secret_access_key: s3.secretAccessKey,
    ...overrides,
  };
}

/** Small deterministic PRNG so the fixture is the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ten columns: sorted ids (for row-group skipping), ints, floats, bools and strings. */
function makeFrame(rows: number, seed: number, idOffset = 0): pl.DataFrame {
  const rand = prng(seed);
  const countries = ["DE", "FR", "US", "BR", "JP", "IN", "NG", "AU"];
  const id: number[] = [], grp: number[] = [], amount: number[] = [], ts: number[] = [];
  const score: number[] = [], active: boolean[] = [];
  const country: string[] = [], name: string[] = [], email: string[] = [], note: string[] = [];
  for (let i = 0; i < rows; i++) {
    const n = idOffset + i;
    id.push(n);
    grp.push(n % 100);
    amount.push(Math.floor(rand() * 1e9));
    ts.push(1_700_000_000_000 + n * 1000);
    score.push(rand());
    active.push(rand() < 0.5);
    country.push(countries[Math.floor(rand() * countries.length)]);
    name.push(`user_${n}`);
    email.push(`user${n}@example.com`);
    note.push(Math.floor(rand() * 2 ** 52).toString(36).repeat(1 + (n % 3)));
  }
  return pl.DataFrame([
    pl.Series("id", id, pl.Int64),
    pl.Series("grp", grp, pl.Int32),
    pl.Series("amount", amount, pl.Int64),
    pl.Series("score", score, pl.Float64),
    pl.Series("active", active, pl.Bool),
    pl.Series("country", country, pl.Utf8),
    pl.Series("name", name, pl.Utf8),
    pl.Series("email", email, pl.Utf8),
    pl.Series("note", note, pl.Utf8),
    pl.Series("ts", ts, pl.Int64),
  ]);
}

function writeParquet(df: pl.DataFrame, path: string) {
  df.lazy().sinkParquet(path, { rowGroupSize: ROW_GROUP }).collectSync();
}

async function localMetadata(path: string): Promise<FileMetaData> {
  const bytes = await Deno.readFile(path);
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Sum of the compressed sizes of one column's chunks, over all row groups or some. */
function columnBytes(meta: FileMetaData, column: string, rowGroups?: number[]): number {
  let total = 0;
  meta.row_groups.forEach((rg, index) => {
    if (rowGroups && !rowGroups.includes(index)) return;
    for (const chunk of rg.columns) {
      if (chunk.meta_data?.path_in_schema.join(".") === column) {
        total += Number(chunk.meta_data.total_compressed_size);
      }
    }
  });
  return total;
}

/** Index of the row group holding row `row` (rows are numbered across the file). */
function rowGroupOfRow(meta: FileMetaData, row: number): number {
  let end = 0;
  for (const [index, rg] of meta.row_groups.entries()) {
    end += Number(rg.num_rows);
    if (row < end) return index;
  }
  throw new Error(`row ${row} is past the end`);
}

async function objectSize(client: S3Client, bucket: string, key: string): Promise<number> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.ContentLength ?? -1;
}

/** hyparquet AsyncBuffer over S3: HeadObject for the size, explicit `bytes=a-b` ranges. */
async function s3AsyncBuffer(client: S3Client, bucket: string, key: string) {
  const byteLength = await objectSize(client, bucket, key);
  return {
    byteLength,
    async slice(start: number, end = byteLength): Promise<ArrayBuffer> {
      const got = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
      );
      const bytes = await got.Body!.transformToByteArray();
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
  };
}

/** Runs `fn`, returning its result (or thrown error) and how long it took. */
function timed<T>(fn: () => T): { value?: T; error?: Error; ms: number } {
  const start = performance.now();
  try {
    const value = fn();
    return { value, ms: performance.now() - start };
  } catch (error) {
    return { error: error as Error, ms: performance.now() - start };
  }
}

async function timedAsync<T>(
  fn: () => Promise<T>,
): Promise<{ value?: T; error?: Error; ms: number }> {
  const start = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - start };
  } catch (error) {
    return { error: error as Error, ms: performance.now() - start };
  }
}

async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Promise.resolve();
  return port;
}

function report(label: string, facts: Record<string, unknown>) {
  console.log(`[s3 facts] ${label}: ${JSON.stringify(facts)}`);
}

Deno.test("s3 test server: bytes are counted exactly and SigV4 is enforced", async () => {
  const s3 = await startS3Server();
  try {
    await s3.createBucket(BUCKET);
    const body = new TextEncoder().encode("0123456789abcdefghij");
    await s3.putBytes(BUCKET, "small.txt", body);

    s3.resetBytes();
    const full = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "small.txt" }));
    assert.equal(await full.Body!.transformToString(), "0123456789abcdefghij");
    assert.equal(s3.bytesSent(), 20);

    s3.resetBytes();
    const part = await s3.client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "small.txt", Range: "bytes=3-6" }),
    );
    assert.equal(await part.Body!.transformToString(), "3456");
    assert.equal(s3.bytesSent(), 4);

    // s3rver alone would answer bytes=-5 with bytes 0-5; the server fixes suffix ranges.
    s3.resetBytes();
    const tail = await s3.client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: "small.txt", Range: "bytes=-5" }),
    );
    assert.equal(await tail.Body!.transformToString(), "fghij");
    assert.equal(tail.ContentRange, "bytes 15-19/20");
    assert.equal(s3.bytesSent(), 5);

    s3.resetBytes();
    assert.equal(await objectSize(s3.client, BUCKET, "small.txt"), 20);
    assert.equal(s3.bytesSent(), 0, "HEAD sends no body");
    assert.deepEqual(s3.requests(), [{
      method: "HEAD",
      path: `/${BUCKET}/small.txt`,
      status: 200,
    }]);

    // A wrong secret must fail as on real S3 (s3rver by itself accepts any V4 signature).
    const wrong = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    try {
      await assert.rejects(
        wrong.send(new GetObjectCommand({ Bucket: BUCKET, Key: "small.txt" })),
        { name: "SignatureDoesNotMatch" },
      );
    } finally {
      wrong.destroy();
    }
    assert.equal(s3.env().AWS_ENDPOINT_URL, s3.endpoint);
  } finally {
    await s3.close();
  }
});

Deno.test("s3: polars, hyparquet and the AWS SDK against the test server", async (t) => {
  const s3 = await startS3Server();
  const dir = await Deno.makeTempDir({ prefix: "kontra-s3-test-" });
  try {
    await s3.createBucket(BUCKET);
    const localParquet = `${dir}/events.parquet`;
    const localCsv = `${dir}/events.csv`;
    const frame = makeFrame(ROWS, 42);
    writeParquet(frame, localParquet);
    frame.writeCSV(localCsv);
    const meta = await localMetadata(localParquet);
    const parquetSize = (await Deno.stat(localParquet)).size;
    const csvSize = (await Deno.stat(localCsv)).size;

    await t.step("(1) upload a polars-written Parquet file and a CSV", async () => {
      assert.equal(Number(meta.num_rows), ROWS);
      assert.equal(meta.row_groups.length, ROWS / ROW_GROUP);
      assert.equal(meta.schema.length - 1, 10);
      await s3.putFile(BUCKET, "events.parquet", localParquet);
      await s3.putFile(BUCKET, "events.csv", localCsv);
      assert.equal(await objectSize(s3.client, BUCKET, "events.parquet"), parquetSize);
      assert.equal(await objectSize(s3.client, BUCKET, "events.csv"), csvSize);
      report("fixture", {
        parquetSize,
        csvSize,
        rowGroups: meta.row_groups.length,
        footerBytes: Number(meta.metadata_length),
      });
    });

    await t.step("(2) scanParquet over s3, one column, streaming collect", () => {
      const query = (source: string, opts = {}) =>
        pl.scanParquet(source, opts).select(pl.col("grp").sum().alias("sum"), pl.len().alias("n"));
      const local = query(localParquet).collectSync(STREAMING);

      s3.resetBytes();
      const remote = timed(() =>
        query(`s3://${BUCKET}/events.parquet`, { cloudOptions: cloudOptions(s3) }).collectSync(
          STREAMING,
        )
      );
      assert.ifError(remote.error);
      const oneColumnBytes = s3.bytesSent();
      const oneColumnRequests = s3.requests();
      assert.deepEqual(remote.value!.toRecords(), local.toRecords());
      assert.deepEqual(local.toRecords(), [{ sum: 99 * 50 * (ROWS / 100), n: ROWS }]);

      // Only the footer and the grp chunks should travel, not the other nine columns.
      const grpBytes = columnBytes(meta, "grp");
      assert.equal(oneColumnBytes, POLARS_FOOTER_PREFETCH + grpBytes);
      // One HEAD, one footer GET, then one GET per row group for the column.
      assert.deepEqual(
        oneColumnRequests.map((r) => r.method),
        ["HEAD", "GET", ...meta.row_groups.map(() => "GET")],
      );

      s3.resetBytes();
      const all = timed(() =>
        pl.scanParquet(`s3://${BUCKET}/events.parquet`, { cloudOptions: cloudOptions(s3) })
          .collectSync(STREAMING)
      );
      assert.ifError(all.error);
      assert.equal(all.value!.height, ROWS);
      const allBytes = s3.bytesSent();
      // Everything but the footer region once, plus the 64 KiB footer prefetch.
      assert.ok(allBytes > parquetSize * 0.99, `${allBytes} of ${parquetSize}`);
      assert.ok(allBytes <= parquetSize + POLARS_FOOTER_PREFETCH, `${allBytes} of ${parquetSize}`);

      report("parquet one column", {
        objectSize: parquetSize,
        bytesSent: oneColumnBytes,
        grpChunkBytes: grpBytes,
        percent: +(100 * oneColumnBytes / parquetSize).toFixed(2),
        requests: oneColumnRequests.length,
        gets: oneColumnRequests.filter((r) => r.method === "GET").map((r) => r.range),
        heads: oneColumnRequests.filter((r) => r.method === "HEAD").length,
        ms: Math.round(remote.ms),
      });
      report("parquet all columns", {
        bytesSent: allBytes,
        requests: s3.requests().length,
        ms: Math.round(all.ms),
      });
    });

    await t.step(
      "(2b) credentials from AWS_* environment variables instead of cloudOptions",
      () => {
        const saved = new Map(Object.keys(s3.env()).map((k) => [k, Deno.env.get(k)]));
        for (const [k, v] of Object.entries(s3.env())) Deno.env.set(k, v);
        try {
          const run = timed(() =>
            pl.scanParquet(`s3://${BUCKET}/events.parquet`).select(pl.len()).collectSync(STREAMING)
          );
          report("parquet via env", { ok: !run.error, error: run.error?.message, ms: run.ms });
          assert.ifError(run.error);
          assert.equal(run.value!.getColumns()[0].get(0), ROWS);
        } finally {
          for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
        }
      },
    );

    await t.step("(3) scanCSV over s3 with cloudOptions", () => {
      const query = (source: string, opts = {}) =>
        pl.scanCSV(source, opts).select(pl.col("grp").sum().alias("sum"), pl.len().alias("n"));
      const local = query(localCsv).collectSync(STREAMING);
      s3.resetBytes();
      const remote = timed(() =>
        query(`s3://${BUCKET}/events.csv`, { cloudOptions: cloudOptions(s3) }).collectSync(
          STREAMING,
        )
      );
      assert.ifError(remote.error);
      assert.deepEqual(remote.value!.toRecords(), local.toRecords());
      const firstBytes = s3.bytesSent();
      const requests = s3.requests().map((r) => `${r.method} ${r.range ?? ""}`.trim());

      // Same query again: is the download cached between scans?
      s3.resetBytes();
      const again = timed(() =>
        query(`s3://${BUCKET}/events.csv`, { cloudOptions: cloudOptions(s3) }).collectSync(
          STREAMING,
        )
      );
      assert.ifError(again.error);
      report("csv one column", {
        objectSize: csvSize,
        bytesSent: firstBytes,
        requests,
        ms: Math.round(remote.ms),
        secondScan: { bytesSent: s3.bytesSent(), requests: s3.requests().length, ms: again.ms },
      });
      // No column layout in CSV: the whole object travels even for one column, after a
      // 64 KiB schema-inference read and two 4-byte compression sniffs.
      assert.deepEqual(requests, [
        "HEAD",
        "GET bytes=0-3",
        "GET bytes=0-65535",
        "HEAD",
        "GET bytes=0-3",
        `GET bytes=0-${csvSize - 1}`,
      ]);
      assert.equal(firstBytes, csvSize + 65_536 + 8);
    });

    await t.step("(4) glob and prefix scans over three Parquet files", async () => {
      const put = async (key: string, rows: number, seed: number, idOffset: number) => {
        const path = `${dir}/${key.replaceAll("/", "_")}`;
        writeParquet(makeFrame(rows, seed, idOffset), path);
        await s3.putFile(BUCKET, key, path);
      };
      for (let i = 0; i < 3; i++) await put(`multi/part-${i}.parquet`, 1000, 7 + i, i * 1000);
      // Beside the data: a Spark-style marker and a nested "directory".
      await s3.putBytes(BUCKET, "multi/_SUCCESS", new Uint8Array());
      await put("multi/sub/part-9.parquet", 1000, 99, 9000);
      // A prefix holding a visible non-Parquet file.
      await put("junk/part-0.parquet", 1000, 5, 0);
      await s3.putBytes(BUCKET, "junk/readme.txt", new TextEncoder().encode("not parquet"));

      const outcomes: Record<string, Record<string, unknown>> = {};
      for (
        const pattern of [
          "multi/*.parquet",
          "multi/part-*.parquet",
          "multi/**/*.parquet",
          "multi/",
          "multi",
          "mult*/*.parquet",
          "junk/",
          "junk/*.parquet",
        ]
      ) {
        s3.resetBytes();
        const run = timed(() =>
          pl.scanParquet(`s3://${BUCKET}/${pattern}`, { cloudOptions: cloudOptions(s3) })
            .select(pl.len().alias("n"), pl.col("id").max().alias("max"))
            .collectSync(STREAMING)
        );
        const requests = s3.requests();
        outcomes[pattern] = {
          ...(run.error ? { error: run.error.message } : run.value!.toRecords()[0]),
          lists: requests.filter((r) => r.query?.includes("list-type")).map((r) => r.query),
          heads: requests.filter((r) => r.method === "HEAD").map((r) => r.path),
        };
      }
      report("glob/prefix", outcomes);
      const rows = (pattern: string) => [outcomes[pattern].n, outcomes[pattern].max];
      // `*` stays within one level; `**` and a bare `prefix/` recurse. Each lists the literal
      // part of the pattern once (ListObjectsV2, no delimiter).
      assert.deepEqual(rows("multi/*.parquet"), [3000, 2999]);
      assert.deepEqual(rows("multi/part-*.parquet"), [3000, 2999]);
      assert.deepEqual(rows("multi/**/*.parquet"), [4000, 9999]);
      assert.deepEqual(outcomes["multi/*.parquet"].lists, ["list-type=2&prefix=multi%2F"]);
      // A prefix scan skips the `_SUCCESS` marker but recurses into sub/.
      assert.deepEqual(rows("multi/"), [4000, 9999]);
      // Without the trailing slash it is a single object that does not exist.
      assert.match(String(outcomes["multi"].error), /Object at location multi not found/);
      // A wildcard in the first segment lists the whole bucket (no prefix).
      assert.deepEqual(rows("mult*/*.parquet"), [3000, 2999]);
      assert.deepEqual(outcomes["mult*/*.parquet"].lists, ["list-type=2"]);
      // A visible non-Parquet file under a prefix makes the prefix scan fail outright.
      assert.match(String(outcomes["junk/"].error), /different file extensions/);
      assert.deepEqual(rows("junk/*.parquet"), [1000, 999]);
      // Every matched file is HEADed at least once before any data is read.
      assert.ok(outcomes["multi/*.parquet"].heads instanceof Array);
      assert.ok((outcomes["multi/*.parquet"].heads as string[]).length >= 3);
    });

    await t.step("(5) Parquet footer through hyparquet with explicit ranges", async () => {
      s3.resetBytes();
      const small = await timedAsync(async () =>
        parquetMetadataAsync(await s3AsyncBuffer(s3.client, BUCKET, "events.parquet"), {
          initialFetchSize: 16 * 1024,
        })
      );
      assert.ifError(small.error);
      const smallBytes = s3.bytesSent();
      const smallRequests = s3.requests();
      assert.equal(Number(small.value!.num_rows), ROWS);
      assert.equal(small.value!.row_groups.length, meta.row_groups.length);
      assert.ok(smallBytes <= parquetSize / 100, `${smallBytes} > 1% of ${parquetSize}`);

      s3.resetBytes();
      const dflt = await timedAsync(async () =>
        parquetMetadataAsync(await s3AsyncBuffer(s3.client, BUCKET, "events.parquet"))
      );
      assert.ifError(dflt.error);
      const defaultBytes = s3.bytesSent();
      // hyparquet's default first fetch is the last 512 KiB, far above 1% here.
      assert.equal(defaultBytes, Math.min(512 * 1024, parquetSize));

      report("hyparquet footer", {
        objectSize: parquetSize,
        footerLength: Number(meta.metadata_length) + 8,
        initialFetch16KiB: {
          bytesSent: smallBytes,
          percent: +(100 * smallBytes / parquetSize).toFixed(3),
          requests: smallRequests.map((r) => `${r.method} ${r.range ?? ""}`.trim()),
          ms: Math.round(small.ms),
        },
        defaultInitialFetch: { bytesSent: defaultBytes, ms: Math.round(dflt.ms) },
      });
    });

    await t.step("(6) row-group skipping with a typed literal", () => {
      const source = `s3://${BUCKET}/events.parquet`;
      const run = (predicate: pl.Expr | undefined) => {
        let lf = pl.scanParquet(source, { cloudOptions: cloudOptions(s3) });
        if (predicate) lf = lf.filter(predicate);
        s3.resetBytes();
        const out = timed(() => lf.select(pl.len().alias("n")).collectSync(STREAMING));
        assert.ifError(out.error);
        return {
          rows: out.value!.getColumns()[0].get(0) as number,
          bytes: s3.bytesSent(),
          gets: s3.requests().filter((r) => r.method === "GET").length,
          ms: Math.round(out.ms),
        };
      };
      const typed = run(pl.col("id").eq(pl.lit(5).cast(pl.Int64)));
      const untyped = run(pl.col("id").eq(pl.lit(5)));
      const typedRange = run(pl.col("id").gtEq(pl.lit(190_000).cast(pl.Int64)));
      const unsorted = run(pl.col("grp").eq(pl.lit(5).cast(pl.Int32)));
      report("row-group skipping", { typed, untyped, typedRange, unsorted });

      assert.deepEqual(
        [typed.rows, untyped.rows, typedRange.rows, unsorted.rows],
        [1, 1, 10_000, ROWS / 100],
      );
      // The footer plus the id chunk of the one row group whose stats can match.
      const first = rowGroupOfRow(meta, 5), last = rowGroupOfRow(meta, ROWS - 1);
      assert.equal(typed.bytes, POLARS_FOOTER_PREFETCH + columnBytes(meta, "id", [first]));
      assert.equal(typedRange.bytes, POLARS_FOOTER_PREFETCH + columnBytes(meta, "id", [last]));
      // An untyped literal (Float64) disables the stats check: every id chunk is read.
      assert.equal(untyped.bytes, POLARS_FOOTER_PREFETCH + columnBytes(meta, "id"));
      // No stats help on an unsorted column; all its chunks are read.
      assert.equal(unsorted.bytes, POLARS_FOOTER_PREFETCH + columnBytes(meta, "grp"));
    });

    await t.step("(7) failures: wrong secret, missing bucket/key, unreachable", async () => {
      const secret = "Wr0ng-Secret-Kontra-7f3a";
      const cases: Record<string, { source: string; options: Record<string, string> }> = {
        wrongSecret: {
          source: `s3://${BUCKET}/events.parquet`,
          options: cloudOptions(s3, { aws_secret_access_key: secret }),
        },
        wrongAccessKey: {
          source: `s3://${BUCKET}/events.parquet`,
          options: cloudOptions(s3, { aws_access_key_id: "NOPE", aws_secret_access_key: secret }),
        },
        missingBucket: {
          source: "s3://no-such-bucket/events.parquet",
          options: cloudOptions(s3),
        },
        missingKey: { source: `s3://${BUCKET}/missing.parquet`, options: cloudOptions(s3) },
        unreachable: {
          source: `s3://${BUCKET}/events.parquet`,
          options: cloudOptions(s3, {
            aws_endpoint_url: `http://127.0.0.1:${await freePort()}`,
            aws_secret_access_key: secret,
          }),
        },
      };
      // Accepts TCP connections (the kernel completes the handshake) but never answers.
      const blackhole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const stalledEndpoint = `http://127.0.0.1:${(blackhole.addr as Deno.NetAddr).port}`;
      cases.unreachableNoRetry = {
        source: cases.unreachable.source,
        options: { ...cases.unreachable.options, max_retries: "0" },
      };
      // Without a `timeout` polars waits on a silent server for good (>12 min observed), so
      // only the bounded variant can run here.
      cases.stalledWithTimeout = {
        source: `s3://${BUCKET}/events.parquet`,
        options: cloudOptions(s3, {
          aws_endpoint_url: stalledEndpoint,
          aws_secret_access_key: secret,
          timeout: "1s",
          max_retries: "0",
        }),
      };

      type Outcome = { message: string; ms: number; requests: string[] };
      const polarsErrors: Record<string, Outcome> = {};
      try {
        for (const [name, { source, options }] of Object.entries(cases)) {
          s3.resetBytes();
          const run = timed(() =>
            pl.scanParquet(source, { cloudOptions: options }).select(pl.len()).collectSync(
              STREAMING,
            )
          );
          assert.ok(run.error, `${name} should fail`);
          polarsErrors[name] = {
            message: run.error.message,
            ms: Math.round(run.ms),
            requests: s3.requests().map((r) => `${r.method} ${r.range ?? "-"} ${r.status}`),
          };
          assert.ok(!run.error.message.includes(secret), `${name} leaks the secret`);
          assert.ok(!run.error.message.includes(s3.secretAccessKey), `${name} leaks the secret`);
        }
      } finally {
        blackhole.close();
      }
      report("polars errors", polarsErrors);

      // Auth failures: a generic 403 on the HEAD; S3's error code (body) is not shown.
      for (const name of ["wrongSecret", "wrongAccessKey"]) {
        assert.match(
          polarsErrors[name].message,
          /^object-store error: The operation lacked the necessary privileges to complete for path events\.parquet: Error performing HEAD http:\/\/127\.0\.0\.1:\d+\/kontra-data\/events\.parquet in [\d.]+.s - Server returned non-2xx status code: 403 Forbidden: {2}\(path: s3:\/\/kontra-data\/events\.parquet\)$/,
        );
        assert.ok(polarsErrors[name].ms < 1000);
      }
      // A missing bucket reads exactly like a missing key: "Object at location … not found".
      assert.match(
        polarsErrors.missingBucket.message,
        /Object at location events\.parquet not found: Error performing HEAD .*\/no-such-bucket\/events\.parquet .*404 Not Found/,
      );
      assert.match(
        polarsErrors.missingKey.message,
        /Object at location missing\.parquet not found: Error performing HEAD .*404 Not Found/,
      );
      // Connection refused: retried twice (polars' default), about a second in all.
      assert.match(
        polarsErrors.unreachable.message,
        /Generic S3 error: Error performing HEAD .* after 2 retries, max_retries: 2, retry_timeout: 10s {2}- HTTP error: error sending request/,
      );
      assert.ok(polarsErrors.unreachable.ms < 5000);
      assert.doesNotMatch(polarsErrors.unreachableNoRetry.message, /retries/);
      assert.ok(polarsErrors.unreachableNoRetry.ms < polarsErrors.unreachable.ms);
      // `timeout` bounds each attempt; polars makes several attempts before it gives up.
      assert.match(
        polarsErrors.stalledWithTimeout.message,
        /in 1\.\d+s - HTTP error: error sending request/,
      );
      assert.ok(
        polarsErrors.stalledWithTimeout.ms >= 1000 && polarsErrors.stalledWithTimeout.ms < 10_000,
      );

      const sdk = await import("@aws-sdk/client-s3");
      const sdkErrors: Record<string, unknown> = {};
      const sdkCase = async (
        name: string,
        client: S3Client,
        command: InstanceType<typeof sdk.GetObjectCommand | typeof sdk.HeadObjectCommand>,
      ) => {
        // deno-lint-ignore no-explicit-any
        const run = await timedAsync(() => client.send(command as any));
        assert.ok(run.error, `${name} should fail`);
        const err = run.error as Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
        sdkErrors[name] = {
          name: err.name,
          message: err.message,
          status: err.$metadata?.httpStatusCode,
          ms: Math.round(run.ms),
        };
        assert.ok(!String(err.message).includes(secret));
      };
      const client = (endpoint: string, secretAccessKey: string) =>
        new S3Client({
          endpoint,
          region: s3.region,
          forcePathStyle: true,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
        });
      const wrongSecret = client(s3.endpoint, secret);
      const unreachable = client(`http://127.0.0.1:${await freePort()}`, s3.secretAccessKey);
      try {
        const get = (Bucket: string, Key: string) => new sdk.GetObjectCommand({ Bucket, Key });
        const head = (Bucket: string, Key: string) => new sdk.HeadObjectCommand({ Bucket, Key });
        await sdkCase("wrongSecret GET", wrongSecret, get(BUCKET, "events.parquet"));
        await sdkCase("wrongSecret HEAD", wrongSecret, head(BUCKET, "events.parquet"));
        await sdkCase("missingBucket GET", s3.client, get("no-such-bucket", "x"));
        await sdkCase("missingKey GET", s3.client, get(BUCKET, "missing.parquet"));
        await sdkCase("missingKey HEAD", s3.client, head(BUCKET, "missing.parquet"));
        await sdkCase("unreachable GET", unreachable, get(BUCKET, "events.parquet"));
      } finally {
        wrongSecret.destroy();
        unreachable.destroy();
      }
      report("sdk errors", sdkErrors);
      assert.equal(
        (sdkErrors["wrongSecret GET"] as { name: string }).name,
        "SignatureDoesNotMatch",
      );
      assert.equal((sdkErrors["missingBucket GET"] as { name: string }).name, "NoSuchBucket");
      assert.equal((sdkErrors["missingKey GET"] as { name: string }).name, "NoSuchKey");
      assert.equal((sdkErrors["missingKey HEAD"] as { name: string }).name, "NotFound");
    });
  } finally {
    await s3.close();
    await Deno.remove(dir, { recursive: true });
  }
});
