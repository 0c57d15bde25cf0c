/**
 * The gate for user-written SQL (`custom_sql_check`, `query:` datasources). A real
 * parser, never regexes: one read-only SELECT, no system catalogs, no functions that
 * touch files, sleep or reach other servers. Engines also run user SQL read-only, so
 * a miss here still cannot write.
 * @module
 */
import nodeSqlParser from "node-sql-parser";

/** The placeholder users write for the dataset. */
export const TABLE_PLACEHOLDER = "{table}";
const PARSER_TABLE = "__kontra_table__";

const FORBIDDEN_SCHEMAS = new Set(["pg_catalog", "information_schema", "snowflake", "pg_toast"]);
const FORBIDDEN_FUNCTIONS = new Set([
  "pg_sleep",
  "pg_sleep_for",
  "pg_sleep_until",
  "dblink",
  "pg_read_file",
  "pg_read_binary_file",
  "pg_ls_dir",
  "pg_stat_file",
  "set_config",
  "glob",
  "query",
  "query_table",
  "parquet_scan",
  "csv_scan",
  "sniff_csv",
  "system",
]);
const FORBIDDEN_PREFIXES = ["pg_", "dblink", "lo_", "read_", "duckdb_", "system$"];

/** Parser dialects: node-sql-parser's names for the SQL each engine speaks. */
export type ParserDialect = "PostgresQL" | "Snowflake";

// deno-lint-ignore no-explicit-any
type Ast = any;

/**
 * Checks that `sql` is exactly one SELECT that reads only data. Returns a one-line
 * reason when it is not, else undefined.
 */
export function checkUserSelect(
  sql: string,
  dialect: ParserDialect = "PostgresQL",
): string | undefined {
  const parser = new nodeSqlParser.Parser();
  const text = sql.replaceAll(TABLE_PLACEHOLDER, PARSER_TABLE);
  let ast: Ast;
  try {
    ast = parser.astify(text, { database: dialect });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return `not a SELECT the SQL parser understands (${message.slice(0, 120)})`;
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) return "must be exactly one statement";
  if (statements[0]?.type !== "select") {
    return `must be a SELECT, not ${String(statements[0]?.type).toUpperCase()}`;
  }
  for (const entry of parser.tableList(text, { database: dialect }) as string[]) {
    const [, schema] = entry.split("::");
    const names = (schema ?? "").toLowerCase().split(".");
    if (names.some((name) => FORBIDDEN_SCHEMAS.has(name))) {
      return `may not read system catalogs (${schema})`;
    }
  }
  const forbidden = functionNames(statements[0]).find(isForbiddenFunction);
  return forbidden ? `may not call ${forbidden}()` : undefined;
}

/** Replaces `{table}` with the dataset's table expression. */
export function bindTable(sql: string, table: string): string {
  return sql.replaceAll(TABLE_PLACEHOLDER, table);
}

function isForbiddenFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return FORBIDDEN_FUNCTIONS.has(lower) || FORBIDDEN_PREFIXES.some((p) => lower.startsWith(p));
}

/** Every function name called anywhere in the statement, including table functions. */
function functionNames(node: Ast, found: string[] = []): string[] {
  if (node === null || typeof node !== "object") return found;
  if (node.type === "function" || node.type === "aggr_func") {
    const parts = Array.isArray(node.name?.name) ? node.name.name : [node.name];
    found.push(
      parts.map((part: Ast) => typeof part === "string" ? part : part?.value ?? "").join("."),
    );
  }
  for (const value of Object.values(node)) functionNames(value, found);
  return found;
}
