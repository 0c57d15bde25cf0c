/**
 * Resolving `references` rules before planning: each reference (`to.datasource`) is
 * opened through the opener the SDK hands in (the same scheme dispatch and path
 * resolution as the Kontract's own `datasource`), its column found and its type checked
 * against the dataset's. The measure then carries what the passes need
 * (`ResolvedReference`):
 *
 * - dataset and reference both files (local, glob, directory, S3): the reference column
 *   as a DuckDB table, for ONE hash anti-join (duckdb_references.ts);
 * - dataset in a database, reference a table of the SAME database (same scheme, user,
 *   host, port and database): the table's name as the catalog gives it, quoted by the
 *   dialect, for an anti-join item of the one statement. The reference's own connection is
 *   closed at once;
 * - dataset files, reference a database table: the reference column's distinct values
 *   are streamed ONCE through a cursor into private local Parquet files, then the same
 *   anti-join as between files (integer, float, text and boolean keys: the types a
 *   cursor's values convert exactly);
 * - dataset in a database, reference files: the reference as between files
 *   (`streamsData`): the dataset column's distinct values and their rows are streamed
 *   out once by a pass of its own (database_references.ts).
 *
 * A reference that cannot be opened, lacks the column or sits in another database is an
 * error naming the rule, before any row is read: the reference is part of the Kontract
 * (exit 2 when it is the Kontract's fault). A source that offers neither rows nor SQL
 * cannot be checked against anything.
 * @module
 */
import { closest } from "npm:fastest-levenshtein@1.0.16";
import type { ColumnInfo, Schema } from "../core/dataset.ts";
import { DataSourceError, KontractError, KontraError } from "../core/errors.ts";
import { type Kontract, type RuleInstance, ruleLabel } from "../kontract/load.ts";
import type {
  Measure,
  ReferencesMeasure,
  ResolvedReference,
  RowCondition,
} from "../rules/define.ts";
import type { Source } from "../sources/source.ts";
import { type Capabilities, capabilitiesOf } from "./capabilities.ts";
import { copyLocally } from "./local_copy.ts";
import { join } from "node:path";
import { dtypeSet, familyOf, FLOATS, INTEGERS_64, TEXTS } from "../core/dtypes.ts";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";
import { frameOf } from "../databases/sql_frame.ts";
import { duckdb } from "../sql/duckdb.ts";
import { type SqlAccess, withPrefix } from "../sql/sql_access.ts";

/** Opens a datasource a Kontract names (as its own `datasource` would be opened). */
export type DatasourceOpener = (datasource: string) => Promise<Source>;

/**
 * The measures of the Kontract's `references` rules with their reference resolved, by
 * rule id (planRules uses them instead of the rules' own). Empty when there are none.
 */
export async function resolveReferences(
  kontract: Kontract,
  schema: Schema,
  capabilities: Capabilities,
  datasetUri: string,
  open: DatasourceOpener | undefined,
): Promise<Map<string, Measure>> {
  const resolved = new Map<string, Measure>();
  for (const instance of kontract.rules) {
    const measure = instance.rule.measure(instance.params);
    if (measure.kind !== "references") continue;
    const reference = await resolveOne(instance, measure, schema, capabilities, datasetUri, open);
    resolved.set(instance.id, { ...measure, reference });
  }
  return resolved;
}

async function resolveOne(
  instance: RuleInstance,
  { to }: ReferencesMeasure,
  schema: Schema,
  capabilities: Capabilities,
  datasetUri: string,
  open: DatasourceOpener | undefined,
): Promise<ResolvedReference> {
  const label = `${ruleLabel(instance)}: to.datasource`;
  if (!open) throw new KontractError(`${label}: this run cannot open other datasources`);
  // Another database of the same kind is refused before connecting to it.
  if (
    capabilities.kind === "database" && schemeOf(to.datasource) === schemeOf(datasetUri) &&
    !sameDatabase(datasetUri, to.datasource)
  ) {
    throw new KontractError(
      `${label}: not in the dataset's database (${datasetUri}); references compares ` +
        "with a table of the same database",
    );
  }
  let source: Source;
  try {
    source = await open(to.datasource);
  } catch (error) {
    if (error instanceof KontractError) throw new KontractError(`${label}: ${error.message}`);
    if (error instanceof DataSourceError) {
      throw new DataSourceError(`${label}: ${error.message}`, error.exitCode === 2 ? 2 : 3);
    }
    throw error;
  }
  let keepOpen = false;
  try {
    const referenceSchema = await source.schema();
    const column = referenceSchema.columns.find((info) => info.name === to.column);
    if (!column) {
      const names = referenceSchema.columns.map((info) => info.name);
      const hint = names.length > 0 ? ` (did you mean "${closest(to.column, names)}"?)` : "";
      throw new KontractError(
        `${
          ruleLabel(instance)
        }: to.column: column "${to.column}" not found in ${source.uri}${hint}`,
      );
    }
    const drift = referenceSchema.drift?.find((found) => found.column === to.column);
    if (drift) throw new KontractError(`${ruleLabel(instance)}: to.column: ${drift.message}`);
    const checked = schema.columns.find((info) => info.name === instance.column);
    // A dataset column that is missing fails the rule like any rule's missing column.
    if (checked) {
      const problem = keyTypeProblem(checked, column);
      if (problem) throw new KontractError(`${ruleLabel(instance)}: ${problem}`);
    }
    const target = capabilitiesOf(source);
    if (capabilities.kind === "files" && target.kind === "files") {
      keepOpen = true;
      return { uri: source.uri, column, table: filesTable(target, column) };
    }
    if (capabilities.kind === "database" && target.kind === "files") {
      // The dataset's values are streamed out of the database (with their rows): only
      // types a cursor's values convert exactly.
      if (checked && !STREAMED_KEYS.test(checked.dtype)) {
        throw new KontractError(
          `${label}: a database column checked against files must hold integers, floats, ` +
            `text or booleans; ${checked.name} is ${checked.dtype}`,
        );
      }
      keepOpen = true;
      return { uri: source.uri, column, table: filesTable(target, column), streamsData: true };
    }
    if (capabilities.kind === "files" && target.kind === "database") {
      if (!STREAMED_KEYS.test(column.dtype)) {
        throw new KontractError(
          `${label}: a database reference for files must hold integers, floats, text or ` +
            `booleans; ${to.column} is ${column.dtype}`,
        );
      }
      if (target.sql.cte !== undefined) {
        throw new KontractError(`${label}: name a table, not a query`);
      }
      // Streamed again on each use (the run, then quarantine), on a connection of its own.
      return {
        uri: source.uri,
        column,
        table: async () => {
          const reopened = await open(to.datasource);
          try {
            if (!reopened.sql) throw new KontractError(`${label}: no longer a database table`);
            return await streamDistinctValues(reopened.sql, column);
          } finally {
            await reopened.close?.();
          }
        },
      };
    }
    if (capabilities.kind === "database" && target.kind === "database") {
      if (!sameDatabase(datasetUri, source.uri)) {
        throw new KontractError(
          `${label}: ${source.uri} is not in the dataset's database (${datasetUri}); ` +
            "references compares with a table of the same database",
        );
      }
      if (target.sql.cte !== undefined) {
        throw new KontractError(`${label}: name a table, not a query`);
      }
      return { uri: source.uri, column, relation: target.sql.relation };
    }
    const kind = (found: Capabilities) =>
      found.kind === "database" ? "a database" : found.kind === "files" ? "files" : "a schema";
    throw new KontractError(
      `${label}: references between ${kind(capabilities)} and ${kind(target)} ` +
        `(${source.uri}) are not supported: neither side can be read for an anti-join`,
    );
  } catch (error) {
    if (error instanceof KontraError) throw error;
    throw new DataSourceError(`${label}: ${error instanceof Error ? error.message : error}`, 3);
  } finally {
    if (!keepOpen) await source.close?.();
  }
}

// Key types a database reference streams exactly into Parquet (databases/sql_frame.ts).
const STREAMED_KEYS = dtypeSet(INTEGERS_64, FLOATS, TEXTS, "Bool");
// Keys per Parquet part file while streaming a database reference.
const KEYS_PER_PART = 500_000;
// Rows per cursor fetch.
const FETCH_ROWS = 10_000;

/** The column that holds how many rows each streamed value stands for. */
export const ROWS_COLUMN = "kontra_rows";

/**
 * The distinct non-null values of a database column (of the rows `where` selects),
 * streamed once through a cursor (under the database's statement timeout) into private
 * local Parquet files: a DuckDB table for the anti-join. Text groups byte for byte
 * (`Dialect.exact`), so a case-folding collation cannot merge two values. With
 * `counted`, each value comes with its rows ({@linkcode ROWS_COLUMN}).
 */
export async function streamDistinctValues(
  access: SqlAccess,
  column: ColumnInfo,
  { where, counted = false }: { where?: RowCondition; counted?: boolean } = {},
): Promise<{ from: string; allowedPaths: string[]; release(): Promise<void> }> {
  const { dialect } = access;
  const name = dialect.ident(column.name);
  const exact = dialect.exact(name, column.dtype);
  // Text is grouped by its bytes and read back as text (MIN of equal values).
  const value = exact === name ? name : `MIN(${name})`;
  const rows = counted ? `, COUNT(*)` : "";
  const sql = `${withPrefix(access)}SELECT ${value}${rows} FROM ${access.relation} WHERE ` +
    `${name} IS NOT NULL${where ? ` AND (${where.sql(dialect)})` : ""} GROUP BY ${exact}`;
  const dir = await makeTempDir({ prefix: "kontra-refkeys-" });
  const release = () => removeTempDir(dir);
  try {
    await Deno.chmod(dir, 0o700);
    let pending: unknown[][] = [];
    const paths: string[] = [];
    const flush = () => {
      const path = join(dir, `part-${String(paths.length).padStart(6, "0")}.parquet`);
      frameOf([
        { name: column.name, dtype: column.dtype, values: pending.map((row) => row[0]) },
        ...(counted
          ? [{ name: ROWS_COLUMN, dtype: "Int64", values: pending.map((row) => row[1]) }]
          : []),
      ]).writeParquet(path);
      paths.push(path);
      pending = [];
    };
    for await (const batch of access.stream(sql, [], FETCH_ROWS)) {
      pending.push(...batch);
      if (pending.length >= KEYS_PER_PART) flush();
    }
    // No value at all is one empty part: the anti-join then reads an empty table.
    if (pending.length > 0 || paths.length === 0) flush();
    // Listed one by one: DuckDB may read only these paths (no glob).
    return {
      from: `read_parquet([${paths.map((path) => duckdb.literal(path)).join(", ")}])`,
      allowedPaths: paths,
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** The reference column of a file reference as a DuckDB table. */
function filesTable(
  target: Extract<Capabilities, { kind: "files" }>,
  column: ColumnInfo,
): () => Promise<{ from: string; allowedPaths: string[]; release(): Promise<void> }> {
  return async () => {
    // The reference's own files when DuckDB types them as Polars does (local, uniform
    // Parquet); else ONE streaming pass copies the column locally.
    if (target.cheapRescans && target.duckdbExactTypes && target.duckdb) {
      return await target.duckdb();
    }
    return (await copyLocally(target.scan([column.name]))).table;
  };
}

// Types compared as one family: every number with every number, text with text.
const KEY_FAMILIES: Record<string, string> = {
  signed: "number",
  unsigned: "number",
  float: "number",
  decimal: "number",
  text: "text",
  bool: "bool",
  date: "date",
  datetime: "datetime",
  time: "time",
  binary: "binary",
};

/** Why values of these two columns cannot be compared, or undefined when they can. */
export function keyTypeProblem(data: ColumnInfo, reference: ColumnInfo): string | undefined {
  const describe = (info: ColumnInfo) =>
    `${info.dtype}${info.timeZone === undefined ? "" : ` (${info.timeZone})`}`;
  const mismatch = () =>
    `${data.name} (${describe(data)}) cannot be compared with the reference column ` +
    `${reference.name} (${describe(reference)})`;
  // A column of NULLs only (type Null) matches nothing and is nothing to match.
  if (data.dtype === "Null" || reference.dtype === "Null") return undefined;
  const family = KEY_FAMILIES[familyOf(data.dtype) ?? ""];
  const referenceFamily = KEY_FAMILIES[familyOf(reference.dtype) ?? ""];
  if (family === undefined || referenceFamily === undefined) {
    return `${mismatch()}: references compares numbers, text, booleans, dates, times, ` +
      "timestamps and binary values";
  }
  if (family !== referenceFamily) return mismatch();
  // An instant and a wall-clock time name different things.
  if (
    family === "datetime" && (data.timeZone === undefined) !== (reference.timeZone === undefined)
  ) {
    return `${mismatch()}: one holds instants, the other wall-clock times`;
  }
  return undefined;
}

/** The scheme of a URI, lower case, or undefined for a path. */
function schemeOf(uri: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
}

/**
 * Whether two database URIs (as sources print them, without secrets) name the same
 * database: scheme, user, host, port and the first path segment (the database).
 */
export function sameDatabase(a: string, b: string): boolean {
  const key = (uri: string) => {
    try {
      const url = new URL(uri.replace(/ \(query\)$/, ""));
      const database = url.pathname.split("/")[1] ?? "";
      return `${url.protocol}//${url.username}@${url.host}/${database}`;
    } catch {
      return undefined;
    }
  };
  const left = key(a);
  return left !== undefined && left === key(b);
}
