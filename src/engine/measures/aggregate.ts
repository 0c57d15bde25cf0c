/**
 * `aggregate`: one statistic of a column (the `aggregate` rule), measured once, on the
 * cheapest tier that gives it exactly:
 *
 * - metadata (Parquet footers, never with `when:`): `min` and `max` from exact
 *   `DatasetStats.bounds` (or null when the null counts show no value at all), and
 *   `null_ratio` from the null count and the row count;
 * - scan (files): `min`, `max`, `mean`, `sum`, `stddev`, `null_ratio` are one aggregate
 *   each of the ONE streaming Polars pass; `median` and `count_distinct` need more than
 *   one row at a time, so they are planned on the `sql` tier: a DuckDB pass of their own
 *   over the source's DuckDB table or a private local copy (scan.ts, duckdb_aggregates.ts);
 * - sql (databases): one item of the ONE statement (`median` as the dialect's median
 *   aggregate where it has one, else the middle values by `ROW_NUMBER()` in a scalar
 *   subquery of the same statement).
 *
 * Values are encoded as `Observation.aggregate` says: numbers (a `Date` as days, a
 * `Datetime` as microseconds since 1970-01-01, as `max` does), text for the min or max of
 * text; null when there is none. Not row-level: nothing to quarantine.
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";
import { Buffer } from "node:buffer";
import type { BoundValue, ColumnInfo, DatasetStats } from "../../core/dataset.ts";
import { isStoredText } from "../../core/dtypes.ts";
import type { AggregateMeasure, AggregateStat } from "../../rules/define.ts";
import type { Dialect } from "../../sql/dialect.ts";
import { DUCKDB_STATS } from "../duckdb_aggregates.ts";
import { type CountRequest, filtersInReader } from "../scan.ts";
import type { MeasureModule, PlannedRuleOf } from "./measure_module.ts";

const MICROS_PER_DAY = 86_400_000_000;

/** Measuring one statistic of a column. */
export const aggregate: MeasureModule<AggregateMeasure> = {
  needsColumn: true,
  rowLevel: false,
  place(measure, { stats, rowTier }) {
    // Footers describe every row, not the rows a condition selects.
    const statsValue = stats && !measure.where ? aggregateFromStats(stats, measure) : undefined;
    if (statsValue !== undefined) return { tier: "metadata", statsValue };
    // On files, the `sql` tier is DuckDB (a pass of its own, see plan.ts).
    return { tier: rowTier === "scan" && DUCKDB_STATS.has(measure.stat) ? "sql" : rowTier };
  },
  restrict: (measure, condition) => ({ ...measure, where: condition }),
  scanRequest: (rule) => aggregateScanRequest(rule),
  observe: ({ instance, statsValue }, { values }) => ({
    aggregate: statsValue !== undefined ? statsValue : values.get(instance.id) ?? null,
  }),
  sqlItem({ measure, column }, { dialect, relation }) {
    return Promise.resolve({
      expression: aggregateSql(dialect, relation, column!, measure),
      value: (raw: unknown) => readSqlValue(raw, column!, measure.stat),
    });
  },
  sqlFlag: () => Promise.resolve(undefined),
  scanFlag: () => Promise.resolve(undefined),
  // `--explain` adds the rule's condition itself.
  explain({ tier, column, measure }) {
    const name = column?.name ?? measure.column;
    if (tier === "metadata") {
      return measure.stat === "null_ratio"
        ? `footer statistics: null count of ${name} / rows`
        : `footer statistics: the ${measure.stat === "min" ? "smallest" : "largest"} ${name}`;
    }
    if (tier === "scan") return `${measure.stat}(${name}) in the single pass`;
    // Databases: an item of the statement; files: a DuckDB pass of its own (see Reads).
    return DUCKDB_STATS.has(measure.stat)
      ? `${measure.stat}(${name}), exact: an item of the statement, or on files a DuckDB pass ` +
        "of its own (see Reads)"
      : `${measure.stat}(${name}) in the statement`;
  },
};

/**
 * The statistic the footers prove, or undefined when they cannot tell: `min`/`max` from
 * exact bounds (null when the null counts show no non-null value), `null_ratio` from the
 * null count (null with no rows).
 */
export function aggregateFromStats(
  stats: DatasetStats,
  { column, stat }: AggregateMeasure,
): BoundValue | null | undefined {
  if (stat === "null_ratio") {
    const nulls = stats.nullCount(column);
    if (nulls === undefined) return undefined;
    return stats.rows === 0 ? null : nulls / stats.rows;
  }
  if (stat !== "min" && stat !== "max") return undefined;
  if (stats.nullCount(column) === stats.rows) return null;
  return stats.bounds?.(column)?.[stat];
}

/**
 * The single pass's request: the rows the statistic needs (the non-null values, or
 * every row of the condition's for null_ratio) and its aggregate.
 */
export function aggregateScanRequest(rule: PlannedRuleOf<AggregateMeasure>): CountRequest {
  const column = rule.column!;
  const { stat } = rule.measure;
  const where = rule.measure.where?.polars();
  const value = pl.col(column.name);
  // null_ratio counts every row (of the condition's): when the pass drops rows that
  // violate nothing, these must stay.
  const needed = stat === "null_ratio"
    ? (where ?? pl.lit(true))
    : (where ? where.and(value.isNotNull()) : value.isNotNull());
  return {
    key: rule.instance.id,
    predicate: needed,
    // With a condition, other columns are read too: a retry reads all (see scan.ts).
    ...(where ? {} : { column: column.name }),
    pushable: filtersInReader(column.dtype),
    value: {
      // when/then rather than a filter: element-wise, so the streaming engine keeps it.
      aggregate: scanAggregate(
        where ? pl.when(where).then(value).otherwise(pl.lit(null)) : value,
        column,
        stat,
        where,
      ),
      read: (raw) => readScanValue(raw, column, stat),
    },
  };
}

/** Polars' aggregate of `value`, as a value the JS binding returns exactly. */
function scanAggregate(
  value: Expr,
  column: ColumnInfo,
  stat: AggregateStat,
  where: Expr | undefined,
): Expr {
  const float = value.cast(pl.Float64);
  switch (stat) {
    case "min":
    case "max":
      return scanExtreme(stat === "min" ? value.min() : value.max(), column);
    case "mean":
      return float.mean();
    case "stddev":
      // The sample standard deviation (Polars: ddof 1), as SQL's STDDEV_SAMP: none below 2 values.
      return pl.when(value.count().gt(1)).then(float.std()).otherwise(pl.lit(null));
    case "sum": {
      // Integers summed as Int64, read as text: the binding returns large Int64 wrongly.
      const sum = isIntegerType(column.dtype)
        ? value.cast(pl.Int64).sum().cast(pl.String)
        : float.sum();
      // Polars sums no value to 0; SQL's SUM is NULL there, and so is Kontra's.
      return pl.when(value.count().gt(0)).then(sum).otherwise(pl.lit(null));
    }
    case "null_ratio": {
      const nulls = where ? where.and(pl.col(column.name).isNull()) : pl.col(column.name).isNull();
      const rows = where ? where.cast(pl.UInt32).sum() : pl.len();
      // Both counts are exact; one IEEE division, as the statement's.
      return nulls.cast(pl.UInt32).sum().cast(pl.Float64).div(rows.cast(pl.Float64));
    }
    case "median":
    case "count_distinct":
      throw new Error(`${stat} is not part of the single pass (a DuckDB pass of its own)`);
  }
}

/** Polars' min or max, as `max.ts` encodes it: days, microseconds, text; numbers as such. */
function scanExtreme(extreme: Expr, column: ColumnInfo): Expr {
  if (column.dtype === "Date") return extreme.cast(pl.Int32);
  if (column.dtype === "Datetime") {
    // Microseconds (a cast floors nanoseconds), as text: large Int64 values come back wrong.
    return extreme.cast(pl.Datetime("us")).cast(pl.Int64).cast(pl.String);
  }
  if (isStoredText(column.dtype)) return extreme;
  if (isIntegerType(column.dtype)) return extreme.cast(pl.String);
  return extreme.cast(pl.Float64);
}

function isIntegerType(dtype: string): boolean {
  return /^U?Int(8|16|32|64)$/.test(dtype);
}

function readScanValue(raw: unknown, column: ColumnInfo, stat: AggregateStat): BoundValue | null {
  if (raw === null || raw === undefined) return null;
  if ((stat === "min" || stat === "max") && isStoredText(column.dtype)) return String(raw);
  const number = Number(raw);
  // 0 / 0 rows: no ratio.
  return stat === "null_ratio" && Number.isNaN(number) ? null : number;
}

/** The statement's item for the statistic, in `dialect`. */
function aggregateSql(
  dialect: Dialect,
  relation: string,
  column: ColumnInfo,
  { stat, where }: AggregateMeasure,
): string {
  const name = dialect.ident(column.name);
  const condition = where ? `(${where.sql(dialect)})` : undefined;
  const value = condition ? `CASE WHEN ${condition} THEN ${name} END` : name;
  switch (stat) {
    case "min":
    case "max": {
      const fn = stat.toUpperCase();
      if (column.dtype === "Date" || column.dtype === "Datetime") {
        return dialect.epochMicros(`${fn}(${value})`, column);
      }
      if (isStoredText(column.dtype)) return `${fn}(${dialect.exact(value, column.dtype)})`;
      return `${fn}(${value})`;
    }
    case "mean":
      return `AVG(${dialect.castDouble(value)})`;
    case "sum":
      return `SUM(${value})`;
    case "stddev":
      return `STDDEV_SAMP(${dialect.castDouble(value)})`;
    case "count_distinct":
      return `COUNT(DISTINCT ${dialect.exact(value, column.dtype)})`;
    case "null_ratio": {
      const isNull = condition ? `${condition} AND ${name} IS NULL` : `${name} IS NULL`;
      const nulls = `SUM(CASE WHEN ${isNull} THEN 1 ELSE 0 END)`;
      const rows = condition ? `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)` : "COUNT(*)";
      return `${dialect.castDouble(nulls)} / NULLIF(${dialect.castDouble(rows)}, 0)`;
    }
    case "median":
      return dialect.median
        ? dialect.median(dialect.castDouble(value))
        : middleValuesSql(dialect, relation, name, condition);
  }
}

/**
 * The median where the database has no median aggregate (MySQL, MariaDB): the mean of
 * the middle one or two non-null values, numbered by `ROW_NUMBER()` in a scalar subquery
 * of the same statement. Exact: the values are only ordered, and at most two averaged.
 */
function middleValuesSql(
  dialect: Dialect,
  relation: string,
  name: string,
  condition: string | undefined,
): string {
  const [v, i, n, m] = ["kontra_v", "kontra_i", "kontra_n", "kontra_m"].map((alias) =>
    dialect.ident(alias)
  );
  const numbered = `SELECT ${dialect.castDouble(name)} AS ${v}, ` +
    `ROW_NUMBER() OVER (ORDER BY ${name}) AS ${i}, COUNT(*) OVER () AS ${n} ` +
    `FROM ${relation} WHERE ${name} IS NOT NULL${condition ? ` AND ${condition}` : ""}`;
  return `(SELECT AVG(${v}) FROM (${numbered}) AS ${m} ` +
    `WHERE ${i} IN (FLOOR((${n} + 1) / 2), FLOOR((${n} + 2) / 2)))`;
}

/**
 * A driver's value of the item: numbers as a number, bigint or numeric text; a date or
 * timestamp's microseconds (a date becomes days); text as a string or, from a binary
 * comparison, its UTF-8 bytes.
 */
function readSqlValue(raw: unknown, column: ColumnInfo, stat: AggregateStat): BoundValue | null {
  if (raw === null || raw === undefined) return null;
  const extreme = stat === "min" || stat === "max";
  if (extreme && (column.dtype === "Date" || column.dtype === "Datetime")) {
    // Exact numerics come back as text such as "1704103200123456.000000".
    const micros = Math.round(Number(raw));
    return column.dtype === "Date" ? Math.floor(micros / MICROS_PER_DAY) : micros;
  }
  if (extreme && isStoredText(column.dtype)) {
    return raw instanceof Uint8Array ? Buffer.from(raw).toString("utf8") : String(raw);
  }
  return Number(raw);
}
