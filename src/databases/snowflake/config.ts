/**
 * A snowflake:// URI merged with the Kontract's environment: `SNOWFLAKE_USER` and
 * `SNOWFLAKE_PASSWORD`, or key-pair auth with `SNOWFLAKE_PRIVATE_KEY_PATH` (and
 * `SNOWFLAKE_PRIVATE_KEY_PASSPHRASE` for an encrypted key). Every secret, the private
 * key's text included, is registered with the scrubber as soon as it is read.
 *
 * `?access_url=` / `SNOWFLAKE_ACCESS_URL` sends the driver to another endpoint than
 * `https://<account>.snowflakecomputing.com`: for tests (a local Snowflake-protocol
 * server) and proxies.
 * @module
 */
import type { ConnectionOptions } from "npm:snowflake-sdk@3.3.0";
import { registerSecret } from "../../core/secrets.ts";
import { DataSourceError } from "../../core/errors.ts";
import type { Environment } from "../../core/environment.ts";
import { parseConnectionUri, secondsParam, statementTimeoutS } from "../../core/connection_uri.ts";
import type { DatabaseConfig } from "../database.ts";

/** Query parameters a snowflake:// URI may carry. */
const PARAMS = ["warehouse", "role", "access_url", "statement_timeout", "login_timeout"] as const;

const DEFAULT_LOGIN_TIMEOUT_S = 60;

/** How to reach Snowflake, after the URI and the environment are merged. */
export interface SnowflakeConfig extends DatabaseConfig {
  options: ConnectionOptions;
  /** `[database, schema?, table?]` from the path. */
  path: string[];
  /** `[database, schema, table]` when the path names a table, else empty. */
  table: string[];
  /** The path: none of it may name system data. */
  namespace: string[];
  statementTimeoutS: number;
  /** Logging in, retries included, ends within this. */
  loginTimeoutS: number;
  /** Secrets to scrub from messages. */
  secrets: string[];
  /** The URI without secrets, for output. */
  redacted: string;
}

/** Merges the URI with the `SNOWFLAKE_*` variables of `env`. */
export function snowflakeConfig(uri: string, env: Environment): SnowflakeConfig {
  const parsed = parseConnectionUri(uri, PARAMS);
  const { segments: path, params, redacted } = parsed;
  if (!parsed.host) throw new DataSourceError(`${redacted}: the account is missing`, 2);
  if (path.length < 1 || path.length > 3 || path.some((part) => part === "")) {
    throw new DataSourceError(
      `${redacted}: expected snowflake://account/database/schema/table (or …/database[/schema] with a query:)`,
      2,
    );
  }
  const user = parsed.user ?? env.SNOWFLAKE_USER;
  if (!user) throw new DataSourceError(`${redacted}: set SNOWFLAKE_USER`, 3);
  const password = parsed.password ?? env.SNOWFLAKE_PASSWORD;
  const keyPath = env.SNOWFLAKE_PRIVATE_KEY_PATH;
  const keyPass = env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE;
  registerSecret(password);
  registerSecret(env.SNOWFLAKE_PASSWORD);
  registerSecret(keyPass);
  registerPrivateKey(keyPath, redacted);
  if (!password && !keyPath) {
    throw new DataSourceError(
      `${redacted}: set SNOWFLAKE_PASSWORD, or SNOWFLAKE_PRIVATE_KEY_PATH for key-pair auth`,
      3,
    );
  }
  const auth: Partial<ConnectionOptions> = keyPath && !parsed.password
    ? {
      authenticator: "SNOWFLAKE_JWT",
      privateKeyPath: keyPath,
      ...(keyPass ? { privateKeyPass: keyPass } : {}),
    }
    : { password };
  const accessUrl = params.get("access_url") ?? env.SNOWFLAKE_ACCESS_URL;
  const warehouse = params.get("warehouse") ?? env.SNOWFLAKE_WAREHOUSE;
  const role = params.get("role") ?? env.SNOWFLAKE_ROLE;
  const loginTimeoutS = secondsParam(
    params.get("login_timeout"),
    DEFAULT_LOGIN_TIMEOUT_S,
    "login_timeout",
    redacted,
  );
  return {
    options: {
      account: parsed.host,
      username: user,
      ...auth,
      database: path[0],
      ...(path[1] === undefined ? {} : { schema: path[1] }),
      ...(warehouse ? { warehouse } : {}),
      ...(role ? { role } : {}),
      ...(accessUrl ? { accessUrl } : {}),
      clientSessionKeepAlive: false,
      // A refused or unreachable endpoint fails in seconds, not after minutes of retries.
      sfRetryMaxLoginRetries: 2,
      timeout: Math.round(loginTimeoutS * 1000),
    } as ConnectionOptions,
    path,
    table: path.length === 3 ? path : [],
    namespace: path,
    statementTimeoutS: statementTimeoutS(params, redacted),
    loginTimeoutS,
    secrets: [password, keyPass].filter((secret): secret is string => Boolean(secret)),
    redacted,
  };
}

/** The largest private key file read (a PEM key is a few KB). */
const MAX_PRIVATE_KEY_BYTES = 1024 * 1024;

/**
 * Registers the private key the driver will read: the whole PEM text and each line of its
 * body, so no part of it is printed should a message ever quote it. A key that cannot be
 * read is the driver's to report; one that is not a regular file of at most 1 MB (a
 * device, a named pipe) is refused here, before the driver reads it without bound.
 */
function registerPrivateKey(path: string | undefined, redacted: string): void {
  if (!path) return;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return;
  }
  if (!info.isFile || info.size > MAX_PRIVATE_KEY_BYTES) {
    throw new DataSourceError(
      `${redacted}: SNOWFLAKE_PRIVATE_KEY_PATH must name a key file (a regular file of at ` +
        "most 1 MB)",
      2,
    );
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return;
  }
  registerSecret(text);
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith("-----")) registerSecret(line);
  }
}
