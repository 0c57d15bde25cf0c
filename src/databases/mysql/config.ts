/**
 * A mysql:// (or mariadb://) URI merged with the MySQL client variables of the Kontract's
 * environment (`MYSQL_HOST`, `MYSQL_TCP_PORT`, `MYSQL_USER`, `MYSQL_PWD`, `MYSQL_DATABASE`;
 * `USER` when no user is given); never from anywhere else. The password is registered
 * with the scrubber as soon as it is read.
 *
 * `mysql://user[:password]@host:3306/database/table` names a table;
 * `mysql://user@host/database` the database of a `query:` datasource. Query parameters:
 * `statement_timeout` and `connect_timeout` (seconds), `password`, and `ssl_mode`
 * (`disabled`, the default, `required`, `verify_ca`, `verify_identity`, as MySQL's
 * `--ssl-mode` names them); any other is a usage error.
 * @module
 */
import { registerSecret } from "../../core/secrets.ts";
import { usageError } from "../../core/errors.ts";
import type { Environment } from "../../core/environment.ts";
import { parseConnectionUri, secondsParam, statementTimeoutS } from "../../core/connection_uri.ts";
import type { DatabaseConfig } from "../database.ts";

/** Query parameters a mysql:// URI may carry. */
const PARAMS = ["statement_timeout", "connect_timeout", "password", "ssl_mode"] as const;

const DEFAULT_CONNECT_TIMEOUT_S = 10;
const DEFAULT_PORT = 3306;

/** TLS as MySQL's `--ssl-mode` names it; `preferred` has no safe meaning here. */
export type MysqlSslMode = "disabled" | "required" | "verify_ca" | "verify_identity";

const SSL_MODES: readonly MysqlSslMode[] = [
  "disabled",
  "required",
  "verify_ca",
  "verify_identity",
];

/** How to reach the server, after the URI and the environment are merged. */
export interface MysqlConfig extends DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl: MysqlSslMode;
  connectTimeoutS: number;
  statementTimeoutS: number;
  /** `[table]` from the path; empty for a `query:` datasource. */
  table: string[];
  /** `[database, table]` (or `[database]`), checked against system schemas before connecting. */
  namespace: string[];
  /** The URI without secrets, for output. */
  redacted: string;
}

/** Merges the URI with the `MYSQL_*` variables of `env`. */
export function mysqlConfig(uri: string, env: Environment): MysqlConfig {
  const parsed = parseConnectionUri(uri, PARAMS);
  const { segments, params, redacted } = parsed;
  // Registered before any check below can fail: no message may ever show it.
  const password = registered(parsed.password ?? params.get("password") ?? env.MYSQL_PWD);
  if (segments.length > 2 || segments.some((segment) => segment === "")) {
    throw usageError(
      `${redacted}: expected mysql://user@host:3306/database/table (or …/database with a query:)`,
    );
  }
  const database = segments[0] ?? env.MYSQL_DATABASE ?? "";
  if (database === "") {
    throw usageError(
      `${redacted}: name a database (mysql://user@host:3306/database/table) or set MYSQL_DATABASE`,
    );
  }
  const user = parsed.user ?? env.MYSQL_USER ?? env.USER ?? "";
  if (user === "") throw usageError(`${redacted}: name a user in the URI or set MYSQL_USER`);
  const port = parsed.port ?? Number(env.MYSQL_TCP_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw usageError(`${redacted}: bad port`);
  }
  const table = segments[1] === undefined ? [] : [segments[1]];
  return {
    host: parsed.host || env.MYSQL_HOST || "localhost",
    port,
    user,
    password,
    database,
    ssl: sslMode(params.get("ssl_mode"), redacted),
    connectTimeoutS: secondsParam(
      params.get("connect_timeout"),
      DEFAULT_CONNECT_TIMEOUT_S,
      "connect_timeout",
      redacted,
    ),
    statementTimeoutS: statementTimeoutS(params, redacted),
    table,
    namespace: [database, ...table],
    redacted,
  };
}

/** The password, registered with the scrubber (src/core/secrets.ts) as Kontra learns it. */
function registered(password: string | undefined): string | undefined {
  registerSecret(password);
  return password;
}

function sslMode(mode: string | undefined, redacted: string): MysqlSslMode {
  const wanted = (mode ?? "disabled").toLowerCase().replaceAll("-", "_");
  const found = SSL_MODES.find((known) => known === wanted);
  if (!found) throw usageError(`${redacted}: ssl_mode must be ${SSL_MODES.join(", ")}`);
  return found;
}
