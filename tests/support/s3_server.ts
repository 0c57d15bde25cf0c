/**
 * In-process S3 test server (s3rver) for tests of Kontra's S3 source.
 *
 * s3rver runs inside a Deno Worker, i.e. in this process but on its own thread and event
 * loop. That is deliberate: polars' `collectSync` (the only way to reach the streaming
 * engine) blocks the calling JS thread, so a server on the main event loop could never answer
 * it and the collect would hang forever.
 *
 * On top of plain s3rver this adds:
 * - counting of response body bytes and a request log, shared with the main thread through
 *   SharedArrayBuffers so `bytesSent()` / `requests()` stay synchronous and exact even
 *   while the main thread is blocked in polars;
 * - SigV4 signature verification (s3rver only checks the access key id for V4 requests,
 *   so a wrong secret key would otherwise succeed);
 * - correct suffix ranges (`bytes=-N`), which s3rver serves as `bytes=0-N`.
 *
 * This module is also the worker's entry point: the worker is started with `WORKER_NAME`
 * and the bottom of the file installs the worker side when it sees that name.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** One HTTP request as the server saw it; written when the response starts. */
export interface S3RequestRecord {
  method: string;
  /** Raw request path, e.g. `/bucket/dir/file.parquet`. */
  path: string;
  /** Raw query string without `?`, when there was one. */
  query?: string;
  /** The Range header exactly as the client sent it. */
  range?: string;
  status: number;
}

export interface S3TestServer {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** An S3 client for this server (path-style addressing). Destroyed by `close()`. */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  putFile(bucket: string, key: string, localPath: string): Promise<void>;
  putBytes(bucket: string, key: string, bytes: Uint8Array): Promise<void>;
  /** Response body bytes sent since start or the last `resetBytes()`; headers excluded. */
  bytesSent(): number;
  /** Restarts both `bytesSent()` and `requests()` from zero. */
  resetBytes(): void;
  /** Requests answered since start or the last `resetBytes()`, in order. */
  requests(): S3RequestRecord[];
  /** AWS_* variables pointing an SDK (or polars) at this server. */
  env(): Record<string, string>;
  /** Stops the server and the worker and deletes the server's directory. */
  close(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Reject requests whose SigV4 signature is wrong, like real S3. Default: true. */
  verifySignatures?: boolean;
}

// s3rver's built-in account; it accepts no other key pair.
const ACCESS_KEY_ID = "S3RVER";
const SECRET_ACCESS_KEY = "S3RVER";
const REGION = "us-east-1";

const WORKER_NAME = "kontra-s3rver-test-worker";
// Shared request log: Int32 [usedBytes, overflowed] then JSON lines.
const LOG_HEADER_BYTES = 8;
const LOG_CAPACITY = 4 * 1024 * 1024;
// Shared counters: BigInt64 [bodyBytes].
const COUNTER_BYTES = 8;

interface StartMessage {
  type: "start";
  directory: string;
  verifySignatures: boolean;
  counters: SharedArrayBuffer;
  log: SharedArrayBuffer;
}
type WorkerReply =
  | { type: "ready"; port: number }
  | { type: "error"; message: string }
  | { type: "closed" };

export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3TestServer> {
  const directory = await Deno.makeTempDir({ prefix: "kontra-s3rver-" });
  const counters = new SharedArrayBuffer(COUNTER_BYTES);
  const log = new SharedArrayBuffer(LOG_HEADER_BYTES + LOG_CAPACITY);
  const worker = new Worker(import.meta.url, { type: "module", name: WORKER_NAME });

  const replies: WorkerReply[] = [];
  let waiter: (() => void) | undefined;
  let workerFailure: string | undefined;
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    replies.push(event.data);
    waiter?.();
  };
  worker.onerror = (event: ErrorEvent) => {
    // Keep a crashing worker from taking the test process down with it.
    event.preventDefault();
    workerFailure = event.message;
    waiter?.();
  };
  const nextReply = async (timeoutMs: number): Promise<WorkerReply> => {
    const deadline = Date.now() + timeoutMs;
    while (replies.length === 0) {
      if (workerFailure) throw new Error(`s3rver worker failed: ${workerFailure}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`s3rver worker did not answer within ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        waiter = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      waiter = undefined;
    }
    return replies.shift()!;
  };

  const start: StartMessage = {
    type: "start",
    directory,
    verifySignatures: options.verifySignatures ?? true,
    counters,
    log,
  };
  worker.postMessage(start);
  let port: number;
  try {
    const reply = await nextReply(30_000);
    if (reply.type !== "ready") {
      throw new Error(`s3rver failed to start: ${JSON.stringify(reply)}`);
    }
    port = reply.port;
  } catch (err) {
    worker.terminate();
    await Deno.remove(directory, { recursive: true });
    throw err;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  const sdk = await import("@aws-sdk/client-s3");
  const client = new sdk.S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    // s3rver predates flexible checksums: with the SDK default (WHEN_SUPPORTED) a stream
    // body goes out aws-chunked with a CRC trailer and s3rver stores that framing verbatim.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });

  const bodyBytes = new BigInt64Array(counters);
  const logHeader = new Int32Array(log, 0, 2);
  const logData = new Uint8Array(log, LOG_HEADER_BYTES);
  // Resetting only moves these baselines: the worker stays the single writer, so a request
  // in flight during a reset cannot corrupt the shared state.
  let bytesBase = 0n;
  let logBase = 0;
  let closed = false;

  const putBytes = async (bucket: string, key: string, bytes: Uint8Array) => {
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  };

  return {
    endpoint,
    region: REGION,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    client,
    async createBucket(name) {
      await client.send(new sdk.CreateBucketCommand({ Bucket: name }));
    },
    putBytes,
    async putFile(bucket, key, localPath) {
      await putBytes(bucket, key, await Deno.readFile(localPath));
    },
    bytesSent() {
      return Number(Atomics.load(bodyBytes, 0) - bytesBase);
    },
    resetBytes() {
      bytesBase = Atomics.load(bodyBytes, 0);
      logBase = Atomics.load(logHeader, 0);
    },
    requests() {
      if (Atomics.load(logHeader, 1) !== 0) {
        throw new Error(`request log overflowed its ${LOG_CAPACITY} bytes`);
      }
      const used = Atomics.load(logHeader, 0);
      // TextDecoder refuses views on shared memory, so copy first.
      const text = new TextDecoder().decode(logData.slice(logBase, used));
      return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
    },
    env() {
      return {
        AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: endpoint,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      worker.postMessage({ type: "close" });
      try {
        await nextReply(5_000);
      } catch {
        // A stuck close must not block the test; terminating the worker frees the port.
      }
      worker.terminate();
      await Deno.remove(directory, { recursive: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Worker side
// ---------------------------------------------------------------------------------------------

/** The parts of s3rver (which ships no types) that the worker uses. */
interface S3rverInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  store: { getResourcePath(bucket: string, key: string, resource: string): string };
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

interface WorkerScope {
  name?: string;
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: WorkerReply): void;
}

const workerScope = globalThis as unknown as WorkerScope;
if (workerScope.name === WORKER_NAME) {
  let stop: (() => Promise<void>) | undefined;
  workerScope.onmessage = async (event: MessageEvent) => {
    const message = event.data as StartMessage | { type: "close" };
    if (message.type === "start") {
      try {
        const running = await runServer(message);
        stop = running.stop;
        workerScope.postMessage({ type: "ready", port: running.port });
      } catch (err) {
        workerScope.postMessage({ type: "error", message: String(err) });
      }
    } else if (message.type === "close") {
      await stop?.();
      workerScope.postMessage({ type: "closed" });
    }
  };
}

async function runServer(
  start: StartMessage,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const http = await import("node:http");
  const { default: S3rver } = (await import("s3rver")) as { default: S3rverConstructor };

  // `silent` mutes s3rver's winston logger and, as it is also Koa's `app.silent`, Koa's
  // console.error of 5xx errors. Requests are not routed through s3rver's own listen(), so
  // address/port are unused.
  const s3rver = new S3rver({ silent: true, directory: start.directory, vhostBuckets: false });
  const handle = s3rver.callback();

  const bodyBytes = new BigInt64Array(start.counters);
  const logHeader = new Int32Array(start.log, 0, 2);
  const logData = new Uint8Array(start.log, LOG_HEADER_BYTES);
  const encoder = new TextEncoder();
  const appendLog = (record: S3RequestRecord) => {
    const line = encoder.encode(JSON.stringify(record) + "\n");
    const used = Atomics.load(logHeader, 0);
    if (used + line.length > LOG_CAPACITY) {
      Atomics.store(logHeader, 1, 1);
      return;
    }
    logData.set(line, used);
    // Publish the length only after the bytes are in place.
    Atomics.store(logHeader, 0, used + line.length);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = queryAt < 0 ? undefined : url.slice(queryAt + 1);
    const range = headerValue(req.headers.range);
    countResponse(
      res,
      (bytes) => Atomics.add(bodyBytes, 0, BigInt(bytes)),
      () => appendLog({ method: req.method ?? "", path, query, range, status: res.statusCode }),
    );

    if (start.verifySignatures && !signatureMatches(req, path, query)) {
      sendSignatureMismatch(req, res);
      return;
    }
    if (range !== undefined) {
      req.headers.range = resolveSuffixRange(s3rver, path, range);
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error(`unexpected server address ${address}`);
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      // close() alone waits for idle keep-alive sockets held by polars and the SDK.
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return { port: address.port, stop };
}

/**
 * Wraps `res.write`/`res.end` so every body chunk is counted before it is handed to the
 * socket; `onStart` runs once, before the first byte, when the status is final. Koa sends
 * stream bodies with `pipe(res)` (→ write) and buffered ones with `end(body)`.
 */
function countResponse(res: ServerResponse, count: (bytes: number) => void, onStart: () => void) {
  let started = false;
  const begin = () => {
    if (!started) {
      started = true;
      onStart();
    }
  };
  const size = (chunk: unknown, encoding: unknown): number => {
    if (typeof chunk === "string") {
      return Buffer.byteLength(
        chunk,
        typeof encoding === "string" ? encoding as BufferEncoding : "utf8",
      );
    }
    if (chunk instanceof Uint8Array) return chunk.byteLength;
    return 0;
  };
  const write = res.write;
  const end = res.end;
  // deno-lint-ignore no-explicit-any
  res.write = function (this: ServerResponse, chunk: any, ...rest: any[]) {
    begin();
    count(size(chunk, rest[0]));
    return write.apply(this, [chunk, ...rest] as Parameters<typeof write>);
  } as typeof res.write;
  // deno-lint-ignore no-explicit-any
  res.end = function (this: ServerResponse, ...args: any[]) {
    begin();
    // HEAD responses never carry a body, whatever is passed to end().
    if (typeof args[0] !== "function" && res.req?.method !== "HEAD") count(size(args[0], args[1]));
    return end.apply(this, args as Parameters<typeof end>);
  } as typeof res.end;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Rewrites `bytes=-N` (the last N bytes) into an explicit `bytes=a-b`, since s3rver parses
 * it as `bytes=0-N`. Anything else passes through unchanged.
 */
function resolveSuffixRange(s3rver: S3rverInstance, path: string, range: string): string {
  const suffix = /^bytes=-(\d+)$/.exec(range.trim());
  if (!suffix) return range;
  const [bucket, ...keyParts] = path.split("/").slice(1).map(decodeURIComponent);
  if (!bucket || keyParts.length === 0) return range;
  let size: number;
  try {
    size = Deno.statSync(s3rver.store.getResourcePath(bucket, keyParts.join("/"), "object")).size;
  } catch {
    return range; // missing object: let s3rver answer NoSuchKey/NoSuchBucket
  }
  const wanted = Number(suffix[1]);
  if (wanted === 0 || size === 0) return range;
  return `bytes=${Math.max(0, size - wanted)}-${size - 1}`;
}

// --- SigV4 --------------------------------------------------------------------------------

/** RFC 3986 encoding, as SigV4 canonicalisation requires. */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase(),
  );
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Checks a header-signed (Authorization: AWS4-HMAC-SHA256) request against our secret.
 * Unsigned, presigned and V2 requests and other access key ids are left to s3rver, which
 * answers an unknown key with InvalidAccessKeyId.
 */
function signatureMatches(req: IncomingMessage, path: string, query?: string): boolean {
  const auth = headerValue(req.headers.authorization);
  if (!auth?.startsWith("AWS4-HMAC-SHA256 ")) return true;
  const fields = new Map(
    auth.slice("AWS4-HMAC-SHA256 ".length).split(",").map((part) => {
      const [name, ...value] = part.trim().split("=");
      return [name, value.join("=")] as const;
    }),
  );
  const [keyId, ...scopeParts] = (fields.get("Credential") ?? "").split("/");
  const signedHeaders = fields.get("SignedHeaders") ?? "";
  const provided = fields.get("Signature") ?? "";
  if (keyId !== ACCESS_KEY_ID) return true;
  if (scopeParts.length !== 4) return false;

  const canonicalUri = path.split("/").map((seg) => rfc3986(decodeLoosely(seg))).join("/");
  const canonicalQuery = (query ?? "")
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const at = pair.indexOf("=");
      const name = at < 0 ? pair : pair.slice(0, at);
      const value = at < 0 ? "" : pair.slice(at + 1);
      return [rfc3986(decodeLoosely(name)), rfc3986(decodeLoosely(value))];
    })
    .sort(([a, av], [b, bv]) => a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0)
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders.split(";").map((name) =>
    `${name}:${(headerValue(req.headers[name]) ?? "").trim().replace(/\s+/g, " ")}\n`
  ).join("");
  const payloadHash = headerValue(req.headers["x-amz-content-sha256"]) ?? "UNSIGNED-PAYLOAD";
  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");

  const amzDate = headerValue(req.headers["x-amz-date"]) ?? "";
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scopeParts.join("/"),
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  let key: Buffer = Buffer.from("AWS4" + SECRET_ACCESS_KEY);
  for (const part of scopeParts) key = createHmac("sha256", key).update(part).digest();
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  return expected === provided;
}

function sendSignatureMismatch(req: IncomingMessage, res: ServerResponse) {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>' +
    "<Message>The request signature we calculated does not match the signature you provided." +
    ` Check your key and signing method.</Message><AWSAccessKeyId>${ACCESS_KEY_ID}` +
    "</AWSAccessKeyId></Error>";
  res.statusCode = 403;
  res.setHeader("Content-Type", "application/xml");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  // Drain any upload so the client sees the 403 instead of a reset connection.
  req.resume();
  res.end(req.method === "HEAD" ? undefined : body);
}
