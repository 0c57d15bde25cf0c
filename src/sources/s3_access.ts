/**
 * Credentials and clients for S3 and S3-compatible stores, from the standard AWS
 * variables. Secrets stay in memory: they reach the AWS SDK and Polars' object store,
 * never a message. Each is registered with the scrubber here, where Kontra learns it
 * (the key id too: S3 echoes it in error bodies). Errors are rewritten into one line that
 * names no secret; the endpoint is printed without its userinfo.
 * @module
 */
import { S3Client } from "@aws-sdk/client-s3";
import { registerSecret } from "../core/secrets.ts";
import { splitUri } from "../core/uri_credentials.ts";
import { DataSourceError } from "../errors.ts";
import type { Environment } from "../kontract/env.ts";
import { redactUri, registerUriSecrets } from "./connection_uri.ts";

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
const POLARS_TIMEOUT = "120s";
const POLARS_CONNECT_TIMEOUT = "10s";
const POLARS_MAX_RETRIES = "2";
const SDK_CONNECT_TIMEOUT_MS = 10_000;
const SDK_REQUEST_TIMEOUT_MS = 120_000;

/** Builds the S3 client and Polars options from `AWS_*` variables. */
export function s3Access(env: Environment): S3Access {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const token = env.AWS_SESSION_TOKEN;
  registerAwsSecrets(env);
  const credentials = keyId && secret
    ? { accessKeyId: keyId, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) }
    : undefined;
  const client = new S3Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: SDK_CONNECT_TIMEOUT_MS,
      requestTimeout: SDK_REQUEST_TIMEOUT_MS,
    },
  });
  const cloudOptions: Record<string, string> = {
    aws_region: region,
    timeout: POLARS_TIMEOUT,
    connect_timeout: POLARS_CONNECT_TIMEOUT,
    max_retries: POLARS_MAX_RETRIES,
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
 * One line for an S3 failure, naming what failed and why, never a secret.
 * Always exit code 3: the URI was well formed, the store said no or was unreachable.
 */
export function s3Error(what: string, error: unknown, endpoint?: string): DataSourceError {
  // deno-lint-ignore no-explicit-any
  const e = error as any;
  // The code comes from the server's error body: keep it only when it looks like one.
  const rawName = String(e?.name ?? e?.Code ?? "");
  const name = /^[A-Za-z][\w.-]{0,63}$/.test(rawName) ? rawName : "";
  const status = Number(e?.$metadata?.httpStatusCode ?? 0);
  let reason: string;
  if (name === "NoSuchBucket") reason = "the bucket does not exist";
  else if (name === "NoSuchKey" || (name === "NotFound" && status === 404)) {
    reason = "no such object";
  } else if (
    status === 403 || /SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied/.test(name)
  ) {
    reason = "access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)";
  } else if (status === 404) reason = "not found";
  else {
    const rawCode = String(e?.code ?? e?.cause?.code ?? "");
    const code = /^[A-Za-z][\w.-]{0,63}$/.test(rawCode) ? rawCode : "";
    const where = endpoint ? ` ${redactEndpoint(endpoint)}` : " S3";
    reason = code || /ECONN|ENOTFOUND|EAI_AGAIN|timed? ?out|socket/i.test(String(e?.message))
      ? `cannot reach${where} (${code || "network error"})`
      : `S3 error ${name || status || "unknown"}`;
  }
  return new DataSourceError(`${what}: ${reason}`, 3);
}

/** An endpoint URL for messages: no userinfo at all (its user is a key id), no secrets. */
export function redactEndpoint(endpoint: string): string {
  const parts = splitUri(endpoint);
  return parts ? redactUri(`${parts.scheme}://${parts.rest}`) : redactUri(endpoint);
}
