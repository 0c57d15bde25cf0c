/**
 * Turns a datasource URI into a Source. The only place that knows which kinds exist.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { DataSourceError } from "../errors.ts";
import { LocalFileSource } from "./file.ts";
import type { Source } from "./source.ts";
import type { Environment } from "../kontract/env.ts";

/** Where to resolve relative paths and which environment holds credentials. */
export interface ResolveOptions {
  baseDir: string;
  env: Environment;
  /** A SELECT over the database `uri` names (`datasource: { connection, query }`). */
  query?: string;
}

/** Opens the source a URI names. Relative paths resolve against `baseDir`. */
export function openSource(uri: string, options: ResolveOptions): Promise<Source> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file") {
    if (options.query !== undefined) {
      return Promise.reject(
        new DataSourceError(`${uri}: a query: needs a postgres:// or snowflake:// connection`, 2),
      );
    }
    const path = scheme === "file" ? new URL(uri).pathname : uri;
    return LocalFileSource.open(isAbsolute(path) ? path : resolve(options.baseDir, path), uri);
  }
  if (scheme === "s3") {
    return import("./s3.ts").then(({ S3Source }) => S3Source.open(uri, options.env));
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    return import("./postgres.ts").then(({ openPostgres }) => openPostgres(uri, options));
  }
  if (scheme === "snowflake") {
    return import("./snowflake.ts").then(({ openSnowflake }) => openSnowflake(uri, options));
  }
  return Promise.reject(
    new DataSourceError(`${uri}: unsupported datasource scheme "${scheme}://"`, 2),
  );
}
