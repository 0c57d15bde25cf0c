/**
 * S3 endpoints that misbehave, written here as small HTTP and TCP servers on 127.0.0.1:
 * a listing that repeats its continuation token or never ends, a server that accepts
 * and never answers (for listings, for footer reads, for Polars' reads), 500/503/429
 * answers (with and without `Retry-After`) that pass or persist, and a listing answered
 * with HTML. Each case runs the CLI as a child process with a short `KONTRA_S3_TIMEOUT`
 * and its own TMPDIR, and asserts the exit code, the one line on stderr, how many
 * requests the server saw, how long it took, and that nothing was left behind.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { listKeys, uploadFile } from "../../src/storage/s3_objects.ts";
import { s3Access, s3Error } from "../../src/storage/s3_access.ts";
import { BoundedS3Client, DEFAULT_S3_LIMITS } from "../../src/storage/s3_request.ts";
import { type Run, runCliProcess, STACK_LINE } from "../support/cli.ts";
import { tempDir, writeText } from "../support/fixtures.ts";

const BUCKET = "lake";
const CSV = "id,email\n1,a@x.io\n2,\n3,c@x.io\n";
const ETAG = '"0123456789abcdef"';
const LAST_MODIFIED = "Thu, 01 Jan 2026 00:00:00 GMT";

/** What the fake store answers, request by request (`count` starts at 1 per kind). */
interface FakeBehaviour {
  list?: (count: number, url: URL) => Response | undefined;
  get?: (count: number, request: Request) => Response | Promise<Response> | undefined;
  put?: (count: number) => Response | undefined;
}

/** A fake S3 store holding `data/people.csv`; behaviours override its answers. */
function fakeS3(behaviour: FakeBehaviour = {}) {
  const counts = { list: 0, get: 0, head: 0, put: 0 };
  const bytes = new TextEncoder().encode(CSV);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    if (request.method === "GET" && url.searchParams.has("list-type")) {
      counts.list++;
      return behaviour.list?.(counts.list, url) ?? listing([`data/people.csv`]);
    }
    if (request.method === "PUT") {
      counts.put++;
      await request.arrayBuffer();
      return behaviour.put?.(counts.put) ??
        new Response(null, { status: 200, headers: { etag: ETAG } });
    }
    const headers = {
      "content-type": "text/csv",
      etag: ETAG,
      "last-modified": LAST_MODIFIED,
      "accept-ranges": "bytes",
    };
    if (request.method === "HEAD") {
      counts.head++;
      return new Response(null, {
        headers: { ...headers, "content-length": String(bytes.length) },
      });
    }
    counts.get++;
    const answer = behaviour.get?.(counts.get, request);
    if (answer) return answer;
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.get("range") ?? "");
    if (!range) return new Response(bytes, { headers });
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
    return new Response(bytes.slice(start, end + 1), {
      status: 206,
      headers: { ...headers, "content-range": `bytes ${start}-${end}/${bytes.length}` },
    });
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    counts,
    close: () => server.shutdown(),
  };
}

/** A ListObjectsV2 page holding `keys`. */
function listing(keys: string[], next?: string): Response {
  const contents = keys.map((key) =>
    `<Contents><Key>${key}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
    `<ETag>${ETAG}</ETag><Size>${CSV.length}</Size><StorageClass>STANDARD</StorageClass>` +
    `</Contents>`
  ).join("");
  const truncated = next === undefined
    ? "<IsTruncated>false</IsTruncated>"
    : `<IsTruncated>true</IsTruncated><NextContinuationToken>${next}</NextContinuationToken>`;
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult ` +
      `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name>` +
      `<Prefix>data/</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
      `${truncated}${contents}</ListBucketResult>`,
    { headers: { "content-type": "application/xml" } },
  );
}

/** An S3 error answer. */
function s3Status(status: number, code: string, headers: Record<string, string> = {}) {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
      `<Message>try later</Message></Error>`,
    { status, headers: { "content-type": "application/xml", ...headers } },
  );
}

const stalls: (() => void)[] = [];

/** An answer that comes only when the test ends (then a 500). */
function stall(_request: Request): Promise<Response> {
  return new Promise((resolve) => stalls.push(() => resolve(new Response("", { status: 500 }))));
}

function releaseStalls(): void {
  for (const release of stalls.splice(0)) release();
}

/** A TCP server that accepts connections and never answers; counts them. */
function silentServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    for await (const connection of listener) held.push(connection);
  })().catch(() => {});
  return {
    endpoint: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    connections: () => held.length,
    close: () => {
      listener.close();
      for (const connection of held) {
        try {
          connection.close();
        } catch { /* already closed by the peer */ }
      }
    },
  };
}

const KONTRACT = "name: faults\nrules:\n" +
  "  - { name: not_null, params: { column: email } }\n" +
  "  - { name: min_rows, params: { threshold: 1 } }\n";

/**
 * Runs `kontra validate` on `uri` against `endpoint` with `timeoutS`, in a temporary
 * directory that is also its TMPDIR; returns the run, the wall time, and what was left.
 */
async function validateS3(
  endpoint: string,
  uri: string,
  timeoutS: number,
  args: string[] = [],
): Promise<Run & { ms: number; leftInTmp: string[] }> {
  await using dir = await tempDir();
  const tmp = join(dir.path, "tmp");
  await Deno.mkdir(tmp);
  const kontract = await writeText(dir.path, "k.yml", KONTRACT);
  const started = performance.now();
  const run = await runCliProcess(["validate", kontract, "--data", uri, ...args], {
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "KONTRAFAULTKEY",
      AWS_SECRET_ACCESS_KEY: "kontra-fault-secret-value",
      AWS_REGION: "us-east-1",
      KONTRA_S3_TIMEOUT: String(timeoutS),
      TMPDIR: tmp,
      // Polars' cloud reads need a directory of their own (or $HOME).
      POLARS_TEMP_DIR: join(dir.path, "polars"),
    },
    cwd: dir.path,
  });
  const ms = performance.now() - started;
  const leftInTmp: string[] = [];
  for await (const entry of Deno.readDir(tmp)) leftInTmp.push(entry.name);
  return { ...run, ms, leftInTmp };
}

/** Exit 3, one `kontra:` line matching `message`, no stack, no secret, nothing left. */
function assertS3Failure(run: Run & { leftInTmp: string[] }, message: RegExp): void {
  assert.equal(run.code, 3, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^kontra: [^\n]+\n$/, run.stderr);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.match(run.stderr, message);
  assert.ok(!run.stderr.includes("kontra-fault-secret-value"), "the secret leaked");
  assert.deepEqual(run.leftInTmp, [], "left in TMPDIR");
}

Deno.test("a listing that repeats its continuation token stops at the repeat", async () => {
  const store = fakeS3({ list: () => listing(["data/people.csv"], "same-token") });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 10);
    assertS3Failure(run, /s3:\/\/lake\/data\/: the listing does not end: .*same continuation/);
    assert.equal(store.counts.list, 2, "the first page and the one that repeats its token");
  } finally {
    await store.close();
  }
});

Deno.test("a listing that never ends is bounded by pages and by the deadline", async () => {
  const store = fakeS3({
    list: (count) => listing([`data/part-${count}.csv`], `token-${count}`),
  });
  try {
    // The page bound, in-process with a small bound.
    const client = new BoundedS3Client({
      region: "us-east-1",
      endpoint: store.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "KONTRAFAULTKEY", secretAccessKey: "x-secret-value" },
      maxAttempts: 1,
    }, { ...DEFAULT_S3_LIMITS, maxListPages: 25 });
    await assert.rejects(() => listKeys(client, BUCKET, "data/"), (error) => {
      assert.match(s3Error("s3://lake/data/", error).message, /does not end: .*more than 25 pages/);
      return true;
    });
    assert.equal(store.counts.list, 25);
    client.destroy();
    // The deadline, through the CLI: a fresh token per page, for 1.5 s.
    store.counts.list = 0;
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 1.5);
    assertS3Failure(run, /timed out after 1\.5 s \(KONTRA_S3_TIMEOUT\)/);
    assert.ok(run.ms < 8_000, `took ${run.ms} ms`);
    assert.ok(store.counts.list > 25, `${store.counts.list} pages in 1.5 s`);
  } finally {
    await store.close();
  }
});

Deno.test("a silent endpoint ends at the deadline, not after minutes", async () => {
  const silent = silentServer();
  try {
    const run = await validateS3(silent.endpoint, `s3://${BUCKET}/data/`, 1.5);
    assertS3Failure(run, /127\.0\.0\.1:\d+\/? did not answer in time: timed out after 1\.5 s/);
    assert.ok(run.ms < 8_000, `took ${run.ms} ms`);
    assert.ok(silent.connections() >= 1);
  } finally {
    silent.close();
  }
});

Deno.test("a footer read that stalls ends at the deadline", async () => {
  // Listing and HEAD answer; every GET (the footer's ranged reads) waits forever.
  let release!: () => void;
  const stalled = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    if (url.searchParams.has("list-type")) return listing(["data/people.parquet"]);
    await stalled;
    return new Response("", { status: 500 });
  });
  try {
    const endpoint = `http://127.0.0.1:${server.addr.port}`;
    const run = await validateS3(endpoint, `s3://${BUCKET}/data/`, 1.5);
    assertS3Failure(run, /people\.parquet: .*timed out after 1\.5 s/);
    assert.ok(run.ms < 8_000, `took ${run.ms} ms`);
  } finally {
    release();
    await server.shutdown();
  }
});

Deno.test("503 and 429 answers are retried with backoff, honouring Retry-After", async () => {
  const store = fakeS3({
    list: (count) =>
      count === 1
        ? s3Status(503, "SlowDown", { "retry-after": "1" })
        : count === 2
        ? s3Status(429, "TooManyRequests")
        : undefined,
  });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 10, ["-o", "json"]);
    assert.equal(run.code, 1, run.stderr);
    const document = JSON.parse(run.stdout);
    // The rules' results are those of the data: one NULL email, three rows.
    assert.deepEqual(
      document.results.map((result: { failed_count: number }) => result.failed_count),
      [1, 0],
    );
    assert.equal(document.dataset.rows, 3);
    assert.equal(store.counts.list, 3);
    assert.ok(run.ms >= 1_000, "Retry-After: 1 was honoured");
    assert.deepEqual(run.leftInTmp, []);
  } finally {
    await store.close();
  }
});

Deno.test("a 500 that persists names the status and the attempts, in time", async () => {
  const store = fakeS3({ list: () => new Response("", { status: 500 }) });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 10);
    assertS3Failure(run, /s3:\/\/lake\/data\/: S3 answered HTTP 500, 4 attempts$/m);
    assert.equal(store.counts.list, 4);
    assert.ok(run.ms < 9_000, `took ${run.ms} ms`);
    assert.doesNotMatch(run.stderr, /Unknown/);
  } finally {
    await store.close();
  }
});

Deno.test("a Retry-After beyond the deadline gives up at once", async () => {
  const store = fakeS3({ list: () => s3Status(503, "SlowDown", { "retry-after": "3600" }) });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 2);
    assertS3Failure(run, /S3 answered HTTP 503 SlowDown$/m);
    assert.equal(store.counts.list, 1);
    assert.ok(run.ms < 6_000, `took ${run.ms} ms`);
  } finally {
    await store.close();
  }
});

Deno.test("a listing answered with HTML names the problem", async () => {
  const store = fakeS3({
    list: () =>
      new Response("<html><body>Please log in</body></html>", {
        headers: { "content-type": "text/html; charset=utf-8" },
      }),
  });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 5);
    assertS3Failure(
      run,
      /s3:\/\/lake\/data\/: the S3 listing was not XML \(text\/html; charset=utf-8\)/,
    );
    assert.equal(store.counts.list, 1, "not retried");
  } finally {
    await store.close();
  }
});

Deno.test("Polars' own reads of a silent object are bounded too", async () => {
  // Kontra's own requests (the AWS SDK) are answered; Polars' reads never are.
  const store = fakeS3({
    get: (_count, request) =>
      /aws-sdk/i.test(request.headers.get("user-agent") ?? "") ? undefined : stall(request),
  });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 1);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^kontra: [^\n]+\n$/);
    assert.match(run.stderr, /people\.csv/);
    assert.doesNotMatch(run.stderr, STACK_LINE);
    assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
    assert.deepEqual(run.leftInTmp, []);
  } finally {
    releaseStalls();
    await store.close();
  }
});

Deno.test("a download that stops in the middle of its body ends after the idle bound", async () => {
  // The object's headers and first bytes come, then nothing (custom_sql_check downloads it).
  const store = fakeS3({
    get: (_count, request) =>
      request.headers.has("range") ? undefined : new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("id,email\n1,"));
            stalls.push(() => {
              try {
                controller.close();
              } catch { /* the client went away */ }
            });
          },
        }),
        { headers: { "content-type": "text/csv", etag: ETAG, "last-modified": LAST_MODIFIED } },
      ),
  });
  try {
    const run = await validateS3(store.endpoint, `s3://${BUCKET}/data/`, 1.5);
    assertS3Failure(
      run,
      /people\.csv: http:\/\/127\.0\.0\.1:\d+\/? stopped sending: nothing for 1\.5 s/,
    );
    assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
  } finally {
    releaseStalls();
    await store.close();
  }
});

Deno.test("quarantine verify and uploads use the same bounds", async () => {
  await using dir = await tempDir();
  const store = fakeS3({
    list: () => listing(["q/run/_manifest.json"], "same-token"),
    put: (count) => count <= 2 ? s3Status(503, "SlowDown") : undefined,
  });
  try {
    const run = await runCliProcess(["quarantine", "verify", `s3://${BUCKET}/q/`], {
      env: {
        AWS_ENDPOINT_URL: store.endpoint,
        AWS_ACCESS_KEY_ID: "KONTRAFAULTKEY",
        AWS_SECRET_ACCESS_KEY: "kontra-fault-secret-value",
        KONTRA_S3_TIMEOUT: "5",
        TMPDIR: dir.path,
      },
      cwd: dir.path,
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^kontra: cannot list s3:\/\/lake\/q\/: the listing does not end/);
    // An upload retried past two 503s.
    const access = s3Access({
      AWS_ENDPOINT_URL: store.endpoint,
      AWS_ACCESS_KEY_ID: "KONTRAFAULTKEY",
      AWS_SECRET_ACCESS_KEY: "kontra-fault-secret-value",
      KONTRA_S3_TIMEOUT: "5",
    });
    const file = await writeText(dir.path, "part.csv", CSV);
    await uploadFile(access.client, BUCKET, "q/run/part.csv", file);
    assert.equal(store.counts.put, 3);
    access.client.destroy();
  } finally {
    await store.close();
  }
});
