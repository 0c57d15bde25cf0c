/**
 * `references`: non-null values of a column with no equal value in a reference column
 * (see engine/references.ts for how the reference is resolved). Needs the whole
 * reference at once, so it is never part of the single scan:
 *
 * - files: a pass of its own, ONE hash anti-join in DuckDB (duckdb_references.ts) of the
 *   dataset's DuckDB table (or its local copy) against the reference's;
 * - a database: one item of the ONE statement, `(SELECT COUNT(*) FROM t WHERE t.col IS
 *   NOT NULL AND NOT EXISTS (SELECT 1 FROM ref WHERE ref.key = t.col))`, or for keys
 *   compared through a conversion a LEFT JOIN to the reference's distinct keys (see
 *   `missingRows`); fail-fast, `EXISTS` of the same rows.
 *
 * Both sides compare through `Dialect.exact` (text byte for byte). With `when:` only the
 * matching rows are checked. Quarantine flags the same rows: a `NOT IN` flag in a
 * database, `isIn` the missing values (found by the same anti-join) over files.
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { KontractError } from "../../core/errors.ts";
import type { ColumnInfo } from "../../core/dataset.ts";
import type { ReferencesMeasure, ResolvedReference, RowCondition } from "../../rules/define.ts";
import type { Dialect } from "../../sql/dialect.ts";
import { copyLocally } from "../local_copy.ts";
import { missingReferenceList, missingReferenceValues } from "../duckdb_references.ts";
import { streamDistinctValues } from "../references.ts";
import { INTEGERS_64, type ListedValue } from "../../core/dtypes.ts";
import { sqlInList } from "../../rules/sql_values.ts";
import type { SqlAccess } from "../../sql/sql_access.ts";
import { existsFlag, type MeasureModule } from "./measure_module.ts";

const DATA_ALIAS = "kontra_t";
const REFERENCE_ALIAS = "kontra_r";

/** Counting and selecting values missing from a reference. */
export const references: MeasureModule<ReferencesMeasure> = {
  needsColumn: true,
  rowLevel: true,
  // A database dataset against files: its values leave the database, in a pass of its own.
  place: (measure, { rowTier }) => ({
    tier: measure.reference?.streamsData ? "scan" : rowTier,
  }),
  restrict: (measure, condition) => ({ ...measure, where: condition }),
  sqlItem({ column, measure, instance }, { dialect, relation }, failFast) {
    const rows = missingRows(
      dialect,
      relation,
      column!,
      inDatabase(measure, instance.id),
      measure.where,
    );
    const expression = failFast ? existsFlag(`SELECT 1 ${rows}`) : `(SELECT COUNT(*) ${rows})`;
    return Promise.resolve({ expression });
  },
  sqlFlag({ column, measure, id }, { access, rowAlias, notes }) {
    const { dialect } = access;
    if (!column) return Promise.resolve(undefined);
    const reference = measure.reference;
    if (reference?.streamsData && reference.table) {
      return streamedFlag(access, column, { ...reference, table: reference.table }, {
        id,
        rowAlias,
        notes,
        where: measure.where,
      });
    }
    if (reference?.relation === undefined) {
      notes.push(`${id}: skipped: its reference was not resolved`);
      return Promise.resolve(undefined);
    }
    // A flag is one expression over the row: an uncorrelated NOT IN, which PostgreSQL
    // hashes (when the keys fit its work_mem) and MySQL/MariaDB materialize once. Both
    // sides are non-null, so NOT IN means "no equal value".
    const value = `${dialect.ident(rowAlias)}.${dialect.ident(column.name)}`;
    const when = measure.where ? ` AND (${measure.where.sql(dialect)})` : "";
    return Promise.resolve(
      `CASE WHEN ${value} IS NOT NULL${when} AND ${dialect.exact(value, column.dtype)} NOT IN ` +
        `(${referenceKeys(dialect, reference as ResolvedReference & { relation: string })}) ` +
        "THEN 1 ELSE 0 END",
    );
  },
  async scanFlag({ column, measure, id }, { scan, duckdb, notes }) {
    if (!column) return undefined;
    const reference = measure.reference;
    if (!reference?.table) {
      notes.push(`${id}: skipped: its reference was not resolved`);
      return undefined;
    }
    const reads = [...new Set([column.name, ...(measure.where?.columns ?? [])])];
    // The dataset's own DuckDB table when it is typed as Polars types it, else a copy.
    const own = duckdb ? await duckdb() : undefined;
    const data = own?.exactTypes ? own : (await copyLocally(scan(reads))).table;
    if (data !== own) await own?.release();
    const target = await reference.table();
    try {
      const missing = await missingReferenceValues({
        data,
        column: column.name,
        reference: target,
        referenceColumn: reference.column.name,
        ...(measure.where ? { where: measure.where } : {}),
      });
      if (missing.length === 0) return undefined;
      const absent = pl.col(column.name).isIn(missing.implode());
      return measure.where ? measure.where.polars().and(absent) : absent;
    } finally {
      await target.release();
      await data.release();
    }
  },
  explain: ({ tier, measure }) =>
    measure.reference?.streamsData
      ? `the column's distinct values and their rows streamed out of the database once, ` +
        `then ONE hash anti-join in DuckDB against ${measure.reference.uri}`
      : tier === "sql"
      ? `anti-join (NOT EXISTS) with ${measure.reference?.uri ?? measure.to.datasource}`
      : `hash anti-join in DuckDB against ${
        measure.reference?.uri ?? measure.to.datasource
      }, in a pass of its own (see Reads)`,
};

/** The reference of a measure on a database, or a Kontract error. */
function inDatabase(
  measure: ReferencesMeasure,
  ruleId: string,
): ResolvedReference & { relation: string } {
  const reference = measure.reference;
  if (reference?.relation === undefined) {
    throw new KontractError(`${ruleId}: references: its reference was not resolved`);
  }
  return reference as ResolvedReference & { relation: string };
}

const KEY = "kontra_reference_key";

/** The reference's distinct non-null keys, compared byte for byte (`Dialect.exact`). */
function referenceKeys(
  dialect: Dialect,
  reference: ResolvedReference & { relation: string },
): string {
  const r = dialect.ident(REFERENCE_ALIAS);
  const name = `${r}.${dialect.ident(reference.column.name)}`;
  return `SELECT DISTINCT ${dialect.exact(name, reference.column.dtype)} AS ${
    dialect.ident(KEY)
  } ` +
    `FROM ${reference.relation} AS ${r} WHERE ${name} IS NOT NULL`;
}

/**
 * `FROM … WHERE …` of the dataset's rows whose non-null value has no equal reference
 * key. Keys compared as they are: a correlated `NOT EXISTS`, which PostgreSQL plans as a
 * (parallel) Hash Anti Join on the raw tables and MariaDB as a materialized subquery.
 * Keys compared through a conversion (`Dialect.exact`: MySQL's binary casts,
 * PostgreSQL's `COLLATE "C"`): a LEFT JOIN to the reference's distinct converted keys,
 * kept where none joined, since MariaDB runs a `NOT EXISTS` over converted keys as a
 * dependent subquery that scans the reference for every row; the distinct keys are
 * materialized with an index instead. (Measured on PostgreSQL 15, 10M rows against 1M
 * integer keys: 3.1 s for `NOT EXISTS`, 7.1 s for the LEFT JOIN, whose DISTINCT each
 * parallel worker repeats.) The `when:` names the dataset's columns unqualified: it
 * stays outside the subquery, and the joined keys have one column, named so no column
 * clashes.
 */
function missingRows(
  dialect: Dialect,
  relation: string,
  column: ColumnInfo,
  reference: ResolvedReference & { relation: string },
  where: RowCondition | undefined,
): string {
  const t = dialect.ident(DATA_ALIAS);
  const r = dialect.ident(REFERENCE_ALIAS);
  const value = `${t}.${dialect.ident(column.name)}`;
  const referenceValue = `${r}.${dialect.ident(reference.column.name)}`;
  const when = where ? ` AND (${where.sql(dialect)})` : "";
  const exactValue = dialect.exact(value, column.dtype);
  const exactReference = dialect.exact(referenceValue, reference.column.dtype);
  if (exactValue === value && exactReference === referenceValue) {
    return `FROM ${relation} AS ${t} WHERE ${value} IS NOT NULL${when} AND NOT EXISTS ` +
      `(SELECT 1 FROM ${reference.relation} AS ${r} WHERE ${referenceValue} = ${value})`;
  }
  const key = `${r}.${dialect.ident(KEY)}`;
  return `FROM ${relation} AS ${t} LEFT JOIN (${referenceKeys(dialect, reference)}) AS ${r} ` +
    `ON ${key} = ${exactValue} WHERE ${value} IS NOT NULL${when} AND ${key} IS NULL`;
}

// The most missing values a database quarantine names in `IN` lists.
const LARGEST_FLAGGED_LIST = 100_000;

/**
 * Quarantine of a database dataset checked against files: the missing values (found by
 * the same anti-join) named in `IN` lists, up to {@linkcode LARGEST_FLAGGED_LIST} values;
 * beyond that the rule is left out with a note.
 */
async function streamedFlag(
  access: SqlAccess,
  column: ColumnInfo,
  reference: ResolvedReference & { table: NonNullable<ResolvedReference["table"]> },
  { id, rowAlias, notes, where }: {
    id: string;
    rowAlias: string;
    notes: string[];
    where?: RowCondition;
  },
): Promise<string | undefined> {
  const { dialect } = access;
  const data = await streamDistinctValues(access, column, where ? { where } : {});
  const target = await reference.table();
  let values: unknown[] | undefined;
  try {
    values = await missingReferenceList(
      {
        data,
        column: column.name,
        reference: target,
        referenceColumn: reference.column.name,
      },
      LARGEST_FLAGGED_LIST,
      { asText: INTEGERS_64.test(column.dtype) },
    );
  } finally {
    await target.release();
    await data.release();
  }
  if (values === undefined) {
    notes.push(`${id}: skipped: more than ${LARGEST_FLAGGED_LIST} distinct values are missing`);
    return undefined;
  }
  const value = `${dialect.ident(rowAlias)}.${dialect.ident(column.name)}`;
  const listed = sqlInList(dialect, value, values as ListedValue[], column.dtype);
  if (listed === undefined) return undefined;
  const when = where ? ` AND (${where.sql(dialect)})` : "";
  return `CASE WHEN ${value} IS NOT NULL${when} AND ${listed} THEN 1 ELSE 0 END`;
}
