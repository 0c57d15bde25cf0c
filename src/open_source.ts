/**
 * Turns a datasource URI into a Source: local files, S3, or a database of the registry
 * (databases/registry.ts). The only place that dispatches on a URI's scheme.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { printable } from "./core/printable.ts";
import { DataSourceError } from "./core/errors.ts";
import type { RaggedRowsPolicy } from "./sources/csv_inspect.ts";
import { LocalFileSource } from "./sources/file.ts";
import type { Source } from "./sources/source.ts";
import type { Environment } from "./core/environment.ts";
import { openDatabase } from "./databases/open_database.ts";
import { DATABASE_SCHEMES, findDatabase } from "./databases/registry.ts";

/** Where to resolve relative paths and which environment holds credentials. */
export interface ResolveOptions {
  baseDir: string;
  env: Environment;
  /** A SELECT over the database `uri` names (`datasource: { connection, query }`). */
  query?: string;
  /** Ragged CSV rows: `warn` (default) or `fail` (the Kontract's `csv.ragged_rows`). */
  raggedRows?: RaggedRowsPolicy;
}

/** Opens the source a URI names. Relative paths resolve against `baseDir`. */
export function openSource(uri: string, options: ResolveOptions): Promise<Source> {
  // `--data ""` would otherwise name the base directory itself.
  if (uri.trim() === "") {
    return Promise.reject(
      new DataSourceError(`${printable(uri)}: the datasource is empty; name a file or URI`, 2),
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  // Every message names the URI: one holding a line break would split it. (Not printed
  // here: a database URI may hold a password.)
  if (scheme !== undefined && scheme !== "file" && printable(uri) !== uri) {
    return Promise.reject(
      new DataSourceError(
        `${scheme}:// datasource URI holds a control character (a line break?)`,
        2,
      ),
    );
  }
  if (scheme === undefined || scheme === "file") {
    if (options.query !== undefined) {
      return Promise.reject(
        new DataSourceError(
          `${uri}: a query: needs a database connection (${
            DATABASE_SCHEMES.map((name) => `${name}://`).join(", ")
          })`,
          2,
        ),
      );
    }
    const path = scheme === "file" ? new URL(uri).pathname : uri;
    // A name with a line break must not break the one-line error: printed JSON-style.
    return LocalFileSource.open(
      isAbsolute(path) ? path : resolve(options.baseDir, path),
      printable(uri),
      { raggedRows: options.raggedRows },
    );
  }
  if (scheme === "s3") {
    return import("./sources/s3.ts").then(({ S3Source }) =>
      S3Source.open(uri, options.env, { raggedRows: options.raggedRows })
    );
  }
  const database = findDatabase(scheme);
  if (database) return database.then((found) => openDatabase(found, uri, options));
  return Promise.reject(
    new DataSourceError(`${uri}: unsupported datasource scheme "${scheme}://"`, 2),
  );
}
