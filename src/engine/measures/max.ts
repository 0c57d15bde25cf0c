/**
 * `max`: the largest non-null value of a `Date`, `Datetime` or text column (`freshness`),
 * in the encoding of `ValueBounds` (core/dataset.ts): a date as days and a timestamp as
 * microseconds since 1970-01-01 (an instant from the UTC epoch, a wall-clock time by its
 * wall time; anything finer than a microsecond cut off), text as itself, compared byte
 * for byte. Every tier gives the same number:
 *
 * - metadata: the footers' exact bounds (`DatasetStats.bounds`), or their null counts
 *   when they show the column holds no value at all;
 * - scan: one aggregate of the single pass, which keeps the column's non-null rows;
 * - sql: `MAX(col)` in the statement, turned into microseconds by the dialect
 *   (`epochMicros`) so no driver rounds it to a JS Date's milliseconds.
 *
 * A rule's `when:` limits it to the rows where the condition holds (never the footers).
 * Not row-level: nothing to quarantine.
 * @module
 */
import pl, { type Expr } from "nodejs-polars";
import { Buffer } from "node:buffer";
import type { BoundValue, ColumnInfo, DatasetStats } from "../../core/dataset.ts";
import { isStoredText } from "../../core/dtypes.ts";
import type { MaxMeasure } from "../../rules/define.ts";
import type { Dialect } from "../../sql/dialect.ts";
import { type CountRequest, filtersInReader } from "../scan.ts";
import type { MeasureModule, PlannedRuleOf } from "./measure_module.ts";

const MICROS_PER_DAY = 86_400_000_000;

/** Measuring a column's largest value. */
export const max: MeasureModule<MaxMeasure> = {
  needsColumn: true,
  rowLevel: false,
  place(measure, { stats, rowTier }) {
    // Footers describe every row, not the rows a condition selects.
    const statsValue = stats && !measure.where ? maxFromStats(stats, measure.column) : undefined;
    return statsValue === undefined ? { tier: rowTier } : { tier: "metadata", statsValue };
  },
  restrict: (measure, condition) => ({ ...measure, where: condition }),
  scanRequest: (rule) => maxScanRequest(rule),
  // From the footers when they answered it, else as measured.
  observe: ({ instance, statsValue }, { values }) => ({
    max: statsValue !== undefined ? statsValue : values.get(instance.id) ?? null,
  }),
  sqlItem({ measure, column }, { dialect }) {
    return Promise.resolve({
      expression: maxSql(dialect, column!, measure),
      value: (raw: unknown) => readSqlMax(raw, column!),
    });
  },
  sqlFlag: () => Promise.resolve(undefined),
  scanFlag: () => Promise.resolve(undefined),
  explain({ tier, column, measure }) {
    const of = measure.where ? ` of the rows where ${measure.where.text}` : "";
    if (tier === "metadata") return `footer statistics: the largest ${column?.name ?? "value"}`;
    if (tier === "sql") return `MAX(${column?.name}) in the statement${of}`;
    return `max(${column?.name}) in the single pass${of}`;
  },
};

/**
 * The largest value the footers prove: null when they show no non-null value (no rows,
 * or every value NULL), undefined when they cannot tell.
 */
export function maxFromStats(stats: DatasetStats, column: string): BoundValue | null | undefined {
  if (stats.nullCount(column) === stats.rows) return null;
  return stats.bounds?.(column)?.max;
}

/** The single pass's request: the non-null rows (of the condition's), and their max. */
export function maxScanRequest(rule: PlannedRuleOf<MaxMeasure>): CountRequest {
  const column = rule.column!;
  const where = rule.measure.where?.polars();
  const value = pl.col(column.name);
  const needed = where ? where.and(value.isNotNull()) : value.isNotNull();
  return {
    key: rule.instance.id,
    predicate: needed,
    // With a condition, other columns are read too: a retry reads all (see scan.ts).
    ...(where ? {} : { column: column.name }),
    pushable: filtersInReader(column.dtype),
    value: {
      // when/then rather than a filter: element-wise, so the streaming engine keeps it.
      aggregate: scanMax(
        where ? pl.when(where).then(value).otherwise(pl.lit(null)) : value,
        column,
      ),
      read: (raw) => readScanMax(raw, column),
    },
  };
}

/** Polars' max of `value`, as a value the JS binding returns exactly. */
function scanMax(value: Expr, column: ColumnInfo): Expr {
  const largest = value.max();
  if (column.dtype === "Date") return largest.cast(pl.Int32);
  if (column.dtype === "Datetime") {
    // Microseconds (a cast floors nanoseconds; an instant's physical value is UTC), as
    // text: nodejs-polars returns large Int64 values wrongly.
    return largest.cast(pl.Datetime("us")).cast(pl.Int64).cast(pl.String);
  }
  if (isStoredText(column.dtype)) return largest;
  throw new Error(`max is measured on Date, Datetime and String columns, not ${column.dtype}`);
}

function readScanMax(raw: unknown, column: ColumnInfo): BoundValue | null {
  if (raw === null || raw === undefined) return null;
  if (column.dtype === "Date" || column.dtype === "Datetime") return Number(raw);
  return String(raw);
}

/** `MAX(col)` for `dialect`: microseconds for dates and timestamps, text byte for byte. */
function maxSql(dialect: Dialect, column: ColumnInfo, { where }: MaxMeasure): string {
  const name = dialect.ident(column.name);
  const value = where ? `CASE WHEN ${where.sql(dialect)} THEN ${name} END` : name;
  if (column.dtype === "Date" || column.dtype === "Datetime") {
    return dialect.epochMicros(`MAX(${value})`, column);
  }
  if (isStoredText(column.dtype)) return `MAX(${dialect.exact(value, column.dtype)})`;
  throw new Error(`max is measured on Date, Datetime and String columns, not ${column.dtype}`);
}

/**
 * A driver's value of the item: microseconds as a number, bigint or numeric text (a date
 * becomes days), text as a string or, from a binary comparison, its UTF-8 bytes.
 */
function readSqlMax(raw: unknown, column: ColumnInfo): BoundValue | null {
  if (raw === null || raw === undefined) return null;
  if (column.dtype === "Date" || column.dtype === "Datetime") {
    // Exact numerics come back as text such as "1704103200123456.000000".
    const micros = Math.round(Number(raw));
    return column.dtype === "Date" ? Math.floor(micros / MICROS_PER_DAY) : micros;
  }
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString("utf8");
  return String(raw);
}
