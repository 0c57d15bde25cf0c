/**
 * The one place that maps a location to a {@linkcode Storage}: a local path, a
 * `file://` URI or `s3://bucket/prefix`. The S3 client is loaded only for `s3://`.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { DataSourceError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import { LocalStorage } from "./local.ts";
import { isGlob, type Storage } from "./storage.ts";

/** How to open a location. */
export interface OpenStorageOptions {
  /** Relative local paths resolve against this directory (default: as given). */
  baseDir?: string;
}

/** The scheme of a URI (`s3`, `file`), lower case; undefined for a plain path. */
export function schemeOf(uri: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
}

/**
 * The storage rooted at `uri`. S3 credentials come from `env`. A scheme other than
 * `s3://` and `file://`, or an S3 glob, is a usage error (exit 2).
 */
export async function openStorage(
  uri: string,
  env: Environment,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  const scheme = schemeOf(uri);
  if (scheme === "s3") {
    const [{ parseS3Uri }, { s3Access }, { S3Storage }] = await Promise.all([
      import("./s3_location.ts"),
      import("./s3_access.ts"),
      import("./s3.ts"),
    ]);
    const location = parseS3Uri(uri);
    if (location.kind === "glob" || isGlob(location.path)) {
      throw new DataSourceError(`${uri}: a storage location cannot be a glob`, 2);
    }
    const { bucket, path } = location;
    const prefix = path === "" || path.endsWith("/") ? path : `${path}/`;
    return new S3Storage(s3Access(env), bucket, prefix, uri);
  }
  if (scheme !== undefined && scheme !== "file") {
    throw new DataSourceError(
      `${uri}: unsupported scheme "${scheme}://" (a directory or s3://)`,
      2,
    );
  }
  const path = scheme === "file" ? new URL(uri).pathname : uri;
  const rooted = options.baseDir === undefined || isAbsolute(path)
    ? path
    : resolve(options.baseDir, path);
  return new LocalStorage(rooted);
}
