/**
 * Every S3 request Kontra sends itself (listings, HEADs, footer reads, downloads,
 * uploads) goes through {@linkcode sendS3}: one operation has one deadline, its
 * attempts and backoff waits included; 5xx, 429 and network failures are retried with
 * exponential backoff and jitter within it (honouring `Retry-After`); a listing may not
 * repeat a continuation token, nor run past a number of pages. Failures are
 * {@linkcode S3Failure}s that keep the HTTP status, so messages can name it
 * (`s3Error` in `s3_access.ts`).
 * @module
 */
import { S3Client, type S3ClientConfig } from "npm:@aws-sdk/client-s3@3.1175.0";
import { type AttemptOutcome, parseRetryAfter, RetryError, withRetry } from "../core/retry.ts";

/** How long and how hard S3 requests may take. */
export interface S3Limits {
  /**
   * One operation (a listing with all its pages, a HEAD, a ranged read, one upload part,
   * the start of a download) ends within this, retries and waits included.
   */
  operationMs: number;
  /** Attempts per request in all, the first included. */
  maxAttempts: number;
  /** Pages one listing may have (1,000 keys each). */
  maxListPages: number;
  /** A stalled connection (no byte either way) is given up after this. */
  idleMs: number;
}

/** 60 s per operation, 4 attempts, 10,000 listing pages (10M keys), 60 s idle. */
export const DEFAULT_S3_LIMITS: S3Limits = {
  operationMs: 60_000,
  maxAttempts: 4,
  maxListPages: 10_000,
  idleMs: 60_000,
};

/** The first wait after a failure; it doubles up to {@linkcode MAX_BACKOFF_MS}. */
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/** An S3 client that knows its limits. */
export class BoundedS3Client extends S3Client {
  /** The limits every request through {@linkcode sendS3} keeps. */
  readonly limits: S3Limits;

  constructor(config: S3ClientConfig, limits: S3Limits) {
    super(config);
    this.limits = limits;
    // A listing answered with HTML (a login page, a proxy's error page) parses as an
    // empty listing: refuse any answer to a listing that is not XML.
    this.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === "ListObjectsV2Command") {
          // deno-lint-ignore no-explicit-any
          const response = result.response as any;
          const type = String(response?.headers?.["content-type"] ?? "");
          const status = Number(response?.statusCode ?? 0);
          if (status >= 200 && status < 300 && !/xml/i.test(type)) {
            throw new S3Failure({ notXml: type || "no content type", status });
          }
        }
        return result;
      },
      { step: "deserialize", priority: "low", name: "kontraListingIsXml" },
    );
  }
}

/** What went wrong with an S3 request, for `s3Error` to put into words. */
export interface S3FailureFacts {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** S3's error code (`NoSuchBucket`, `SlowDown`, …) when it sent one. */
  code?: string;
  /** A network error code (`ECONNREFUSED`, …). */
  network?: string;
  /** The operation ran out of time. */
  timedOutMs?: number;
  /** The connection stalled (no byte for this long), e.g. in the middle of a body. */
  stalledMs?: number;
  /** A listing's content type when it was not XML. */
  notXml?: string;
  /** A listing that repeats a token or never ends: what happened. */
  endlessListing?: string;
  /** Attempts made, when more than one. */
  attempts?: number;
  /** The error the SDK or the runtime threw last, for what the facts leave out. */
  cause?: unknown;
}

/** An S3 request that failed; `facts` say how. */
export class S3Failure extends Error {
  /** How it failed. */
  readonly facts: S3FailureFacts;

  constructor(facts: S3FailureFacts) {
    super(facts.code ?? (facts.status ? `HTTP ${facts.status}` : "S3 request failed"));
    this.name = "S3Failure";
    this.facts = facts;
  }
}

/** The time an operation has: requests sent for it share it. */
export interface S3Deadline {
  /** `performance.now()` at which the operation must be over. */
  readonly endsAt: number;
  /** Its length, for messages. */
  readonly totalMs: number;
}

/** A deadline of the client's operation length from now. */
export function s3Deadline(client: S3Client): S3Deadline {
  const totalMs = limitsOf(client).operationMs;
  return { endsAt: performance.now() + totalMs, totalMs };
}

/** What one {@linkcode sendS3} call needs beyond the command. */
export interface SendOptions<Output, Result> {
  /** The operation's deadline, when several requests share one (a listing's pages). */
  deadline?: S3Deadline;
  /**
   * Reads the response within the same attempt and deadline (e.g. a small body); a
   * failure there is retried like the request.
   */
  consume?: (output: Output) => Promise<Result>;
}

/**
 * Sends `command`, retrying what is worth retrying, all within the deadline. Throws an
 * {@linkcode S3Failure}.
 */
export async function sendS3<Output, Result = Output>(
  client: S3Client,
  // deno-lint-ignore no-explicit-any
  command: any,
  options: SendOptions<Output, Result> = {},
): Promise<Result> {
  const limits = limitsOf(client);
  const deadline = options.deadline ?? s3Deadline(client);
  const remaining = () => deadline.endsAt - performance.now();
  let last: S3Failure | undefined;
  const attempt = async (): Promise<AttemptOutcome<Result>> => {
    const left = remaining();
    if (left <= 0) {
      last = new S3Failure({ timedOutMs: deadline.totalMs, cause: last });
      return { ok: false, retryable: false, error: "timed out" };
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), left);
    try {
      const output = await client.send(command, { abortSignal: abort.signal }) as Output;
      const result = options.consume ? await options.consume(output) : output as unknown as Result;
      return { ok: true, value: result };
    } catch (error) {
      last = abort.signal.aborted
        ? new S3Failure({ timedOutMs: deadline.totalMs, cause: error })
        : toFailure(error);
      const retryable = !abort.signal.aborted && isRetryable(last.facts);
      return {
        ok: false,
        retryable,
        error: last.message,
        retryAfterMs: retryAfterOf(error),
      };
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const policy = {
      maxAttempts: limits.maxAttempts,
      baseDelayMs: BASE_BACKOFF_MS,
      maxDelayMs: MAX_BACKOFF_MS,
      maxTotalMs: Math.max(0, remaining()),
    };
    return (await withRetry(attempt, policy)).value;
  } catch (error) {
    if (!(error instanceof RetryError) || last === undefined) throw error;
    throw new S3Failure({
      ...last.facts,
      attempts: error.attempts > 1 ? error.attempts : undefined,
    });
  }
}

/** The pages of a listing as they come, under one deadline and the page bound. */
export async function* listPages<Page extends ListPage>(
  client: S3Client,
  // deno-lint-ignore no-explicit-any
  command: (token: string | undefined) => any,
): AsyncIterable<Page> {
  const { maxListPages } = limitsOf(client);
  const deadline = s3Deadline(client);
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1;; pages++) {
    const page = await sendS3<Page>(client, command(token), { deadline });
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (!token) return;
    if (seen.has(token)) {
      throw new S3Failure({
        endlessListing: "the store sent the same continuation token twice",
      });
    }
    if (pages >= maxListPages) {
      throw new S3Failure({
        endlessListing: `it has more than ${maxListPages.toLocaleString("en-US")} pages`,
      });
    }
    seen.add(token);
  }
}

/** The part of a listing page {@linkcode listPages} follows. */
export interface ListPage {
  IsTruncated?: boolean;
  NextContinuationToken?: string;
}

function limitsOf(client: S3Client): S3Limits {
  return client instanceof BoundedS3Client ? client.limits : DEFAULT_S3_LIMITS;
}

/** Server trouble and throttling may pass; a refusal (4xx) will not. */
function isRetryable(facts: S3FailureFacts): boolean {
  if (facts.notXml !== undefined || facts.timedOutMs !== undefined) return false;
  if (facts.status !== undefined && facts.status > 0) {
    return facts.status >= 500 || facts.status === 429;
  }
  return facts.network !== undefined || facts.stalledMs !== undefined;
}

/** The facts of an SDK or runtime error; `idleMs` names a stall's bound. */
export function toFailure(error: unknown, idleMs?: number): S3Failure {
  if (error instanceof S3Failure) return error;
  // deno-lint-ignore no-explicit-any
  const e = error as any;
  // The HTTP handler's own bounds: a socket idle too long, a request past its time.
  if (e?.name === "TimeoutError" && /inactivity/.test(String(e?.message))) {
    const ms = Number(/after (\d+) ms/.exec(String(e.message))?.[1] ?? idleMs ?? 0);
    return new S3Failure({ stalledMs: ms, cause: error });
  }
  if (e?.name === "TimeoutError" && /requestTimeout/.test(String(e?.message))) {
    const ms = Number(/configured (\d+) ms/.exec(String(e.message))?.[1] ?? 0);
    return new S3Failure({ timedOutMs: ms, cause: error });
  }
  const status = Number(e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode ?? 0);
  // The code comes from the server's error body: keep it only when it looks like one.
  const rawCode = String(e?.Code ?? e?.name ?? "");
  const code = /^[A-Za-z][\w.-]{0,63}$/.test(rawCode) && !GENERIC_NAMES.has(rawCode)
    ? rawCode
    : undefined;
  const rawNetwork = String(e?.code ?? e?.cause?.code ?? "");
  const network = /^E[A-Z_]+$/.test(rawNetwork)
    ? rawNetwork
    : /ECONN|ENOTFOUND|EAI_AGAIN|timed? ?out|socket|network|connection/i.test(String(e?.message))
    ? "network error"
    : undefined;
  return new S3Failure({
    ...(status > 0 ? { status } : {}),
    ...(code ? { code } : {}),
    ...(status > 0 || !network ? {} : { network }),
    cause: error,
  });
}

/** Names the SDK gives errors it could not read a code from: they say nothing. */
const GENERIC_NAMES = new Set([
  "Unknown",
  "UnknownError",
  "Error",
  "TypeError",
  "S3ServiceException",
]);

function retryAfterOf(error: unknown): number | undefined {
  // deno-lint-ignore no-explicit-any
  const headers = (error as any)?.$response?.headers;
  const value = headers?.["retry-after"] ?? headers?.["Retry-After"];
  return typeof value === "string" ? parseRetryAfter(value) : undefined;
}
