/**
 * `s3://` URIs: one object, a prefix (`s3://b/dir/`) or a glob (`s3://b/dir/*.parquet`).
 * @module
 */
import { matchesGlob } from "node:path";
import { DataSourceError } from "../core/errors.ts";
import { isGlob } from "./storage.ts";

/** What an `s3://` URI names. */
export interface S3Location {
  bucket: string;
  /** An exact key, a prefix ending in `/`, or a glob pattern. */
  path: string;
  kind: "object" | "prefix" | "glob";
  /** The longest key prefix before any glob character, for listing. */
  listPrefix: string;
}

// S3 bucket names: 3–63 lowercase letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses an `s3://bucket/key` URI; a malformed one is a usage error (exit 2). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(uri);
  const bucket = match?.[1] ?? "";
  const path = match?.[2] ?? "";
  if (!BUCKET.test(bucket)) {
    throw new DataSourceError(`${uri}: not a valid S3 URI (expected s3://bucket/key)`, 2);
  }
  if (path === "" || path.endsWith("/")) {
    return { bucket, path, kind: "prefix", listPrefix: path };
  }
  if (isGlob(path)) {
    const firstGlob = path.search(/[*?[\]{}]/);
    const listPrefix = path.slice(0, path.lastIndexOf("/", firstGlob) + 1);
    return { bucket, path, kind: "glob", listPrefix };
  }
  return { bucket, path, kind: "object", listPrefix: path };
}

/** True when a listed key belongs to the location (`*` stays within one folder). */
export function keyMatches(location: S3Location, key: string): boolean {
  if (location.kind === "glob") return matchesGlob(key, location.path);
  return key.startsWith(location.listPrefix) && !key.endsWith("/");
}
