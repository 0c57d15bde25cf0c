/**
 * A postgres:// URI merged with the libpq variables of the Kontract's environment
 * (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`,
 * `PGCONNECT_TIMEOUT`, `PGAPPNAME`); never from anywhere else. The password is registered
 * with the scrubber as soon as it is read.
 * @module
 */
import { registerSecret } from "../../core/secrets.ts";
import { DataSourceError } from "../../core/errors.ts";
import type { Environment } from "../../core/environment.ts";
import {
  type ConnectionUri,
  parseConnectionUri,
  secondsParam,
  statementTimeoutS,
} from "../../core/connection_uri.ts";
import type { DatabaseConfig } from "../database.ts";

/** Query parameters a postgres:// URI may carry. */
const PARAMS = [
  "sslmode",
  "connect_timeout",
  "application_name",
  "statement_timeout",
  "password",
] as const;

const DEFAULT_CONNECT_TIMEOUT_S = 10;
/** How to reach the server, after the URI and the environment are merged. */
export interface PostgresConfig extends DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl: false | "allow" | "prefer" | "require" | "verify-full";
  connectTimeoutS: number;
  applicationName: string;
  statementTimeoutMs: number;
  /** `[schema, table]` or `[table]` from the path; empty for a `query:` datasource. */
  table: string[];
  /** The same names, checked against system schemas before connecting. */
  namespace: string[];
  /** The URI without secrets, for output. */
  redacted: string;
}

/** Merges the URI with the libpq variables of `env`. */
export function postgresConfig(uri: string, env: Environment): PostgresConfig {
  const parsed = parseConnectionUri(uri, PARAMS);
  const { segments, params, redacted } = parsed;
  if (segments.length > 2) {
    throw new DataSourceError(
      `${redacted}: expected postgres://user@host:port/database/schema.table`,
      2,
    );
  }
  const table = splitTable(segments[1], parsed);
  const user = parsed.user ?? env.PGUSER ?? env.USER ?? env.USERNAME ?? "postgres";
  const port = parsed.port ?? Number(env.PGPORT ?? 5432);
  if (!Number.isInteger(port) || port <= 0) {
    throw new DataSourceError(`${redacted}: bad port`, 2);
  }
  return {
    host: parsed.host || env.PGHOST || "localhost",
    port,
    user,
    password: registered(parsed.password ?? params.get("password") ?? env.PGPASSWORD),
    database: segments[0] || env.PGDATABASE || user,
    ssl: sslMode(params.get("sslmode") ?? env.PGSSLMODE, redacted),
    connectTimeoutS: secondsParam(
      params.get("connect_timeout") ?? env.PGCONNECT_TIMEOUT,
      DEFAULT_CONNECT_TIMEOUT_S,
      "connect_timeout",
      redacted,
    ),
    applicationName: params.get("application_name") ?? env.PGAPPNAME ?? "kontra",
    statementTimeoutMs: Math.round(statementTimeoutS(params, redacted) * 1000),
    table,
    namespace: table,
    redacted,
  };
}

/** The password, registered with the scrubber (src/core/secrets.ts) as Kontra learns it. */
function registered(password: string | undefined): string | undefined {
  registerSecret(password);
  return password;
}

/** `schema.table` or `table` → its parts (percent-encode a dot inside a name as %2E). */
function splitTable(segment: string | undefined, parsed: ConnectionUri): string[] {
  if (segment === undefined || segment === "") return [];
  const raw = parsed.url.pathname.split("/")[2] ?? "";
  const parts = raw.split(".").map((part) => decodeURIComponent(part));
  if (parts.length > 2 || parts.some((part) => part === "")) {
    throw new DataSourceError(`${parsed.redacted}: expected schema.table, got "${segment}"`, 2);
  }
  return parts;
}

function sslMode(mode: string | undefined, redacted: string): PostgresConfig["ssl"] {
  switch (mode ?? "disable") {
    case "disable":
      return false;
    case "allow":
    case "prefer":
    case "require":
      return mode as "allow" | "prefer" | "require";
    case "verify-ca":
    case "verify-full":
      return "verify-full";
    default:
      throw new DataSourceError(
        `${redacted}: sslmode must be disable, allow, prefer, require, verify-ca or verify-full`,
        2,
      );
  }
}
