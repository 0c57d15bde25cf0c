/**
 * Database URIs: parsing the parts Kontra needs and redacting them for output. A URI
 * may carry a password (`postgres://user:${PGPASS}@host/…` after interpolation); the
 * redacted form, the only one that reaches results, messages and logs, never does.
 * @module
 */
import { DataSourceError } from "../errors.ts";

/** Query parameters whose values are secrets: dropped from output. */
const SECRET_PARAM = /pass|secret|token|key/i;

/** A database URI, parsed. */
export interface ConnectionUri {
  /** The URI as written, for parsing only: never print it. */
  url: URL;
  /** Host (or Snowflake account), brackets of IPv6 literals removed; "" when absent. */
  host: string;
  port?: number;
  user?: string;
  password?: string;
  /** The path's segments, percent-decoded. */
  segments: string[];
  /** Query parameters. */
  params: Map<string, string>;
  /** The URI without password or secret parameters: safe to print. */
  redacted: string;
}

/**
 * Parses `scheme://[user[:password]@]host[:port]/seg/seg?key=value`. `allowed` lists the
 * query parameters the scheme knows; any other is a usage error (exit 2).
 */
export function parseConnectionUri(uri: string, allowed: readonly string[]): ConnectionUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // The text may hold a password: say only what is wrong with it.
    throw new DataSourceError(`${schemeOf(uri)}://…: not a valid URI`, 2);
  }
  const redacted = redactUri(url);
  const decode = (text: string, what: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new DataSourceError(`${redacted}: bad percent-encoding in the ${what}`, 2);
    }
  };
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      throw new DataSourceError(
        `${redacted}: unknown parameter "${key}" (known: ${allowed.join(", ")})`,
        2,
      );
    }
    params.set(key, value);
  }
  const segments = url.pathname.split("/").slice(1).map((segment) => decode(segment, "path"));
  while (segments.length > 0 && segments.at(-1) === "") segments.pop();
  return {
    url,
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? undefined : Number(url.port),
    user: url.username === "" ? undefined : decode(url.username, "user name"),
    password: url.password === "" ? undefined : decode(url.password, "password"),
    segments,
    params,
    redacted,
  };
}

/** The URI without its password and secret query parameters. */
export function redactUri(input: string | URL): string {
  const url = new URL(String(input));
  url.password = "";
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) url.searchParams.delete(key);
  }
  return url.toString();
}

/** Replaces every occurrence of the secrets in `text` (defence in depth for messages). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) clean = clean.replaceAll(secret, "***");
  }
  return clean;
}

/** Seconds a statement may run unless `?statement_timeout=` says otherwise. */
export const DEFAULT_STATEMENT_TIMEOUT_S = 600;

/** `?statement_timeout=` in seconds, or the default. */
export function statementTimeoutS(params: Map<string, string>, redacted: string): number {
  return secondsParam(
    params.get("statement_timeout"),
    DEFAULT_STATEMENT_TIMEOUT_S,
    "statement_timeout",
    redacted,
  );
}

/** A positive number of seconds from a parameter, or the default. */
export function secondsParam(
  value: string | undefined,
  fallback: number,
  name: string,
  redacted: string,
): number {
  if (value === undefined || value === "") return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new DataSourceError(`${redacted}: ${name} must be a positive number of seconds`, 2);
  }
  return seconds;
}

function schemeOf(uri: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1] ?? "datasource";
}
