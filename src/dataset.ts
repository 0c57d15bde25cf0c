/**
 * From a Kontract (or an override) to an open Source: shared by `validate` and
 * `explain`, so both read exactly the same data.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { KontractError } from "./core/errors.ts";
import type { Kontract } from "./kontract/load.ts";
import { openSource } from "./open_source.ts";
import type { Source } from "./sources/source.ts";

/**
 * A function that opens the Kontract's datasource (or `data`, relative to the working
 * directory) each time it is called. `label` names the Kontract in errors.
 */
export function datasourceOpener(
  kontract: Kontract,
  data: string | undefined,
  label: string,
): () => Promise<Source> {
  const datasource = data ?? kontract.datasource;
  const uri = typeof datasource === "object" ? datasource.connection : datasource;
  const query = typeof datasource === "object" ? datasource.query : undefined;
  if (uri === undefined) {
    throw new KontractError(`${label}: datasource: required (or pass data)`);
  }
  const baseDir = data !== undefined || isAbsolute(uri) ? Deno.cwd() : kontract.baseDir;
  return () =>
    openSource(uri, {
      baseDir: resolve(baseDir),
      env: kontract.env,
      query,
      raggedRows: kontract.csv?.ragged_rows,
    });
}

/**
 * A function that opens a datasource another part of the Kontract names (a `references`
 * rule's `to.datasource`): resolved like the Kontract's own `datasource`, relative paths
 * against the Kontract's directory, credentials from its environment.
 */
export function referenceOpener(kontract: Kontract): (datasource: string) => Promise<Source> {
  return (datasource) =>
    openSource(datasource, {
      baseDir: resolve(isAbsolute(datasource) ? Deno.cwd() : kontract.baseDir),
      env: kontract.env,
      raggedRows: kontract.csv?.ragged_rows,
    });
}
