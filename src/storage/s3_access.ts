/**
 * Credentials and clients for S3 and S3-compatible stores, from the standard AWS
 * variables. Secrets stay in memory: they reach the AWS SDK and Polars' object store,
 * never a message. Each is registered with the scrubber here, where Kontra learns it
 * (the key id too: S3 echoes it in error bodies). Errors are rewritten into one line that
 * names no secret; the endpoint is printed without its userinfo.
 *
 * Every wait is bounded (see `s3_request.ts`): each operation Kontra sends itself has a
 * deadline, `KONTRA_S3_TIMEOUT` seconds (default 60), retries included; Polars' scans get
 * the same bound per request and for their retries.
 * @module
 */
import type { S3Client } from "npm:@aws-sdk/client-s3@3.1175.0";
import { registerSecret } from "../core/secrets.ts";
import { splitUri } from "../core/uri_credentials.ts";
import { DataSourceError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import { redactUri, registerUriSecrets } from "../core/connection_uri.ts";
import {
  BoundedS3Client,
  DEFAULT_S3_LIMITS,
  S3Failure,
  type S3Limits,
  toFailure,
} from "./s3_request.ts";

/** How to reach S3. */
export interface S3Access {
  /** `http://127.0.0.1:9000`-style endpoint for S3-compatible stores, else undefined. */
  endpoint?: string;
  region: string;
  client: S3Client;
  /** Options for Polars' cloud scans. Only strings: a boolean silently drops them all. */
  cloudOptions: Record<string, string>;
}

// Polars never gives up on a server that accepts a connection and stays silent
// (measured: still waiting after 14 minutes), so every scan gets explicit bounds.
const POLARS_MAX_RETRIES = "2";
const CONNECT_TIMEOUT_MS = 10_000;

/** The variable that sets the S3 operation deadline, in seconds. */
export const S3_TIMEOUT_VARIABLE = "KONTRA_S3_TIMEOUT";

/**
 * The limits of `env`: `KONTRA_S3_TIMEOUT` (seconds, default 60) bounds each operation
 * and a stalled connection; a value that is not a positive number is a usage error.
 */
export function s3Limits(env: Environment): S3Limits {
  const text = env[S3_TIMEOUT_VARIABLE];
  if (text === undefined || text.trim() === "") return DEFAULT_S3_LIMITS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new DataSourceError(
      `${S3_TIMEOUT_VARIABLE}=${JSON.stringify(text)}: expected a number of seconds above 0`,
      2,
    );
  }
  // Whole milliseconds, at least 1: Polars drops ALL its options on a value it cannot read.
  const ms = Math.max(1, Math.round(seconds * 1000));
  return { ...DEFAULT_S3_LIMITS, operationMs: ms, idleMs: ms };
}

/** Builds the S3 client and Polars options from `AWS_*` variables. */
export function s3Access(env: Environment, limits: S3Limits = s3Limits(env)): S3Access {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const token = env.AWS_SESSION_TOKEN;
  registerAwsSecrets(env);
  const credentials = keyId && secret
    ? { accessKeyId: keyId, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) }
    : undefined;
  const client = new BoundedS3Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    // Kontra retries itself (sendS3), within the operation's deadline.
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, limits.operationMs),
      // Until the answer's headers; without throwOnRequestTimeout the handler only warns
      // (and waits for ever: measured on a silent endpoint).
      requestTimeout: limits.operationMs,
      throwOnRequestTimeout: true,
      // A socket idle this long is given up, also while a body streams (a stalled download).
      socketTimeout: limits.idleMs,
    },
  }, limits);
  const cloudOptions: Record<string, string> = {
    aws_region: region,
    // Per request (body included), and for all retries of one request together.
    timeout: `${limits.operationMs}ms`,
    connect_timeout: `${Math.min(CONNECT_TIMEOUT_MS, limits.operationMs)}ms`,
    max_retries: POLARS_MAX_RETRIES,
    retry_timeout_ms: String(limits.operationMs),
    ...(endpoint ? { aws_endpoint_url: endpoint } : {}),
    ...(keyId ? { aws_access_key_id: keyId } : {}),
    ...(secret ? { aws_secret_access_key: secret } : {}),
    ...(token ? { aws_session_token: token } : {}),
  };
  return { endpoint, region, client, cloudOptions };
}

/** Registers the AWS credentials of `env`, and any userinfo of the endpoint URLs. */
export function registerAwsSecrets(env: Environment): void {
  registerSecret(env.AWS_ACCESS_KEY_ID);
  registerSecret(env.AWS_SECRET_ACCESS_KEY);
  registerSecret(env.AWS_SESSION_TOKEN);
  for (const endpoint of [env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL]) {
    if (endpoint === undefined) continue;
    registerUriSecrets(endpoint);
    // The user part of an endpoint's userinfo is an access key id: a secret here.
    const user = splitUri(endpoint)?.user;
    registerSecret(user);
    if (user) registerSecret(decodeOrKeep(user));
  }
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * One line for an S3 failure, naming what failed and why, never a secret: the HTTP
 * status and S3's error code, the deadline that passed, the attempts made.
 * Always exit code 3: the URI was well formed, the store said no or was unreachable.
 */
export function s3Error(what: string, error: unknown, endpoint?: string): DataSourceError {
  if (error instanceof DataSourceError) return error;
  return new DataSourceError(`${what}: ${s3Reason(error, endpoint)}`, 3);
}

/** Why an S3 request failed, in words without the object's name (see {@linkcode s3Error}). */
export function s3Reason(error: unknown, endpoint?: string): string {
  const facts = error instanceof S3Failure ? error.facts : toFailure(error).facts;
  // deno-lint-ignore no-explicit-any
  const e = (error instanceof S3Failure ? facts.cause : error) as any;
  const rawName = String(facts.code ?? e?.name ?? e?.Code ?? "");
  const name = /^[A-Za-z][\w.-]{0,63}$/.test(rawName) ? rawName : "";
  const status = facts.status ?? Number(e?.$metadata?.httpStatusCode ?? 0);
  const where = endpoint ? ` ${redactEndpoint(endpoint)}` : " S3";
  const tried = facts.attempts ? `, ${facts.attempts} attempts` : "";
  let reason: string;
  if (facts.notXml !== undefined) {
    reason = `the S3 listing was not XML (${facts.notXml.slice(0, 60)})`;
  } else if (facts.endlessListing !== undefined) {
    reason = `the listing does not end: ${facts.endlessListing}`;
  } else if (facts.stalledMs !== undefined) {
    reason = `${where.trim()} stopped sending: nothing for ${
      seconds(facts.stalledMs)
    } s (${S3_TIMEOUT_VARIABLE})`;
  } else if (facts.timedOutMs !== undefined) {
    reason = `${where.trim()} did not answer in time: timed out after ${
      seconds(facts.timedOutMs)
    } s (${S3_TIMEOUT_VARIABLE})${tried}`;
  } else if (name === "NoSuchBucket") reason = "the bucket does not exist";
  else if (name === "NoSuchKey" || (name === "NotFound" && status === 404)) {
    reason = "no such object";
  } else if (
    status === 403 || /SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied/.test(name)
  ) {
    reason = "access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)";
  } else if (status === 404) reason = "not found";
  else if (status > 0) {
    const code = name && !/^(Unknown|UnknownError|Error|S3Failure)$/.test(name) ? ` ${name}` : "";
    reason = `S3 answered HTTP ${status}${code}${tried}`;
  } else {
    const rawCode = String(facts.network ?? e?.code ?? e?.cause?.code ?? "");
    const code = /^[A-Za-z][\w .-]{0,63}$/.test(rawCode) ? rawCode : "";
    reason = code || /ECONN|ENOTFOUND|EAI_AGAIN|timed? ?out|socket/i.test(String(e?.message))
      ? `cannot reach${where} (${code || "network error"})${tried}`
      : `S3 error ${name || "unknown"}${tried}`;
  }
  return reason;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** An endpoint URL for messages: no userinfo at all (its user is a key id), no secrets. */
export function redactEndpoint(endpoint: string): string {
  const parts = splitUri(endpoint);
  return parts ? redactUri(`${parts.scheme}://${parts.rest}`) : redactUri(endpoint);
}
