/**
 * Traces the rows a `custom_sql_check` SELECT returns back to the dataset, for
 * quarantine. DuckDB runs the query locked down exactly as for counting (checked by
 * its guard, each statement that embeds it prepared as one statement), and may
 * write only into one fresh temporary directory: the distinct returned rows go there
 * as Parquet, keeping their types, and come back as a Polars frame typed like the
 * source. A source row is traced when it equals a returned row in every column.
 * @module
 */
import pl, { type DataFrame, type DataType } from "npm:nodejs-polars@0.25.2";
import { describeError, KontractError } from "../core/errors.ts";
import { duckdb } from "../sql/duckdb.ts";
import type { DuckdbTable } from "../sources/source.ts";
import type { VettedSql } from "../sql/user_sql.ts";
import { openDuckdbSession, vetDuckdbSql } from "./duckdb_session.ts";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";

/** The distinct returned rows, or why the query's rows cannot be traced. */
export type SqlTrace = { rows: DataFrame } | { skipped: string };

/**
 * Runs `sql` over `table` and returns its distinct rows restricted to `columns`, cast
 * to `dtypes`; skipped when the SELECT does not return every column of the dataset.
 */
export async function traceSqlRows(
  table: DuckdbTable,
  sql: string,
  dtypes: Record<string, DataType>,
): Promise<SqlTrace> {
  const columns = Object.keys(dtypes);
  // Checked before anything is opened or read.
  let query: VettedSql;
  try {
    query = await vetDuckdbSql(sql, "custom_sql_check");
  } catch (error) {
    if (!(error instanceof KontractError)) throw error;
    return { skipped: `the query is refused: ${error.message}` };
  }
  const dir = await makeTempDir({ prefix: "kontra-trace-" });
  const session = await openDuckdbSession(table, `${dir}/`).catch(async (error) => {
    await removeTempDir(dir);
    throw error;
  });
  try {
    let returned: string[];
    try {
      const probe = await session.readAll(
        query,
        (text) => `SELECT * FROM (\n${text}\n) AS q LIMIT 0`,
      );
      returned = probe.columnNames();
    } catch (error) {
      return { skipped: `the query failed: ${describeError(error)}` };
    }
    const missing = columns.filter((column) => !returned.includes(column));
    if (missing.length > 0) {
      return {
        skipped: `its rows cannot be traced to the dataset: the SELECT does not return ${
          missing.slice(0, 5).join(", ")
        }${missing.length > 5 ? ", …" : ""}`,
      };
    }
    const file = `${dir}/rows.parquet`;
    const list = columns.map((column) => duckdb.ident(column)).join(", ");
    // The file name is Kontra's own; the whole COPY is one prepared statement.
    await session.readAll(
      query,
      (text) =>
        `COPY (SELECT DISTINCT ${list} FROM (\n${text}\n) AS q) TO ${
          duckdb.literal(file)
        } (FORMAT parquet)`,
    );
    const rows = pl.readParquet(file);
    try {
      return {
        rows: rows.select(...columns.map((column) => pl.col(column).cast(dtypes[column], true))),
      };
    } catch (error) {
      return {
        skipped: `its rows cannot be traced: their types differ from the dataset's (${
          describeError(error)
        })`,
      };
    }
  } finally {
    session.close();
    await removeTempDir(dir);
  }
}
