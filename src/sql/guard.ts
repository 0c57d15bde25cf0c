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
const UNPARSED = "not a SELECT the SQL parser understands";

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
  // PostgreSQL: run SQL text, change sequences, reach other servers.
  "query_to_xml",
  "query_to_xml_and_xmlschema",
  "query_to_xmlschema",
  "cursor_to_xml",
  "cursor_to_xmlschema",
  "table_to_xml",
  "table_to_xml_and_xmlschema",
  "table_to_xmlschema",
  "schema_to_xml",
  "schema_to_xml_and_xmlschema",
  "database_to_xml",
  "database_to_xml_and_xmlschema",
  "nextval",
  "setval",
  "current_setting",
  "txid_current",
  "postgres_fdw_handler",
  // Snowflake: other queries' results, stages, object definitions.
  "result_scan",
  "get_ddl",
  "get_presigned_url",
  "build_scoped_file_url",
  "build_stage_file_url",
  "get_stage_location",
  "get_relative_path",
  "get_absolute_path",
  "infer_schema",
  "generate_column_description",
]);
const FORBIDDEN_PREFIXES = ["pg_", "dblink", "lo_", "read_", "duckdb_", "system$"];
/** System views reachable without a schema name (PostgreSQL's `pg_*`, e.g. pg_shadow). */
const FORBIDDEN_TABLE_PREFIXES = ["pg_", "duckdb_", "sqlite_"];

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
    return `${UNPARSED} (${message.slice(0, 120)})`;
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) return "must be exactly one statement";
  if (statements[0]?.type !== "select") {
    return `must be a SELECT, not ${String(statements[0]?.type).toUpperCase()}`;
  }
  for (const entry of parser.tableList(text, { database: dialect }) as string[]) {
    const [, schema, table] = entry.split("::");
    const names = (schema ?? "").toLowerCase().split(".");
    if (names.some((name) => FORBIDDEN_SCHEMAS.has(name))) {
      return `may not read system catalogs (${schema})`;
    }
    const lower = (table ?? "").toLowerCase();
    if (FORBIDDEN_TABLE_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
      return `may not read system catalogs (${table})`;
    }
  }
  if (statements[0].into?.expr) return "must not write (SELECT … INTO creates a table)";
  if (readsStage(statements[0])) return "may not read stages (@…)";
  const forbidden = functionNames(statements[0]).find(isForbiddenFunction);
  return forbidden ? `may not call ${forbidden}()` : undefined;
}

/** Replaces `{table}` with the dataset's table expression. */
export function bindTable(sql: string, table: string): string {
  return sql.replaceAll(TABLE_PLACEHOLDER, table);
}

function isForbiddenFunction(qualified: string): boolean {
  const parts = qualified.toLowerCase().split(".");
  const name = parts.at(-1) ?? "";
  return parts.slice(0, -1).some((part) => FORBIDDEN_SCHEMAS.has(part)) ||
    FORBIDDEN_FUNCTIONS.has(name) || FORBIDDEN_PREFIXES.some((p) => name.startsWith(p));
}

/** True when the statement names a Snowflake stage (`@stage`) anywhere. */
function readsStage(node: Ast): boolean {
  if (node === null || typeof node !== "object") return false;
  if (node.prefix === "@") return true;
  return Object.values(node).some(readsStage);
}

/** Every function name called anywhere in the statement (schema-qualified), including table functions. */
function functionNames(node: Ast, found: string[] = []): string[] {
  if (node === null || typeof node !== "object") return found;
  if (node.type === "function" || node.type === "aggr_func") {
    const parts = Array.isArray(node.name?.name) ? node.name.name : [node.name];
    const schema = node.name?.schema?.value;
    const name = parts.map((part: Ast) => typeof part === "string" ? part : part?.value ?? "")
      .join(".");
    found.push(typeof schema === "string" ? `${schema}.${name}` : name);
  }
  for (const value of Object.values(node)) functionNames(value, found);
  return found;
}

/** Every parser dialect user SQL may be written in. */
export const PARSER_DIALECTS: readonly ParserDialect[] = ["PostgresQL", "Snowflake"];

/**
 * For Kontract loading, before the source is known: accepts SQL that some engine's
 * parser accepts. The engine that runs it checks it again with its own dialect first.
 */
export function checkUserSelectForAnyDialect(sql: string): string | undefined {
  const problems = PARSER_DIALECTS.map((dialect) => checkUserSelect(sql, dialect));
  if (problems.includes(undefined)) return undefined;
  // A reason the SQL is refused beats a parser's failure to read it.
  return problems.find((problem) => !problem?.startsWith(UNPARSED)) ?? problems[0];
}
