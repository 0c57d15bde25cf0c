/**
 * A local Snowflake-protocol server for tests. The real `snowflake-sdk` logs in, runs SQL and
 * streams results over loopback (127.0.0.1 only); the SQL runs in an in-memory DuckDB.
 *
 * WHERE THIS SERVER DIFFERS FROM REAL SNOWFLAKE (keep this list complete, so the Snowflake
 * dialect is written for Snowflake and not for DuckDB):
 *
 * Protocol and sessions
 * - Plain HTTP, no TLS/OCSP. One DuckDB instance is shared by all sessions and statements run
 *   one at a time.
 * - Login checks only user and password (no MFA, key pair, OAuth or SSO). Account, warehouse and
 *   role are accepted as given. Tokens are never reported expired, so the sdk never renews them (renewal is
 *   still served).
 * - Results of more than INLINE_ROWS rows send the first INLINE_ROWS inline and the rest as
 *   CHUNK_ROWS-row chunks downloaded from this server: plain JSON, no encryption (Snowflake
 *   uses chunks of megabytes, encrypted, from cloud storage).
 * - Not served: async queries, fetching a result again by query id, query monitoring, PUT/GET,
 *   array binds (stage binding) and describeOnly. Cancel is accepted and does nothing.
 * - Fixed session parameters: TIMEZONE=UTC (Snowflake's default is America/Los_Angeles) and
 *   Snowflake's default output formats. ALTER SESSION, SHOW, DESCRIBE and USE DATABASE/SCHEMA/
 *   WAREHOUSE/ROLE are not translated: DuckDB gets them as written (USE "DB"."SCHEMA" works,
 *   the Snowflake-only forms fail).
 * - /telemetry/send events are accepted and dropped. No result cache, RESULT_SCAN or
 *   LAST_QUERY_ID; no session variables (SET x = ... goes to DuckDB as a setting).
 * - Multi-statement SQL is rejected with 000008, like Snowflake's default
 *   MULTI_STATEMENT_COUNT=1; the count can't be raised.
 * - The login database/schema must exist (see createDatabase) to become the current one; if it
 *   doesn't, the session has no current database, and unqualified names resolve in DuckDB's
 *   default catalog.
 *
 * Names
 * - DuckDB matches every identifier case-insensitively, quoted or not. Snowflake upper-cases
 *   unquoted identifiers and matches quoted ones exactly, so `"email"` against a column stored
 *   as EMAIL works here and fails in Snowflake.
 * - Result column names imitate Snowflake's folding: a name written unquoted somewhere in the
 *   SQL comes back upper-cased, a name written quoted comes back as written, and other names
 *   (e.g. SELECT * over stored columns) come back as stored. Unaliased expressions get DuckDB's
 *   names (`count_star()`, not `COUNT(*)`): always alias.
 * - Tables created through this server's SQL keep unquoted names as written (Snowflake stores
 *   them upper-cased).
 * - Databases are DuckDB in-memory catalogs made by createDatabase(); CREATE DATABASE through
 *   SQL is not supported. Each also has DuckDB's `main` schema.
 * - INFORMATION_SCHEMA: only COLUMNS and TABLES (qualified by a database or not), rewritten to
 *   macros with a subset of Snowflake's columns. DATA_TYPE uses Snowflake's names (NUMBER, FLOAT,
 *   TEXT, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ, TIMESTAMP_LTZ, BINARY, ARRAY, OBJECT, VARIANT).
 *   No privileges: every table is visible.
 *
 * SQL text (the server rewrites it before DuckDB sees it)
 * - String literals are decoded the Snowflake way (backslash escapes such as '\\d' and '\n',
 *   $$...$$ strings), then re-quoted for DuckDB, where a backslash is an ordinary character.
 * - A NUL character in a string literal ('\0', '\x00') cuts the string short in DuckDB.
 * - `//` comments become `--` comments. `:1`-style binds become `$1`; `?` is kept.
 * - Type names after `::` or AS: NUMBER/NUMERIC/DECIMAL without arguments -> DECIMAL(38,0),
 *   NUMBER(p,s) -> DECIMAL(p,s), FLOAT/FLOAT4/FLOAT8/REAL -> DOUBLE (DuckDB's FLOAT is 32-bit),
 *   TIMESTAMP_NTZ -> TIMESTAMP, TIMESTAMP_LTZ/TIMESTAMP_TZ -> TIMESTAMPTZ. A column alias spelled
 *   like one of these types is rewritten too. Other Snowflake types (VARIANT, OBJECT, ARRAY,
 *   GEOGRAPHY) are unknown to DuckDB.
 * - Binds are typed from the sdk's bind types: TEXT -> VARCHAR, FIXED -> HUGEINT,
 *   REAL -> DOUBLE, BOOLEAN -> BOOLEAN. DuckDB does not coerce VARCHAR binds in arithmetic as
 *   Snowflake does (`? + 1` with a string bind fails here).
 *
 * Semantics
 * - Integers are NUMBER(38,0) ("fixed"), DECIMAL(p,s) is NUMBER(p,s), DOUBLE is FLOAT ("real").
 *   DuckDB's AVG of integers and integer `/` return DOUBLE (Snowflake: NUMBER with a scale).
 * - Division by zero returns NULL or Infinity in DuckDB; Snowflake raises 100051. NaN and
 *   infinities travel as "NaN" / "Infinity". SELECT NULL is typed NUMBER (DuckDB's INTEGER).
 * - TRY_CAST accepts any input type in DuckDB; Snowflake only accepts string input.
 * - NULL ordering is set to Snowflake's (NULLS LAST ascending, NULLS FIRST descending).
 * - No ICU in this DuckDB build: TIMESTAMPTZ is UTC-only and there are no time zone functions
 *   (CONVERT_TIMEZONE is missing).
 * - Result types: TIMESTAMP -> TIMESTAMP_NTZ, TIMESTAMPTZ -> TIMESTAMP_LTZ (never TIMESTAMP_TZ),
 *   LIST/ARRAY -> ARRAY and STRUCT/MAP -> OBJECT as JSON text, BLOB -> BINARY (hex);
 *   INTERVAL, UUID, ENUM, BIT and TIME WITH TIME ZONE come back as TEXT.
 * - Regular expressions are RE2 (DuckDB), not Snowflake's POSIX ERE. Only the function forms
 *   exist: `x RLIKE p` and `x REGEXP p` (infix) fail to parse here.
 * - Function shims (macros, see SHIM_MACROS): REGEXP_LIKE and RLIKE (whole-string match; of the
 *   flags only i, m and s count), REGEXP_INSTR(s, p) and REGEXP_COUNT(s, p) (two-argument forms
 *   only), IFF, ZEROIFNULL, NVL, DIV0, EDITDISTANCE, TRY_TO_NUMBER(s) (DECIMAL(38,0), no
 *   format), TRY_TO_DOUBLE(s), TRY_TO_DATE(s) (ISO dates only), BOOLOR_AGG, BOOLAND_AGG,
 *   DATEADD(part, n, d) (the part quoted, 'day'; returns a TIMESTAMP).
 *   COUNT_IF, TRY_CAST, LEN, MEDIAN, APPROX_COUNT_DISTINCT, LISTAGG and SPLIT_PART are DuckDB
 *   builtins. Every other Snowflake-only function is missing, and DuckDB-only functions
 *   (regexp_matches, list_*, ...) work here but not in Snowflake.
 * - Errors: the code comes from DuckDB's error class (Parser -> 001003, Catalog -> 002003,
 *   Binder -> 000904, Conversion -> 100038, others -> 100000) and the message is DuckDB's text
 *   after Snowflake's "SQL compilation error:" / "SQL execution error:" prefix.
 * - INSERT/UPDATE/DELETE return Snowflake's "number of rows ..." columns; every other
 *   non-query statement returns one `status` row "Statement executed successfully.".
 */

import {
  type DuckDBBlobValue,
  type DuckDBConnection,
  type DuckDBDateValue,
  type DuckDBDecimalType,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBTimeNSValue,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampValue,
  type DuckDBTimeValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
  StatementType,
} from "@duckdb/node-api";

export interface SnowflakeRequestLogEntry {
  method: string;
  path: string;
  sqlText?: string;
}

export interface SnowflakeTestServer {
  port: number;
  /** Pass as the sdk's `accessUrl`: http://127.0.0.1:<port> */
  accessUrl: string;
  account: string;
  user: string;
  password: string;
  /** A DuckDB connection for fixtures; the server runs queries on its own connection. */
  db: DuckDBConnection;
  /** Every request received, in order (never the password). */
  requests: SnowflakeRequestLogEntry[];
  /** Makes `"name"."schema"` usable: attaches an in-memory catalog and creates the schema. */
  createDatabase(name: string, schema?: string): Promise<void>;
  close(): Promise<void>;
}

/** Rows sent inline in the query response; the rest go to downloadable chunks. */
const INLINE_ROWS = 1000;
const CHUNK_ROWS = 2000;
const CHUNK_PATH = "/_test/chunks/";

/** Snowflake's NUMBER/TEXT defaults, as reported in rowtype. */
const NUMBER_PRECISION = 38;
const TEXT_LENGTH = 16_777_216;

/** Snowflake's statementTypeId values the sdk looks at. */
const STATEMENT_TYPE = { select: 0x1000, insert: 0x3100, update: 0x3200, del: 0x3300, ddl: 0x6000 };

/** Session parameters sent with login and query responses; the sdk formats dates with them. */
const SESSION_PARAMETERS = [
  { name: "TIMEZONE", value: "UTC" },
  { name: "DATE_OUTPUT_FORMAT", value: "YYYY-MM-DD" },
  { name: "TIME_OUTPUT_FORMAT", value: "HH24:MI:SS" },
  { name: "TIMESTAMP_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM" },
  { name: "TIMESTAMP_NTZ_OUTPUT_FORMAT", value: "YYYY-MM-DD HH24:MI:SS.FF3" },
  { name: "TIMESTAMP_LTZ_OUTPUT_FORMAT", value: "" },
  { name: "TIMESTAMP_TZ_OUTPUT_FORMAT", value: "" },
  { name: "BINARY_OUTPUT_FORMAT", value: "HEX" },
  { name: "CLIENT_SESSION_KEEP_ALIVE", value: false },
];

/** DuckDB macros standing in for Snowflake functions (temporary: one set per connection). */
const SHIM_MACROS = [
  // Snowflake's regex parameters as an RE2 flag group; flags other than i, m, s are dropped.
  `sf_regex_flags(f) AS CASE WHEN regexp_replace(f, '[^ims]', '', 'g') = '' THEN ''
     ELSE '(?' || regexp_replace(f, '[^ims]', '', 'g') || ')' END`,
  // Snowflake anchors the pattern at both ends.
  `regexp_like(s, p) AS regexp_full_match(s, p),
   (s, p, f) AS regexp_full_match(s, sf_regex_flags(f) || p)`,
  `rlike(s, p) AS regexp_like(s, p), (s, p, f) AS regexp_like(s, p, f)`,
  // 1-based position of the first match, 0 when none: the length of the shortest prefix
  // before a match, plus one.
  `regexp_instr(s, p) AS CASE WHEN NOT regexp_matches(s, p) THEN 0
     ELSE length(regexp_extract(s, '(?s)^(.*?)(?:' || p || ')', 1)) + 1 END`,
  `regexp_count(s, p) AS len(regexp_extract_all(s, p))`,
  `iff(c, a, b) AS CASE WHEN c THEN a ELSE b END`,
  `zeroifnull(x) AS coalesce(x, 0)`,
  `nvl(a, b) AS coalesce(a, b)`,
  `div0(a, b) AS CASE WHEN b = 0 THEN 0 ELSE a / b END`,
  `editdistance(a, b) AS levenshtein(a, b)`,
  `try_to_number(s) AS TRY_CAST(s AS DECIMAL(38, 0))`,
  `try_to_double(s) AS TRY_CAST(s AS DOUBLE)`,
  `try_to_date(s) AS TRY_CAST(s AS DATE)`,
  `dateadd(p, n, d) AS d + CAST(CAST(n AS VARCHAR) || ' ' || p AS INTERVAL)`,
  `boolor_agg(x) AS bool_or(x)`,
  `booland_agg(x) AS bool_and(x)`,
  // Snowflake-shaped INFORMATION_SCHEMA views; the SQL rewrite points references here.
  `sf_type_name(t) AS CASE
     WHEN t IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
       'UINTEGER', 'UBIGINT', 'UHUGEINT') OR t LIKE 'DECIMAL%' THEN 'NUMBER'
     WHEN t IN ('FLOAT', 'DOUBLE') THEN 'FLOAT'
     WHEN t = 'VARCHAR' THEN 'TEXT'
     WHEN t IN ('BOOLEAN', 'DATE', 'TIME') THEN t
     WHEN t = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_LTZ'
     WHEN t LIKE 'TIMESTAMP%' THEN 'TIMESTAMP_NTZ'
     WHEN t = 'BLOB' THEN 'BINARY'
     WHEN t LIKE '%]' THEN 'ARRAY'
     WHEN t LIKE 'STRUCT%' OR t LIKE 'MAP%' THEN 'OBJECT'
     ELSE 'VARIANT' END`,
  `sf_information_schema_columns(cat) AS TABLE
     SELECT table_catalog AS TABLE_CATALOG, table_schema AS TABLE_SCHEMA,
       table_name AS TABLE_NAME, column_name AS COLUMN_NAME,
       ordinal_position AS ORDINAL_POSITION, column_default AS COLUMN_DEFAULT,
       is_nullable AS IS_NULLABLE, sf_type_name(data_type) AS DATA_TYPE,
       CASE WHEN sf_type_name(data_type) = 'TEXT' THEN ${TEXT_LENGTH} END
         AS CHARACTER_MAXIMUM_LENGTH,
       CASE WHEN data_type LIKE 'DECIMAL%' THEN numeric_precision
         WHEN sf_type_name(data_type) = 'NUMBER' THEN ${NUMBER_PRECISION} END
         AS NUMERIC_PRECISION,
       CASE WHEN data_type LIKE 'DECIMAL%' THEN numeric_scale
         WHEN sf_type_name(data_type) = 'NUMBER' THEN 0 END AS NUMERIC_SCALE
     FROM information_schema.columns WHERE table_catalog = cat`,
  `sf_information_schema_tables(cat) AS TABLE
     SELECT table_catalog AS TABLE_CATALOG, table_schema AS TABLE_SCHEMA,
       table_name AS TABLE_NAME, table_type AS TABLE_TYPE
     FROM information_schema.tables WHERE table_catalog = cat`,
];

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

interface Session {
  id: number;
  token: string;
  masterToken: string;
  database?: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  chunkPaths: string[];
}

interface ServerState {
  user: string;
  password: string;
  accessUrl: string;
  exec: DuckDBConnection;
  serialize: <T>(fn: () => Promise<T>) => Promise<T>;
  sessions: Map<string, Session>;
  sessionCount: number;
  chunks: Map<string, string>;
  requests: SnowflakeRequestLogEntry[];
}

type JsonObject = Record<string, unknown>;

export async function startSnowflakeServer(
  opts: { user?: string; password?: string } = {},
): Promise<SnowflakeTestServer> {
  const instance = await DuckDBInstance.create(":memory:", {
    default_null_order: "nulls_last_on_asc_first_on_desc",
  });
  const exec = await instance.connect();
  const db = await instance.connect();
  await installShims(exec);
  await installShims(db);

  const state: ServerState = {
    user: opts.user ?? "KONTRA_TEST",
    password: opts.password ?? "kontra-test-password",
    accessUrl: "",
    exec,
    serialize: createSerializer(),
    sessions: new Map(),
    sessionCount: 0,
    chunks: new Map(),
    requests: [],
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => handle(state, req),
  );
  const port = server.addr.port;
  state.accessUrl = `http://127.0.0.1:${port}`;

  return {
    port,
    accessUrl: state.accessUrl,
    account: "kontra_test",
    user: state.user,
    password: state.password,
    db,
    requests: state.requests,
    createDatabase: (name, schema = "PUBLIC") => createDatabase(db, name, schema),
    close: async () => {
      await server.shutdown();
      state.chunks.clear();
      exec.closeSync();
      db.closeSync();
      instance.closeSync();
    },
  };
}

async function installShims(connection: DuckDBConnection): Promise<void> {
  for (const macro of SHIM_MACROS) {
    await connection.run(`CREATE OR REPLACE TEMP MACRO ${macro}`);
  }
}

async function createDatabase(db: DuckDBConnection, name: string, schema: string) {
  await db.run(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdent(name)}`);
  await db.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}.${quoteIdent(schema)}`);
}

/** Runs jobs one at a time: a session's USE and its query must not interleave with another's. */
function createSerializer() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

async function handle(state: ServerState, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const entry: SnowflakeRequestLogEntry = { method: req.method, path: url.pathname };
  state.requests.push(entry);
  try {
    const body = req.method === "POST" ? await readJsonBody(req) : {};
    if (typeof body.sqlText === "string") entry.sqlText = body.sqlText;
    return await route(state, req, url, body);
  } catch (error) {
    // A 5xx would make the sdk retry with back-off for a long time: fail the request instead.
    return snowflakeFailure("000603", `Test server error: ${(error as Error).message}`);
  }
}

function route(
  state: ServerState,
  req: Request,
  url: URL,
  body: JsonObject,
): Response | Promise<Response> {
  const path = url.pathname;
  if (path === "/session/v1/login-request") return login(state, url, body);
  if (path.startsWith(CHUNK_PATH)) return serveChunk(state, path);

  const session = sessionFor(state, req, path === "/session/token-request");
  if (!session) return snowflakeFailure("390104", "User must login again to access the service.");
  if (path === "/queries/v1/query-request") return runQuery(state, session, body);
  if (path === "/session" && url.searchParams.get("delete") === "true") {
    return deleteSession(state, session);
  }
  if (path === "/session/token-request") return renewSession(state, session);
  if (path === "/session/heartbeat") return snowflakeSuccess({});
  if (path === "/telemetry/send") return snowflakeSuccess("Log Received");
  if (path.endsWith("/abort-request")) return snowflakeSuccess(null);
  return Response.json({ success: false, code: "404", message: `No route ${path}` }, {
    status: 404,
  });
}

/**
 * Parses a JSON body, gzipped or not: the sdk gzips bodies asynchronously and sends whichever
 * is ready (under Deno, so far, always the plain one), so accept both.
 */
async function readJsonBody(req: Request): Promise<JsonObject> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length === 0) return {};
  const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = isGzip
    ? await new Response(
      new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
    ).text()
    : new TextDecoder().decode(bytes);
  return JSON.parse(text);
}

function snowflakeSuccess(data: unknown): Response {
  return Response.json({ data, code: null, message: null, success: true });
}

/** Snowflake reports failures with HTTP 200 and success:false. */
function snowflakeFailure(code: string, message: string, data: JsonObject = {}): Response {
  return Response.json({ data: { ...data, errorCode: code }, code, message, success: false });
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

function login(state: ServerState, url: URL, body: JsonObject): Response {
  const data = (body.data ?? {}) as JsonObject;
  if (data.LOGIN_NAME !== state.user || data.PASSWORD !== state.password) {
    return snowflakeFailure("390100", "Incorrect username or password was specified.", {
      nextAction: "RETRY_LOGIN",
      authnMethod: "USERNAME_PASSWORD",
    });
  }
  const params = url.searchParams;
  const session: Session = {
    id: ++state.sessionCount,
    token: crypto.randomUUID(),
    masterToken: crypto.randomUUID(),
    database: params.get("databaseName") ?? undefined,
    schema: params.get("schemaName") ?? undefined,
    warehouse: params.get("warehouse") ?? undefined,
    role: params.get("roleName") ?? undefined,
    chunkPaths: [],
  };
  state.sessions.set(session.token, session);
  return snowflakeSuccess({
    ...tokenData(session),
    sessionId: session.id,
    displayUserName: state.user,
    serverVersion: "kontra-test",
    firstLogin: false,
    healthCheckInterval: 45,
    parameters: SESSION_PARAMETERS,
    sessionInfo: {
      databaseName: session.database ?? null,
      schemaName: session.schema ?? null,
      warehouseName: session.warehouse ?? null,
      roleName: session.role ?? null,
    },
  });
}

function tokenData(session: Session) {
  return {
    token: session.token,
    masterToken: session.masterToken,
    validityInSeconds: 3600,
    masterValidityInSeconds: 14400,
  };
}

/** The session named by `Authorization: Snowflake Token="..."`: the master token for renewals. */
function sessionFor(state: ServerState, req: Request, master: boolean): Session | undefined {
  const header = req.headers.get("authorization") ?? "";
  const token = /Snowflake Token="([^"]*)"/.exec(header)?.[1];
  if (!token) return undefined;
  if (!master) return state.sessions.get(token);
  return [...state.sessions.values()].find((s) => s.masterToken === token);
}

function deleteSession(state: ServerState, session: Session): Response {
  state.sessions.delete(session.token);
  for (const path of session.chunkPaths) state.chunks.delete(path);
  return snowflakeSuccess(null);
}

function renewSession(state: ServerState, session: Session): Response {
  state.sessions.delete(session.token);
  session.token = crypto.randomUUID();
  state.sessions.set(session.token, session);
  return snowflakeSuccess({ ...tokenData(session), sessionToken: session.token });
}

function serveChunk(state: ServerState, path: string): Response {
  const chunk = state.chunks.get(path);
  if (chunk === undefined) return new Response("chunk not found", { status: 404 });
  return new Response(chunk, { headers: { "content-type": "application/octet-stream" } });
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

interface BindingJson {
  type?: string;
  value: unknown;
}

interface Translated {
  sql: string;
  bareWords: Set<string>;
  quotedNames: Set<string>;
}

/** An error to report with a specific Snowflake code and SQL state. */
class SnowflakeSqlError extends Error {
  constructor(readonly code: string, readonly sqlState: string, message: string) {
    super(message);
  }
}

async function runQuery(state: ServerState, session: Session, body: JsonObject): Promise<Response> {
  const queryId = crypto.randomUUID();
  try {
    const translated = translateSql(String(body.sqlText ?? ""));
    const values = bindValues(body.bindings as Record<string, BindingJson> | undefined);
    const { reader, statementType, context } = await state.serialize(() =>
      execute(state.exec, session, translated.sql, values)
    );
    const encoded = encodeResult(reader, statementType, translated);
    return snowflakeSuccess({
      parameters: SESSION_PARAMETERS,
      rowtype: encoded.rowtype,
      ...placeRows(state, session, queryId, encoded.rowset),
      total: encoded.rowset.length,
      returned: encoded.rowset.length,
      queryId,
      statementTypeId: encoded.statementTypeId,
      version: 1,
      queryResultFormat: "json",
      databaseProvider: null,
      finalDatabaseName: context.database,
      finalSchemaName: context.schema,
      finalWarehouseName: session.warehouse ?? null,
      finalRoleName: session.role ?? null,
      numberOfBinds: values.length,
      arrayBindSupported: false,
    });
  } catch (error) {
    return sqlFailure(error as Error, queryId);
  }
}

async function execute(
  exec: DuckDBConnection,
  session: Session,
  sql: string,
  values: DuckDBValue[],
) {
  const context = await useSessionContext(exec, session);
  const statements = await exec.extractStatements(sql);
  if (statements.count === 0) {
    throw new SnowflakeSqlError("000900", "42000", `${COMPILATION}:\nEmpty SQL statement.`);
  }
  if (statements.count > 1) {
    throw new SnowflakeSqlError(
      "000008",
      "0A000",
      `Actual statement count ${statements.count} did not match the desired statement count 1.`,
    );
  }
  const prepared = await statements.prepare(0);
  try {
    if (values.length > 0) prepared.bind(values);
    const reader = await prepared.runAndReadAll();
    return { reader, statementType: prepared.statementType, context };
  } finally {
    prepared.destroySync();
  }
}

/**
 * Makes the session's database and schema current, as Snowflake does for unqualified names.
 * Snowflake resolves the login names as identifiers: an exact match first, then upper case.
 */
async function useSessionContext(exec: DuckDBConnection, session: Session) {
  const reader = await exec.runAndReadAll(
    "SELECT database_name, schema_name FROM duckdb_schemas() WHERE NOT internal",
  );
  const known = reader.getRows().map(([d, s]) => ({ database: String(d), schema: String(s) }));
  const database = resolveName(session.database, known.map((k) => k.database));
  const schema = database === undefined ? undefined : resolveName(
    session.schema,
    known.filter((k) => k.database === database).map((k) => k.schema),
  );
  if (database === undefined) {
    await exec.run("USE memory.main");
    return { database: null, schema: null };
  }
  const target = schema === undefined ? quoteIdent(database) : qualified(database, schema);
  await exec.run(`USE ${target}`);
  return { database, schema: schema ?? null };
}

function resolveName(name: string | undefined, candidates: string[]): string | undefined {
  if (!name) return undefined;
  return candidates.find((c) => c === name) ?? candidates.find((c) => c === name.toUpperCase());
}

/** Converts the sdk's `bindings` map ({"1": {type, value}}) to positional DuckDB values. */
function bindValues(bindings: Record<string, BindingJson> | undefined): DuckDBValue[] {
  if (!bindings) return [];
  return Object.entries(bindings)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, binding]) => bindValue(binding));
}

function bindValue({ type, value }: BindingJson): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") {
    throw new SnowflakeSqlError("100000", "0A000", "The test server does not support array binds.");
  }
  if (type === "FIXED" && /^-?\d+$/.test(value)) return BigInt(value);
  if (type === "FIXED" || type === "REAL") return Number(value);
  if (type === "BOOLEAN") return value.toLowerCase() === "true";
  return value;
}

const COMPILATION = "SQL compilation error";
const EXECUTION = "SQL execution error";

/** Snowflake's code, SQL state and message prefix for each DuckDB error class. */
const DUCKDB_ERROR_CLASSES: Record<string, [string, string, string]> = {
  Parser: ["001003", "42000", COMPILATION],
  Catalog: ["002003", "42S02", COMPILATION],
  Binder: ["000904", "42000", COMPILATION],
  Conversion: ["100038", "22018", EXECUTION],
};

function sqlFailure(error: Error, queryId: string): Response {
  if (error instanceof SnowflakeSqlError) {
    return sqlErrorResponse(error.code, error.sqlState, error.message, queryId);
  }
  const message = error.message.replace(/^Failed to extract statements: /, "");
  const errorClass = /^(\w+) Error:/.exec(message)?.[1] ?? "";
  const [code, sqlState, prefix] = DUCKDB_ERROR_CLASSES[errorClass] ??
    ["100000", "22000", EXECUTION];
  return sqlErrorResponse(code, sqlState, `${prefix}:\n${message}`, queryId);
}

function sqlErrorResponse(code: string, sqlState: string, message: string, queryId: string) {
  return snowflakeFailure(code, message, {
    internalError: false,
    age: 0,
    sqlState,
    queryId,
    line: -1,
    pos: -1,
  });
}

/** Puts the first rows inline and stores the rest as chunks the sdk downloads. */
function placeRows(
  state: ServerState,
  session: Session,
  queryId: string,
  rowset: (string | null)[][],
) {
  const chunks: {
    url: string;
    rowCount: number;
    uncompressedSize: number;
    compressedSize: number;
  }[] = [];
  for (let start = INLINE_ROWS; start < rowset.length; start += CHUNK_ROWS) {
    const rows = rowset.slice(start, start + CHUNK_ROWS);
    const path = `${CHUNK_PATH}${queryId}/${chunks.length}`;
    // A chunk is the rowset's JSON without the outer brackets.
    const body = JSON.stringify(rows).slice(1, -1);
    state.chunks.set(path, body);
    session.chunkPaths.push(path);
    chunks.push({
      url: state.accessUrl + path,
      rowCount: rows.length,
      uncompressedSize: body.length,
      compressedSize: body.length,
    });
  }
  return { rowset: rowset.slice(0, INLINE_ROWS), chunks };
}

// ---------------------------------------------------------------------------------------------
// Result encoding: Snowflake's JSON result format
// ---------------------------------------------------------------------------------------------

interface RowTypeEntry {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: string;
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  collation: null;
}

interface Codec {
  type: string;
  meta?: Partial<RowTypeEntry>;
  encode: (value: DuckDBValue) => string;
}

interface EncodedResult {
  rowtype: RowTypeEntry[];
  rowset: (string | null)[][];
  statementTypeId: number;
}

const DML_COLUMNS: Partial<Record<StatementType, { typeId: number; names: string[] }>> = {
  [StatementType.INSERT]: { typeId: STATEMENT_TYPE.insert, names: ["number of rows inserted"] },
  [StatementType.UPDATE]: {
    typeId: STATEMENT_TYPE.update,
    names: ["number of rows updated", "number of multi-joined rows updated"],
  },
  [StatementType.DELETE]: { typeId: STATEMENT_TYPE.del, names: ["number of rows deleted"] },
};

const QUERY_STATEMENTS = new Set<StatementType>([
  StatementType.SELECT,
  StatementType.EXPLAIN,
  StatementType.PRAGMA,
  StatementType.CALL,
  StatementType.EXECUTE,
  StatementType.RELATION,
]);

function encodeResult(
  reader: DuckDBResultReader,
  statementType: StatementType,
  translated: Translated,
): EncodedResult {
  const dml = DML_COLUMNS[statementType];
  if (dml) return encodeDml(reader, dml.typeId, dml.names);
  if (!QUERY_STATEMENTS.has(statementType)) return encodeStatus();

  const codecs = reader.columnTypes().map(codecFor);
  const rowtype = reader.columnNames().map((name, i) =>
    rowTypeEntry(snowflakeColumnName(name, translated), codecs[i])
  );
  const rowset = reader.getRows().map((row) =>
    row.map((value, i) => value === null ? null : codecs[i].encode(value))
  );
  return { rowtype, rowset, statementTypeId: STATEMENT_TYPE.select };
}

/** DuckDB returns one "Count" column; Snowflake names it per statement (UPDATE has two). */
function encodeDml(reader: DuckDBResultReader, typeId: number, names: string[]): EncodedResult {
  const count = String(reader.getRows()[0]?.[0] ?? 0);
  const codec = codecFor(reader.columnTypes()[0]);
  return {
    rowtype: names.map((name) => rowTypeEntry(name, codec)),
    rowset: [names.map((_, i) => i === 0 ? count : "0")],
    statementTypeId: typeId,
  };
}

function encodeStatus(): EncodedResult {
  const codec: Codec = { type: "text", encode: String };
  return {
    rowtype: [rowTypeEntry("status", codec)],
    rowset: [["Statement executed successfully."]],
    statementTypeId: STATEMENT_TYPE.ddl,
  };
}

function rowTypeEntry(name: string, codec: Codec): RowTypeEntry {
  return {
    name,
    database: "",
    schema: "",
    table: "",
    type: codec.type,
    nullable: true,
    precision: null,
    scale: null,
    length: null,
    byteLength: null,
    collation: null,
    ...codec.meta,
  };
}

/**
 * Imitates Snowflake's identifier folding for result names: unquoted in the SQL -> upper case,
 * quoted -> as written, not in the SQL at all (SELECT *) -> as stored.
 */
function snowflakeColumnName(name: string, translated: Translated): string {
  if (translated.quotedNames.has(name)) return name;
  return translated.bareWords.has(name.toLowerCase()) ? name.toUpperCase() : name;
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);

const NESTED_TYPES: Partial<Record<DuckDBTypeId, string>> = {
  [DuckDBTypeId.LIST]: "array",
  [DuckDBTypeId.ARRAY]: "array",
  [DuckDBTypeId.STRUCT]: "object",
  [DuckDBTypeId.MAP]: "object",
  [DuckDBTypeId.UNION]: "variant",
  [DuckDBTypeId.VARIANT]: "variant",
};

const TEXT_META = { length: TEXT_LENGTH, byteLength: TEXT_LENGTH };
const TIME_META = { precision: 0, scale: 9 };

/**
 * How each DuckDB type travels in Snowflake's JSON rowset (every value is a string):
 * numbers as decimal text, booleans "1"/"0", dates as days since the epoch, times as seconds
 * since midnight and timestamps as epoch seconds (both with 9 fractional digits), binary as
 * upper-case hex, semi-structured values as JSON text.
 */
function codecFor(type: DuckDBType): Codec {
  const id = type.typeId;
  if (INTEGER_TYPES.has(id)) {
    return { type: "fixed", meta: { precision: NUMBER_PRECISION, scale: 0 }, encode: String };
  }
  if (id === DuckDBTypeId.DECIMAL) {
    const { width, scale } = type as DuckDBDecimalType;
    return { type: "fixed", meta: { precision: width, scale }, encode: String };
  }
  if (id === DuckDBTypeId.FLOAT || id === DuckDBTypeId.DOUBLE) {
    return { type: "real", encode: String };
  }
  if (id === DuckDBTypeId.BOOLEAN) return { type: "boolean", encode: (v) => v ? "1" : "0" };
  if (id === DuckDBTypeId.DATE) {
    return { type: "date", encode: (v) => String((v as DuckDBDateValue).days) };
  }
  const temporal = TEMPORAL_TYPES[id];
  if (temporal) {
    const [sfType, nanos] = temporal;
    return { type: sfType, meta: TIME_META, encode: (v) => fixedPoint(nanos(v), 9) };
  }
  if (id === DuckDBTypeId.BLOB) {
    return { type: "binary", meta: { length: TEXT_LENGTH / 2 }, encode: hexOf };
  }
  const nested = NESTED_TYPES[id];
  if (nested) {
    return { type: nested, encode: (v) => JSON.stringify(snowflakeJson(v, type, snowflakeJson)) };
  }
  return { type: "text", meta: TEXT_META, encode: String };
}

type Nanos = (value: DuckDBValue) => bigint;
const micros: Nanos = (v) => (v as DuckDBTimestampValue | DuckDBTimeValue).micros * 1000n;

/** Snowflake type and nanoseconds (since the epoch, or since midnight for times) per type. */
const TEMPORAL_TYPES: Partial<Record<DuckDBTypeId, [string, Nanos]>> = {
  [DuckDBTypeId.TIME]: ["time", micros],
  [DuckDBTypeId.TIME_NS]: ["time", (v) => (v as DuckDBTimeNSValue).nanos],
  [DuckDBTypeId.TIMESTAMP]: ["timestamp_ntz", micros],
  [DuckDBTypeId.TIMESTAMP_S]: [
    "timestamp_ntz",
    (v) => (v as DuckDBTimestampSecondsValue).seconds * 1_000_000_000n,
  ],
  [DuckDBTypeId.TIMESTAMP_MS]: [
    "timestamp_ntz",
    (v) => (v as DuckDBTimestampMillisecondsValue).millis * 1_000_000n,
  ],
  [DuckDBTypeId.TIMESTAMP_NS]: [
    "timestamp_ntz",
    (v) => (v as DuckDBTimestampNanosecondsValue).nanos,
  ],
  // DuckDB's TIMESTAMPTZ is an instant, shown in the session time zone: Snowflake's LTZ.
  [DuckDBTypeId.TIMESTAMP_TZ]: ["timestamp_ltz", micros],
};

/** DuckDB's JSON conversion, except that a MAP becomes an object (Snowflake's OBJECT). */
const snowflakeJson: DuckDBValueConverter<Json> = (value, type, converter) => {
  const json = JsonDuckDBValueConverter(value, type, converter);
  if (type.typeId !== DuckDBTypeId.MAP || !Array.isArray(json)) return json;
  const entries = json as { key: Json; value: Json }[];
  return Object.fromEntries(entries.map(({ key, value }) => [String(key), value]));
};

/** Exact decimal text of `units / 10^scale`, e.g. fixedPoint(-1500n, 3) === "-1.500". */
function fixedPoint(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const unit = 10n ** BigInt(scale);
  const fraction = (abs % unit).toString().padStart(scale, "0");
  return `${negative ? "-" : ""}${abs / unit}.${fraction}`;
}

function hexOf(value: DuckDBValue): string {
  return Array.from((value as DuckDBBlobValue).bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("").toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// SQL translation: Snowflake lexical rules -> DuckDB
// ---------------------------------------------------------------------------------------------

type Token =
  | { kind: "string"; value: string }
  | { kind: "quoted"; value: string }
  | { kind: "word"; value: string }
  | { kind: "raw"; value: string };

/** Rewrites Snowflake SQL text so DuckDB reads it the way Snowflake would (see file header). */
export function translateSql(sql: string): Translated {
  const tokens = rewriteTypeNames(rewriteInformationSchema(tokenize(sql)));
  return {
    sql: tokens.map(renderToken).join(""),
    bareWords: new Set(tokens.filter((t) => t.kind === "word").map((t) => t.value.toLowerCase())),
    quotedNames: new Set(tokens.filter((t) => t.kind === "quoted").map((t) => t.value)),
  };
}

function renderToken(token: Token): string {
  if (token.kind === "string") return `'${token.value.replaceAll("'", "''")}'`;
  if (token.kind === "quoted") return quoteIdent(token.value);
  return token.value;
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const [token, next] = readToken(sql, i);
    tokens.push(token);
    i = next;
  }
  return tokens;
}

function readToken(sql: string, i: number): [Token, number] {
  const ch = sql[i];
  const two = sql.slice(i, i + 2);
  if (ch === "'") return readSnowflakeString(sql, i);
  if (two === "$$") return readDollarString(sql, i);
  if (ch === '"') return readQuotedIdentifier(sql, i);
  if (two === "--" || two === "//") return readLineComment(sql, i);
  if (two === "/*") {
    const end = sql.indexOf("*/", i + 2);
    const next = end < 0 ? sql.length : end + 2;
    return [{ kind: "raw", value: sql.slice(i, next) }, next];
  }
  const bind = matchAt(BIND, sql, i);
  if (bind && sql[i - 1] !== ":") {
    return [{ kind: "raw", value: `$${bind.slice(1)}` }, i + bind.length];
  }
  const word = matchAt(WORD, sql, i);
  if (word) return [{ kind: "word", value: word }, i + word.length];
  const raw = matchAt(NUMBER_OR_SPACE, sql, i) ?? ch;
  return [{ kind: "raw", value: raw }, i + raw.length];
}

const BIND = /:\d+/y;
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;
const NUMBER_OR_SPACE = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\s+/y;

/** The match of a sticky regex at position i, if any. */
function matchAt(re: RegExp, text: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(text)?.[0];
}

function readLineComment(sql: string, i: number): [Token, number] {
  const end = sql.indexOf("\n", i);
  const next = end < 0 ? sql.length : end;
  return [{ kind: "raw", value: `--${sql.slice(i + 2, next)}` }, next];
}

function readQuotedIdentifier(sql: string, i: number): [Token, number] {
  let value = "";
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === '"' && sql[j + 1] === '"') {
      value += '"';
      j += 2;
    } else if (sql[j] === '"') {
      return [{ kind: "quoted", value }, j + 1];
    } else {
      value += sql[j++];
    }
  }
  return [{ kind: "raw", value: sql.slice(i) }, sql.length];
}

function readDollarString(sql: string, i: number): [Token, number] {
  const end = sql.indexOf("$$", i + 2);
  if (end < 0) return [{ kind: "raw", value: sql.slice(i) }, sql.length];
  return [{ kind: "string", value: sql.slice(i + 2, end) }, end + 2];
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  "0": "\0",
};

/** A '...' literal with Snowflake's escapes: '' and \' for a quote, \\, \n, \t, \xhh, \uhhhh... */
function readSnowflakeString(sql: string, i: number): [Token, number] {
  let value = "";
  let j = i + 1;
  while (j < sql.length) {
    const ch = sql[j];
    if (ch === "'" && sql[j + 1] === "'") {
      value += "'";
      j += 2;
    } else if (ch === "'") {
      return [{ kind: "string", value }, j + 1];
    } else if (ch === "\\") {
      const [decoded, length] = decodeEscape(sql, j + 1);
      value += decoded;
      j += 1 + length;
    } else {
      value += ch;
      j++;
    }
  }
  return [{ kind: "raw", value: sql.slice(i) }, sql.length]; // unterminated: let DuckDB complain
}

const NUMERIC_ESCAPE = /x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|([0-7]{3})/y;

function decodeEscape(sql: string, i: number): [string, number] {
  NUMERIC_ESCAPE.lastIndex = i;
  const numeric = NUMERIC_ESCAPE.exec(sql);
  if (numeric) {
    const [, hex, unicode, octal] = numeric;
    const code = hex ? parseInt(hex, 16) : unicode ? parseInt(unicode, 16) : parseInt(octal, 8);
    return [String.fromCharCode(code), numeric[0].length];
  }
  const ch = sql[i] ?? "";
  return [SIMPLE_ESCAPES[ch] ?? ch, 1];
}

const INFO_SCHEMA_VIEWS: Record<string, string> = {
  columns: "sf_information_schema_columns",
  tables: "sf_information_schema_tables",
};

/** `[db.]information_schema.columns|tables` -> a Snowflake-shaped table macro for that db. */
function rewriteInformationSchema(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const view = isName(tokens[i], "information_schema") && tokens[i + 1]?.value === "." &&
      INFO_SCHEMA_VIEWS[nameOf(tokens[i + 2])?.toLowerCase() ?? ""];
    if (!view) {
      out.push(tokens[i]);
      continue;
    }
    const hasDatabase = out.at(-1)?.value === "." && nameOf(out.at(-2)) !== undefined;
    const database = hasDatabase ? snowflakeName(out.at(-2)!) : undefined;
    if (hasDatabase) out.splice(-2, 2);
    const arg = database === undefined ? "current_database()" : renderToken({
      kind: "string",
      value: database,
    });
    out.push({ kind: "raw", value: `${view}(${arg})` });
    i += 2;
  }
  return out;
}

/** Snowflake type names DuckDB lacks or reads differently, keyed by upper-case name. */
const TYPE_REWRITES: Record<string, { bare: string; withArgs?: string }> = {
  NUMBER: { bare: "DECIMAL(38, 0)", withArgs: "DECIMAL" },
  NUMERIC: { bare: "DECIMAL(38, 0)", withArgs: "DECIMAL" },
  DECIMAL: { bare: "DECIMAL(38, 0)", withArgs: "DECIMAL" },
  FLOAT: { bare: "DOUBLE" },
  FLOAT4: { bare: "DOUBLE" },
  FLOAT8: { bare: "DOUBLE" },
  REAL: { bare: "DOUBLE" },
  TIMESTAMP_NTZ: { bare: "TIMESTAMP" },
  TIMESTAMP_LTZ: { bare: "TIMESTAMPTZ" },
  TIMESTAMP_TZ: { bare: "TIMESTAMPTZ" },
};

/** Rewrites type names written after `::` or AS (casts). */
function rewriteTypeNames(tokens: Token[]): Token[] {
  return tokens.map((token, i) => {
    const rewrite = token.kind === "word" ? TYPE_REWRITES[token.value.toUpperCase()] : undefined;
    if (!rewrite || !followsCastKeyword(tokens, i)) return token;
    const hasArgs = nextSignificant(tokens, i)?.value === "(";
    const value = hasArgs && rewrite.withArgs ? rewrite.withArgs : rewrite.bare;
    return { kind: "raw", value } as Token;
  });
}

function followsCastKeyword(tokens: Token[], i: number): boolean {
  let j = i - 1;
  while (j >= 0 && tokens[j].kind === "raw" && tokens[j].value.trim() === "") j--;
  const previous = tokens[j];
  if (previous?.kind === "word") return previous.value.toUpperCase() === "AS";
  return previous?.value === ":" && tokens[j - 1]?.value === ":";
}

function nextSignificant(tokens: Token[], i: number): Token | undefined {
  return tokens.slice(i + 1).find((t) => !(t.kind === "raw" && t.value.trim() === ""));
}

function isName(token: Token | undefined, lowerName: string): boolean {
  return nameOf(token)?.toLowerCase() === lowerName;
}

function nameOf(token: Token | undefined): string | undefined {
  return token?.kind === "word" || token?.kind === "quoted" ? token.value : undefined;
}

/** The stored name of an identifier: Snowflake upper-cases unquoted ones. */
function snowflakeName(token: Token): string {
  return token.kind === "quoted" ? token.value : token.value.toUpperCase();
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function qualified(...names: string[]): string {
  return names.map(quoteIdent).join(".");
}
