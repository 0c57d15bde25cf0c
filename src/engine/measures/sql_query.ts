/**
 * `sql_query`: the rows a user-written SELECT returns (`custom_sql_check`). Always the
 * `sql` tier: the database itself, or DuckDB over files. The SELECT is vetted by the
 * engine's guard before anything runs (sql/user_sql.ts). Its rows are quarantined when
 * they can be traced to the dataset: the SELECT returns every column.
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";
import { describeError, KontraError } from "../../core/errors.ts";
import { ruleLabel } from "../../kontract/load.ts";
import type { SqlQueryMeasure } from "../../rules/define.ts";
import { nestedUserSql, withPrefix } from "../../sql/sql_access.ts";
import { traceSqlRows } from "../sql_trace.ts";
import { type MeasureModule, QUERY_ALIAS } from "./measure_module.ts";

/** Counting and tracing the rows of user SQL. */
export const sqlQuery: MeasureModule<SqlQueryMeasure> = {
  needsColumn: false,
  rowLevel: true,
  place: () => ({ tier: "sql" }),
  restrict: () => undefined,
  async sqlItem({ measure, instance }, access, failFast) {
    const query = await nestedUserSql(access, measure.sql, ruleLabel(instance));
    const expression = failFast
      ? `CASE WHEN EXISTS ${query} THEN 1 ELSE 0 END`
      : `(SELECT COUNT(*) FROM ${query} AS ${access.dialect.ident(QUERY_ALIAS)})`;
    return { expression, userSql: query };
  },
  async sqlFlag(rule, { access, columns, rowAlias, notes }) {
    const { dialect } = access;
    const query = await nestedUserSql(access, rule.measure.sql, rule.id);
    let returned: string[];
    try {
      const probe = await access.query(
        `${withPrefix(access)}SELECT * FROM ${query} AS ${dialect.ident(QUERY_ALIAS)} WHERE 1 = 0`,
      );
      returned = probe.columns.map((column) => column.name);
    } catch (error) {
      if (!(error instanceof KontraError)) throw error;
      notes.push(`${rule.id}: skipped: the query failed: ${error.message}`);
      return undefined;
    }
    const missing = columns.filter((column) => !returned.includes(column.name));
    if (missing.length > 0) {
      notes.push(untraceable(rule.id, missing.map((column) => column.name)));
      return undefined;
    }
    const same = columns.map((column) => {
      const name = dialect.ident(column.name);
      return dialect.nullSafeEquals(
        dialect.exact(`${dialect.ident(QUERY_ALIAS)}.${name}`, column.dtype),
        dialect.exact(`${dialect.ident(rowAlias)}.${name}`, column.dtype),
      );
    });
    return `CASE WHEN EXISTS (SELECT 1 FROM ${query} AS ${dialect.ident(QUERY_ALIAS)} WHERE ${
      same.join(" AND ")
    }) THEN 1 ELSE 0 END`;
  },
  async scanFlag(rule, { scan, duckdb, columns, notes }) {
    if (!duckdb) {
      notes.push(`${rule.id}: skipped: this source cannot run the SELECT`);
      return undefined;
    }
    let dtypes;
    try {
      dtypes = scan(columns).limit(0).collectSync().schema;
    } catch (error) {
      // A type nodejs-polars cannot hand to JS (Binary): the rows cannot be matched.
      notes.push(`${rule.id}: skipped: its rows cannot be traced (${describeError(error)})`);
      return undefined;
    }
    const table = await duckdb();
    try {
      const trace = await traceSqlRows(table, rule.measure.sql, dtypes);
      if ("skipped" in trace) {
        notes.push(`${rule.id}: skipped: ${trace.skipped}`);
        return undefined;
      }
      if (trace.rows.height === 0) return undefined;
      const keys = trace.rows.select(pl.struct(columns.map((name) => pl.col(name))).alias("k"));
      return pl.struct(columns.map((name) => pl.col(name))).isIn(keys.getColumn("k").implode());
    } finally {
      await table.release();
    }
  },
  explain: ({ measure }) => measure.sql,
};

function untraceable(ruleId: string, missing: string[]): string {
  return `${ruleId}: skipped: its rows cannot be traced to the dataset: the SELECT does not ` +
    `return ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`;
}
