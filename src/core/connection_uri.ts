/**
 * Database URIs: parsing the parts Kontra needs and redacting them for output. A URI
 * may carry a password (`postgres://user:${PGPASS}@host/…` after interpolation); the
 * redacted form, the only one that reaches results, messages and logs, never does.
 *
 * Userinfo is split tolerantly (`src/core/uri_credentials.ts`): the password is everything
 * between the first `:` after `//` and the last `@` before the host, so a password holding
 * `/ # ? @ :` stays a password instead of leaking into the path, query or fragment. The
 * password and secret query parameters are registered with the scrubber when parsed.
 * @module
 */
import { isSecretParam, registerSecret, scrubSecrets } from "./secrets.ts";
import { splitUri, uriSecrets } from "./uri_credentials.ts";
import { DataSourceError } from "./errors.ts";

/** A database URI, parsed. */
export interface ConnectionUri {
  /** The URI without its userinfo, for parsing path and query only: never print it. */
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
  registerUriSecrets(uri);
  const parts = splitUri(uri);
  let url: URL;
  try {
    if (!parts) throw new Error("no scheme");
    url = new URL(`${parts.scheme}://${parts.rest}`);
  } catch {
    // The text may hold a password: say only what is wrong with it.
    throw new DataSourceError(`${schemeOf(uri)}://…: not a valid URI`, 2);
  }
  const redacted = redactParsed(parts.scheme, parts.user, url);
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
    user: parts.user ? decode(parts.user, "user name") : undefined,
    password: parts.password ? decode(parts.password, "password") : undefined,
    segments,
    params,
    redacted,
  };
}

/** Registers a URI's password and secret query parameters (as written and decoded). */
export function registerUriSecrets(uri: string): void {
  for (const secret of uriSecrets(uri)) {
    registerSecret(secret.raw);
    registerSecret(secret.decoded);
  }
}

/**
 * The URI without its password and secret query parameters. Text that is not a URI is
 * returned as it is; a URI that cannot be parsed becomes `scheme://…`.
 */
export function redactUri(input: string | URL): string {
  const text = String(input);
  const parts = splitUri(text);
  if (!parts) return text;
  try {
    return redactParsed(parts.scheme, parts.user, new URL(`${parts.scheme}://${parts.rest}`));
  } catch {
    return `${schemeOf(text)}://…`;
  }
}

function redactParsed(scheme: string, user: string | undefined, parsed: URL): string {
  const url = new URL(parsed.href);
  for (const key of [...url.searchParams.keys()]) {
    if (isSecretParam(key)) url.searchParams.delete(key);
  }
  const text = url.toString();
  if (!user) return text;
  // Put the user back the way WHATWG URL would print it (percent-encoded userinfo).
  const withUser = new URL(`${scheme}://h/`);
  withUser.username = decodeOrKeep(user);
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)/i, `$1${withUser.username}@`);
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Replaces every occurrence of the secrets in `text`, and every registered secret
 * (defence in depth for messages). Short secrets given here (≥ 3 characters) are
 * replaced too, though too short to register for the whole process.
 */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let clean = text;
  for (const secret of secrets) {
    registerSecret(secret);
    if (secret && secret.length >= 3) clean = clean.replaceAll(secret, "***");
  }
  return scrubSecrets(clean);
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
