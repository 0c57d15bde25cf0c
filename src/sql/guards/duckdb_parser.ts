/**
 * DuckDB's own parser, for the guard: `json_serialize_sql` returns the parse tree DuckDB
 * would execute. It runs in a dedicated in-memory DuckDB that never holds data, with
 * external access, extension loading and configuration changes switched off; the SQL
 * is a bound parameter of a fixed statement, so it is only ever parsed, never run.
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";

/** `json_serialize_sql`'s answer: statements, or why it could not serialize them. */
export interface DuckdbParse {
  error?: boolean;
  error_type?: string;
  error_message?: string;
  statements?: Record<string, unknown>[];
}

/** How many statements DuckDB reads in the text, and the tree of the SELECTs. */
export interface ParsedSql {
  statementCount: number;
  tree: DuckdbParse;
}

let parserInstance: Promise<DuckDBInstance> | undefined;

function instance(): Promise<DuckDBInstance> {
  parserInstance ??= DuckDBInstance.create(":memory:", {
    enable_external_access: "false",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    threads: "1",
    lock_configuration: "true",
  }).catch((error) => {
    parserInstance = undefined;
    throw error;
  });
  return parserInstance;
}

/** Parses `sql` with DuckDB's parser; nothing in it is executed. */
export async function parseDuckdbSql(sql: string): Promise<ParsedSql> {
  // A connection per call: concurrent checks never share one.
  const connection = await (await instance()).connect();
  try {
    const tree = await serialize(connection, sql);
    if (tree.error && tree.error_type === "parser") return { statementCount: 0, tree };
    if (!tree.error && !tree.statements?.length) return { statementCount: 0, tree };
    // A non-SELECT among several statements hides the count behind its error, so count
    // separately (extraction only parses).
    const statementCount = (await connection.extractStatements(sql)).count;
    return { statementCount, tree };
  } finally {
    connection.closeSync();
  }
}

async function serialize(connection: DuckDBConnection, sql: string): Promise<DuckdbParse> {
  const prepared = await connection.prepare("SELECT json_serialize_sql($1::VARCHAR)");
  try {
    prepared.bindVarchar(1, sql);
    const reader = await prepared.runAndReadAll();
    return JSON.parse(String(reader.getRows()[0][0])) as DuckdbParse;
  } finally {
    prepared.destroySync();
  }
}
