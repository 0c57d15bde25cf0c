/**
 * What a source can do, resolved ONCE when the run is planned: a database (everything is
 * pushed into one statement), files Polars can scan (and DuckDB can query), or only a
 * schema. The planner and the passes switch on this union; nothing probes the source's
 * methods while running.
 * @module
 */
import type { LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import type { DuckdbTable, Source } from "../sources/source.ts";
import type { SqlAccess } from "../sql/sql_access.ts";

/** A source's capabilities, by the way its rows are read. */
export type Capabilities =
  | {
    readonly kind: "database";
    /** The ONE statement's target: dialect, relation, read-only statements. */
    readonly sql: SqlAccess;
  }
  | {
    readonly kind: "files";
    /** A lazy Polars scan of just these columns. */
    scan(columns: string[]): LazyDataFrame;
    /** The data as a DuckDB table (user SQL, duplicates); undefined when it has none. */
    readonly duckdb?: () => Promise<DuckdbTable>;
    /** How DuckDB reaches the data, for `--explain`. */
    readonly duckdbVia: string;
    /** DuckDB sees each column with the type a Polars scan gives it (uniform Parquet). */
    readonly duckdbExactTypes: boolean;
    /** Reading again costs no more than the first read (local files). */
    readonly cheapRescans: boolean;
  }
  | { readonly kind: "schema_only" };

/** Resolves what `source` offers. */
export function capabilitiesOf(source: Source): Capabilities {
  if (source.sql) return { kind: "database", sql: source.sql };
  if (!source.scan) return { kind: "schema_only" };
  const scan = source.scan.bind(source);
  const duckdb = source.duckdb?.bind(source);
  return {
    kind: "files",
    scan,
    ...(duckdb ? { duckdb } : {}),
    duckdbVia: source.duckdbVia ?? "DuckDB",
    duckdbExactTypes: source.duckdbExactTypes === true,
    cheapRescans: source.cheapRescans === true,
  };
}
