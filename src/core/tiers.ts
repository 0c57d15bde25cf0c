/**
 * The tiers that answer a rule, cheapest first: `metadata` (schemas, Parquet footers,
 * database catalogs), `sql` (the source's own engine: a database, or DuckDB for user
 * SQL over files), `scan` (Polars reading the rows). Results name the tier in
 * `execution_source`.
 * @module
 */

/** Which tier answered a rule. */
export type ExecutionSource = "metadata" | "scan" | "sql";
