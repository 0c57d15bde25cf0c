/**
 * User SQL against the Snowflake-protocol test server (tests/support/snowflake_server.ts)
 * with the real snowflake-sdk, as an attacker would write it. Every case goes through
 * Kontra twice (a `custom_sql_check` rule and a `query:` datasource, each in a Kontract
 * file), must be refused as a Kontract error (exit 2) naming the reason and where it was
 * written, and must leave the sentinels as they were: the server received NO statement
 * containing the attack (its statement log), and the sentinel table's rows, the dataset's
 * rows and the server's list of tables are unchanged.
 *
 * The test server runs SQL in DuckDB, so most of these would fail there anyway: what is
 * tested is that Kontra never sends them. Legitimate Snowflake checks (CTEs, joins,
 * windows, QUALIFY, IFF, CASE, casts, LIKE/ILIKE, regular expressions, DATEADD/DATEDIFF,
 * subqueries, UNION) must still run and count correctly. Last, random SQL made of pieces
 * that make lexers disagree: whatever the guard accepts, Snowflake's lexing (the test
 * server's, written independently) finds no forbidden name in it, and node-sql-parser took
 * for code exactly the names Snowflake runs.
 */
import { join } from "node:path";
import snowflakeSqlParser from "node-sql-parser/build/snowflake.js";
import { validate } from "../../mod.ts";
import { snowflakeGuard } from "../../src/databases/snowflake/guard.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { tempDir } from "../support/fixtures.ts";
import { type TestSnowflake, withSnowflake } from "../support/snowflake_fixtures.ts";
import { translateSql } from "../support/snowflake_server.ts";
import * as harness from "../support/user_sql_attacks.ts";

const { notSelect, ONE_STATEMENT, refusedFor, refusedFunction: fn } = harness;

// --- the world the attacks run in ----------------------------------------------------------

const FIXTURE = [
  `CREATE TABLE "KONTRA"."PUBLIC"."ORDERS" AS SELECT * FROM (VALUES
    (1, 1, 10.00::DECIMAL(10, 2), DATE '2024-01-01', 'paid', 'ann@x.io'),
    (2, 1, 25.50, DATE '2024-01-15', 'paid', 'ann@x.io'),
    (3, 2, -5.00, DATE '2024-02-01', 'refund', 'bob@x.io'),
    (4, 3, 100.00, DATE '2024-02-10', 'paid', NULL),
    (5, 9, 7.00, DATE '2024-03-01', 'pending', 'eve@bad'),
    (6, 2, 0.00, DATE '2024-03-05', 'PAID', 'bob@x.io'),
    (7, 4, 42.00, DATE '2023-12-31', 'paid', 'dee@x.io'),
    (8, 5, 13.37, DATE '2024-03-20', 'cancelled', 'fay@x.io')
  ) t(id, customer_id, amount, placed, status, email)`,
  `CREATE TABLE "KONTRA"."PUBLIC"."CUSTOMERS" AS SELECT * FROM (VALUES
    (1, 'Ann', 'US'), (2, 'Bob', 'DE'), (3, 'Cid', 'US'), (4, 'Dee', 'FR'), (5, 'Eve', NULL),
    (6, 'Fay', 'US')) t(id, name, country)`,
  `CREATE TABLE "KONTRA"."PUBLIC"."SENTINEL" AS SELECT * FROM (VALUES
    (1, 'one'), (2, 'two'), (3, 'three')) t(id, note)`,
];

/** The dataset as `{table}` is bound for a `custom_sql_check`. */
const DATASET = `"KONTRA"."PUBLIC"."ORDERS"`;

interface World {
  sf: TestSnowflake;
  dir: string;
}

/** Runs `fn` with a fresh server holding the fixture, and a directory for Kontracts. */
async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  await using dir = await tempDir();
  await withSnowflake(async (sf) => {
    for (const statement of FIXTURE) await sf.server.db.run(statement);
    await fn({ sf, dir: dir.path });
  });
}

/** This file's tests: each on a fresh server. */
const SNOWFLAKE: harness.EngineTests<World> = { engine: "Snowflake", inWorld: withWorld };

/** Everything an attack could change, read from outside Kontra. */
async function sentinels(w: World): Promise<Record<string, unknown>> {
  const reader = await w.sf.server.db.runAndReadAll(`
    SELECT (SELECT string_agg(id || ':' || note, ',' ORDER BY id)
              FROM "KONTRA"."PUBLIC"."SENTINEL") AS sentinel_rows,
           (SELECT count(*)::INT FROM "KONTRA"."PUBLIC"."ORDERS") AS dataset_rows,
           (SELECT string_agg(database_name || '.' || schema_name || '.' || table_name, ','
              ORDER BY database_name, schema_name, table_name) FROM duckdb_tables()) AS tables,
           (SELECT count(*)::INT FROM duckdb_views() WHERE NOT internal) AS views`);
  const [row] = reader.getRowObjectsJson();
  return row;
}

/** The SQL text of every statement the server received from index `from` on. */
function statementsSince(w: World, from: number): string[] {
  return w.sf.server.requests.slice(from).flatMap((entry) => entry.sqlText ?? []);
}

/** Where Kontracts go and what they read: the orders table. */
function place(w: World): harness.KontractPlace {
  return {
    dir: w.dir,
    datasource: w.sf.tableUri("ORDERS"),
    connection: w.sf.schemaUri,
    table: DATASET,
  };
}

/**
 * Runs `sql` both ways and asserts each is refused for `reason`, that no statement the
 * server received contains it, and that every sentinel is intact. `atLoad`: the Kontract's
 * schema may refuse it already (empty or over-long SQL).
 */
async function assertRefused(w: World, [sql, reason, atLoad = false]: harness.Attack) {
  let logged = 0;
  await harness.assertRefusedBothWays(place(w), sql, reason, atLoad, {
    sentinels: () => sentinels(w),
    validate: (path) => {
      logged = w.sf.server.requests.length;
      return validate(path, { env: w.sf.env, onWarning: () => {} });
    },
    check: (what) => {
      const bound = sql.replaceAll("{table}", DATASET).replace(/[\s;]+$/, "");
      const sent = statementsSince(w, logged).filter((text) => text.includes(bound));
      assertEquals(sent, [], `${what}: the server received the attack`);
    },
  });
}

/** One test per class of attack, one step per case. */
const attackClass = harness.attackClasses(SNOWFLAKE, assertRefused);

const catalog = (name: string) => refusedFor(`may not read system catalogs (${name})`);
const CATALOG = refusedFor("may not read system catalogs (");
const STAGE = refusedFor("may not read stages (");
const DOLLAR = refusedFor("$ is not allowed outside quotes");
const BACKSLASH = /: backslashes are not allowed/;
const DIFFERENT_STRINGS = /: Snowflake and the SQL parser read the string literals differently/;

attackClass("lexical differentials between node-sql-parser and Snowflake", [
  [
    String
      .raw`SELECT * FROM {table} WHERE status = 'x\' OR GET_DDL('table', 'SENTINEL') IS NOT NULL --'`,
    BACKSLASH,
  ],
  [
    String
      .raw`SELECT 'a\' , (SELECT COUNT(*) FROM snowflake.account_usage.users) AS n, '' AS b FROM {table}`,
    BACKSLASH,
  ],
  [String.raw`SELECT '\x27' AS q, RESULT_SCAN(LAST_QUERY_ID()) AS r`, BACKSLASH],
  [String.raw`SELECT 'it\'s' AS q FROM {table}`, BACKSLASH],
  ["SELECT $$ ' $$ AS a, GET_DDL('table', 'SENTINEL') AS d, ' $$ ' AS b", DOLLAR],
  ["SELECT * FROM {table} WHERE status = $$paid$$", DOLLAR],
  [
    "SELECT 1 AS a // ', (SELECT * FROM snowflake.account_usage.users) '\nFROM {table}",
    /: \/\/ comments are not allowed/,
  ],
  [
    "SELECT /* /* */ 'x' AS a, RESULT_SCAN(LAST_QUERY_ID()) AS r /* */ */ FROM {table}",
    /: nested \/\* comments are not allowed/,
  ],
  [
    "SELECT 1 AS a /* x /*/ , RESULT_SCAN(LAST_QUERY_ID()) AS r FROM {table} --*/ */",
    /: nested \/\* comments are not allowed/,
  ],
  ["SELECT * FROM {table} /* never closed", /: a \/\* comment is not closed/],
  [
    "SELECT id--x, '\n, (SELECT COUNT(*) FROM snowflake.account_usage.users) AS n, '\nFROM {table}",
    /: a -- comment must not touch the name before it/,
  ],
  [
    "SELECT * FROM KONTRA.PUBLIC.ORDERS--x WHERE status = '\n" +
    "UNION ALL SELECT * FROM KONTRA.PUBLIC.SENTINEL --'",
    /: a -- comment must not touch the name before it/,
  ],
  ["SELECT 'a'\n'b' AS x FROM {table}", DIFFERENT_STRINGS],
  [`SELECT "status" AS 'alias' FROM {table}`, DIFFERENT_STRINGS],
  [`SELECT DATE "2024-01-01" AS d FROM {table}`, DIFFERENT_STRINGS],
  ["SELECT * FROM {table} WHERE status = E'paid'", /: a prefix before a string literal/],
  [`SELECT "a""b" AS x FROM {table}`, /: "" inside a quoted name is not allowed/],
  [
    "SELECT 1 AS a -- x\r, GET_DDL('table', 'SENTINEL') AS d\nFROM {table}",
    /: a carriage return must be followed by a line feed/,
  ],
  [
    "SELECT 1 AS a -- x\u2028, GET_DDL('table', 'SENTINEL') AS d\nFROM {table}",
    /: the control or line-separator character U\+2028 is not allowed/,
  ],
  ["SELECT * FROM {table} WHERE status = 'paid\0' OR 1 = 1", /: NUL characters are not allowed/],
  ["SELECT\u00a0* FROM {table}", /: non-ASCII characters are only allowed inside quotes/],
  ["SELECT * FROM {table} WHERE id = `1`", /: the character "`" is not allowed outside quotes/],
  ["SELECT * FROM {table} WHERE status = 'paid", /: a string literal is not closed/],
  ["SELECT * FROM {table}) AS x, (SELECT 1 AS y", /: a \) has no matching \(/],
]);

attackClass("system data: SNOWFLAKE database, ACCOUNT_USAGE, INFORMATION_SCHEMA", [
  ["SELECT * FROM snowflake.account_usage.users", catalog("snowflake.account_usage.users")],
  [
    "SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY",
    catalog("SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY"),
  ],
  [
    `SELECT * FROM "SNOWFLAKE"."ACCOUNT_USAGE"."QUERY_HISTORY"`,
    catalog(`"SNOWFLAKE"."ACCOUNT_USAGE"."QUERY_HISTORY"`),
  ],
  ["SELECT * FROM SnowFlake.Account_Usage.Grants_To_Users", CATALOG],
  [`SELECT * FROM "snowflake"."account_usage"."users"`, CATALOG],
  ["SELECT * FROM account_usage.users", catalog("account_usage.users")],
  ["SELECT * FROM snowflake.organization_usage.accounts", CATALOG],
  ["SELECT * FROM SNOWFLAKE.READER_ACCOUNT_USAGE.LOGIN_HISTORY", CATALOG],
  ["SELECT * FROM information_schema.tables", catalog("information_schema.tables")],
  ["SELECT * FROM INFORMATION_SCHEMA.COLUMNS", catalog("INFORMATION_SCHEMA.COLUMNS")],
  ["SELECT * FROM KONTRA.INFORMATION_SCHEMA.TABLES", catalog("KONTRA.INFORMATION_SCHEMA.TABLES")],
  [`SELECT * FROM "KONTRA"."INFORMATION_SCHEMA"."COLUMNS"`, CATALOG],
  [`SELECT * FROM kontra.information_schema."TABLES"`, CATALOG],
  ["SELECT * FROM {table} WHERE id IN (SELECT 1 FROM snowflake.account_usage.users)", CATALOG],
  ["WITH u AS (SELECT * FROM snowflake.account_usage.users) SELECT * FROM u", CATALOG],
  ["SELECT * FROM {table} o JOIN information_schema.columns c ON 1 = 1", CATALOG],
  ["SELECT * FROM {table} UNION ALL SELECT * FROM snowflake.account_usage.users", CATALOG],
  [
    "SELECT * FROM {table} WHERE EXISTS (SELECT 1 FROM /* x */ information_schema.tables)",
    CATALOG,
  ],
  ["SELECT * FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY())", CATALOG],
  ["SELECT SNOWFLAKE.CORTEX.COMPLETE('model', 'prompt') AS x", CATALOG],
]);

attackClass("stages and file access", [
  ["SELECT * FROM @my_stage", /: may not read stages \(@my_stage\)/],
  ["SELECT t.$1 FROM @my_stage/data.csv t", DOLLAR],
  ["SELECT * FROM @~/data.csv", /: may not read stages \(@~\/data\.csv\)/],
  ["SELECT * FROM @%ORDERS", STAGE],
  [
    "SELECT * FROM '@my_stage/data.csv'",
    /: may not read stages or files \('@my_stage\/data\.csv'\)/,
  ],
  [
    "SELECT * FROM {table} o JOIN 's3://bucket/data.csv' f ON 1 = 1",
    /may not read stages or files/,
  ],
  ["SELECT GET_PRESIGNED_URL(@my_stage, 'data.csv') AS u", STAGE],
  ["SELECT GET_PRESIGNED_URL('@my_stage', 'data.csv', 3600) AS u", fn("get_presigned_url")],
  ["SELECT BUILD_SCOPED_FILE_URL('@my_stage', 'data.csv') AS u", fn("build_scoped_file_url")],
  ["SELECT BUILD_STAGE_FILE_URL('@my_stage', 'data.csv') AS u", fn("build_stage_file_url")],
  ["SELECT GET_STAGE_LOCATION('@my_stage') AS u", fn("get_stage_location")],
  ["SELECT GET_ABSOLUTE_PATH('@my_stage', 'data.csv') AS u", fn("get_absolute_path")],
  ["SELECT * FROM TABLE(INFER_SCHEMA('@my_stage', 'fmt'))", fn("infer_schema")],
  ["SELECT * FROM DIRECTORY(@my_stage)", STAGE],
  ["SELECT METADATA$FILENAME FROM {table}", /: names with \$ are not allowed outside quotes/],
  ["COPY INTO @my_stage FROM {table}", notSelect("COPY")],
  ["LIST @my_stage", notSelect("LIST")],
]);

attackClass("functions that run SQL or read metadata and other queries' results", [
  ["SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))", fn("result_scan")],
  ["SELECT * FROM TABLE(result_scan('01b2c3d4-0000-0000-0000-000000000000'))", fn("result_scan")],
  ["SELECT RESULT_SCAN(LAST_QUERY_ID()) AS r", fn("result_scan")],
  ["SELECT LAST_QUERY_ID() AS q", fn("last_query_id")],
  ["SELECT GET_DDL('table', 'KONTRA.PUBLIC.SENTINEL') AS d", fn("get_ddl")],
  ["SELECT * FROM {table} ORDER BY get_ddl('database', 'KONTRA')", fn("get_ddl")],
  ["SELECT SYSTEM$WAIT(5) AS w", /: names with \$ are not allowed outside quotes \(SYSTEM\$WAIT\)/],
  ["SELECT SYSTEM$GET_PRIVATELINK_CONFIG() AS c", /: names with \$ are not allowed/],
  [`SELECT "SYSTEM$WAIT"(5) AS w`, fn(`"SYSTEM$WAIT"`)],
  [
    "SELECT GENERATE_COLUMN_DESCRIPTION(ARRAY_CONSTRUCT(), 'table') AS d",
    fn("generate_column_description"),
  ],
  ["SELECT * FROM TABLE(FLATTEN(PARSE_JSON('[1]')))", fn("flatten")],
  ["SELECT * FROM TABLE(GENERATOR(ROWCOUNT => 1000000000))", /: named arguments \(=>\)/],
  ["SELECT CURRENT_ROLE() AS r, CURRENT_USER() AS u", fn("current_role")],
  ["SELECT * FROM {table} WHERE status <> CURRENT_ACCOUNT", fn("current_account")],
  ["SELECT KONTRA.PUBLIC.MY_UDF(amount) AS x FROM {table}", fn("KONTRA.PUBLIC.MY_UDF")],
  ["SELECT my_external_function(amount) AS x FROM {table}", fn("my_external_function")],
  ['SELECT "my\nudf"(amount) AS x FROM {table}', fn('"my udf"')],
  ["SELECT PARSE_JSON('{}') AS j", fn("parse_json")],
  ["SELECT x::INT + 1 + GET_DDL('table', 'X') AS d FROM {table}", fn("get_ddl")],
  ["SELECT seq1.NEXTVAL AS n", /: may not advance sequences \(seq1\.NEXTVAL\)/],
  ["SELECT id FROM {table} BEFORE(STATEMENT '01b2c3d4')", /: BEFORE\(…\) is not allowed/],
  ["SELECT id FROM {table} CHANGES(INFORMATION DEFAULT)", /: CHANGES\(…\) is not allowed/],
]);

attackClass("session variables, binds, IDENTIFIER() and TABLE()", [
  ["SELECT $secret AS s", DOLLAR],
  ["SELECT * FROM IDENTIFIER($t)", DOLLAR],
  ["SELECT * FROM IDENTIFIER('KONTRA.PUBLIC.SENTINEL')", /: IDENTIFIER\(…\) is not allowed/],
  ["SELECT * FROM identifier('snowflake.account_usage.users')", /: IDENTIFIER\(…\) is not/],
  ["SELECT * FROM TABLE('KONTRA.PUBLIC.SENTINEL')", /: TABLE\(…\) is not allowed/],
  ["SELECT * FROM TABLE(KONTRA.PUBLIC.SENTINEL)", /: TABLE\(…\) is not allowed/],
  ["SELECT * FROM {table} WHERE id = ?", /: bind variables \(\?\) are not allowed/],
  ["SELECT * FROM {table} WHERE id = :1", /: bind variables and : paths are not allowed \(:1\)/],
  ["SELECT GETVARIABLE('X') AS v", fn("getvariable")],
  ["SELECT $1, $2 FROM {table}", DOLLAR],
]);

attackClass("more than one statement", [
  ["SELECT 1 AS a; DELETE FROM KONTRA.PUBLIC.SENTINEL", ONE_STATEMENT],
  ["SELECT 1 AS a;DROP TABLE KONTRA.PUBLIC.SENTINEL", ONE_STATEMENT],
  ["SELECT ';' AS a; SELECT 2 AS b", ONE_STATEMENT],
  ["SELECT 1 AS a /* ; */ ; SELECT 2 AS b", ONE_STATEMENT],
  ["SELECT 1 AS a -- x\n; DELETE FROM KONTRA.PUBLIC.SENTINEL", ONE_STATEMENT],
  [";SELECT 1 AS a", ONE_STATEMENT],
  ["-- nothing but a comment", ONE_STATEMENT],
  ["", /must be exactly one statement|Too small/, true],
]);

attackClass("statements other than SELECT", [
  ["INSERT INTO KONTRA.PUBLIC.SENTINEL VALUES (4, 'four')", notSelect("INSERT")],
  ["UPDATE KONTRA.PUBLIC.SENTINEL SET note = 'x'", notSelect("UPDATE")],
  ["DELETE FROM KONTRA.PUBLIC.SENTINEL", notSelect("DELETE")],
  ["/* hidden */ DELETE FROM KONTRA.PUBLIC.SENTINEL", notSelect("DELETE")],
  ["(DELETE FROM KONTRA.PUBLIC.SENTINEL)", notSelect("DELETE")],
  [
    "MERGE INTO KONTRA.PUBLIC.SENTINEL s USING {table} o ON s.id = o.id WHEN MATCHED THEN DELETE",
    notSelect("MERGE"),
  ],
  ["CREATE TABLE KONTRA.PUBLIC.STOLEN AS SELECT * FROM {table}", notSelect("CREATE")],
  ["CREATE OR REPLACE VIEW KONTRA.PUBLIC.ORDERS AS SELECT 1 AS id", notSelect("CREATE")],
  ["DROP TABLE KONTRA.PUBLIC.SENTINEL", notSelect("DROP")],
  ["TRUNCATE TABLE KONTRA.PUBLIC.SENTINEL", notSelect("TRUNCATE")],
  ["ALTER SESSION SET QUERY_TAG = 'x'", notSelect("ALTER")],
  ["CALL SYSTEM$CANCEL_ALL_QUERIES(1)", notSelect("CALL")],
  ["EXECUTE IMMEDIATE 'DELETE FROM KONTRA.PUBLIC.SENTINEL'", notSelect("EXECUTE")],
  ["PUT file:///etc/passwd @~", notSelect("PUT")],
  ["GET @~/data.csv file:///tmp/", notSelect("GET")],
  ["USE ROLE ACCOUNTADMIN", notSelect("USE")],
  ["SET x = (SELECT COUNT(*) FROM KONTRA.PUBLIC.SENTINEL)", notSelect("SET")],
  ["SHOW TABLES", notSelect("SHOW")],
  ["DESCRIBE TABLE KONTRA.PUBLIC.SENTINEL", notSelect("DESCRIBE")],
  ["GRANT ROLE ACCOUNTADMIN TO USER KONTRA_TEST", notSelect("GRANT")],
  ["EXPLAIN SELECT * FROM {table}", notSelect("EXPLAIN")],
  ["BEGIN; DELETE FROM KONTRA.PUBLIC.SENTINEL; COMMIT", notSelect("BEGIN")],
]);

attackClass("SELECT INTO, data-modifying WITH, locking", [
  [
    "SELECT * INTO KONTRA.PUBLIC.STOLEN FROM {table}",
    /: must not write \(SELECT … INTO creates a table\)/,
  ],
  ["SELECT id INTO :v FROM {table}", /: bind variables|: must not write/],
  ["WITH d AS (DELETE FROM KONTRA.PUBLIC.SENTINEL) SELECT * FROM {table}", notSelect("DELETE")],
  [
    "WITH i AS (INSERT INTO KONTRA.PUBLIC.SENTINEL VALUES (4, 'four')) SELECT * FROM i",
    notSelect("INSERT"),
  ],
  ["WITH u AS (UPDATE KONTRA.PUBLIC.SENTINEL SET note = 'x') SELECT 1 AS a", notSelect("UPDATE")],
  [
    "SELECT * FROM (WITH d AS (DELETE FROM KONTRA.PUBLIC.SENTINEL) SELECT 1 AS a) x",
    notSelect("DELETE"),
  ],
  ["SELECT * FROM {table} FOR UPDATE", /: must not lock rows \(FOR UPDATE\)/],
]);

attackClass("casts and constructs off the allow-list", [
  ["SELECT status::VARIANT AS v FROM {table}", /: the SQL parser cannot read it at line 1/],
  ["SELECT CAST(id AS UUID) AS u FROM {table}", /: casts to UUID are not allowed/],
  ["SELECT * FROM {table} PIVOT (SUM(amount) FOR status IN ('paid'))", /: PIVOT\(…\) is not/],
  ["SELECT * FROM {table} SAMPLE (10)", /: SAMPLE\(…\) is not allowed/],
  ["SELECT * FROM {table}, LATERAL (SELECT 1 AS x)", /: LATERAL\(…\) is not allowed/],
  ["SELECT email:domain AS d FROM {table}", /: bind variables and : paths are not allowed/],
  ["SELECT * FROM {table} WHERE id = ANY_VALUE[0]", /: the character "\[" is not allowed/],
]);

attackClass("very long or deep SQL", [
  [
    `SELECT * FROM {table} WHERE ${Array.from({ length: 20_000 }, () => "id = 0").join(" OR ")}`,
    /SQL longer than 100,000 characters is not allowed|Too big: .*<=100000 characters/,
    true,
  ],
  [
    `SELECT 1 AS a /* ${"x".repeat(100_001)} */`,
    /SQL longer than 100,000 characters|Too big: .*<=100000 characters/,
    true,
  ],
  [`SELECT * FROM {table} WHERE ${"NOT ".repeat(20_000)}TRUE`, /: the SQL is nested too deeply/],
  [
    `SELECT ${"CASE WHEN id > 0 THEN ".repeat(3_000)}1${" END".repeat(3_000)} AS x FROM {table}`,
    /: the SQL is nested too deeply to check/,
  ],
  [
    `SELECT ${"(".repeat(101)}1${")".repeat(101)} AS x`,
    /: the SQL is nested more than 100 parentheses deep/,
  ],
  [
    `SELECT * FROM {table} WHERE ${"NOT ".repeat(20_000)}TRUE OR GET_DDL('table', 'X') IS NULL`,
    fn("get_ddl"),
  ],
]);

// --- what must still work ------------------------------------------------------------------

/** Legitimate Snowflake checks and the rows each returns on the fixture. */
const LEGITIMATE: readonly harness.Legitimate[] = [
  [
    "SELECT o.* FROM {table} o LEFT JOIN KONTRA.PUBLIC.CUSTOMERS c ON c.id = o.customer_id " +
    "WHERE c.id IS NULL",
    1,
  ],
  [
    "WITH ranked AS (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY placed " +
    "DESC) AS rn FROM {table} o) SELECT * FROM ranked WHERE rn > 1",
    2,
  ],
  [
    "SELECT * FROM {table} QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY id) > 1",
    2,
  ],
  ["SELECT * FROM {table} WHERE IFF(amount < 0, 'neg', 'pos') = 'neg'", 1],
  [
    "SELECT * FROM {table} WHERE CASE WHEN amount < 0 THEN 'neg' WHEN amount = 0 THEN 'zero' " +
    "ELSE 'pos' END <> 'pos'",
    2,
  ],
  [
    "SELECT * FROM {table} WHERE amount::NUMBER(10, 0) <> amount OR CAST(id AS VARCHAR) = '3'",
    3,
  ],
  ["SELECT * FROM {table} WHERE TRY_CAST(status AS NUMBER) IS NULL AND id <= 2", 2],
  ["SELECT * FROM {table} WHERE status ILIKE 'paid' AND status NOT LIKE 'paid'", 1],
  [
    "SELECT * FROM {table} WHERE NOT REGEXP_LIKE(email, '[a-z]+@[a-z]+[.][a-z]+') " +
    "OR REGEXP_INSTR(email, '@x[.]io') = 0",
    1,
  ],
  ["SELECT * FROM {table} WHERE RLIKE(status, 'p.*')", 5],
  [
    "SELECT * FROM {table} WHERE placed > DATEADD('day', 30, DATE '2024-01-31') " +
    "OR DATEDIFF('day', placed, DATE '2024-01-01') > 0",
    3,
  ],
  ["SELECT * FROM {table} WHERE amount > (SELECT AVG(amount) FROM {table})", 3],
  [
    "SELECT id FROM {table} WHERE amount < 0 UNION SELECT id FROM {table} WHERE status = 'pending'",
    2,
  ],
  [
    "SELECT * FROM KONTRA.PUBLIC.CUSTOMERS c " +
    "WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE o.customer_id = c.id)",
    1,
  ],
  [
    "SELECT customer_id FROM {table} GROUP BY customer_id HAVING COUNT_IF(status = 'paid') > 1",
    1,
  ],
  ["SELECT * FROM {table} WHERE LOWER(SPLIT_PART(email, '@', 2)) <> 'x.io'", 1],
  [
    "SELECT * FROM {table} WHERE COALESCE(status, '') NOT IN ('paid', 'refund') " +
    "AND amount BETWEEN 0 AND 50",
    3,
  ],
  [
    "SELECT * FROM (SELECT id, amount, AVG(amount) OVER () AS mean FROM {table}) s " +
    "WHERE amount > 2 * mean",
    1,
  ],
  ["SELECT * FROM {table} WHERE LEN(NVL(email, '')) = 0", 1],
  [
    "SELECT * FROM {table} WHERE placed < DATE '2024-01-01' OR placed >= '2024-03-05'::DATE",
    3,
  ],
  ["SELECT * FROM {table} WHERE EXTRACT(YEAR FROM placed) < 2024", 1],
  [
    "SELECT customer_id FROM {table} GROUP BY customer_id HAVING LISTAGG(status, ',') LIKE '%,%'",
    2,
  ],
  ["SELECT * FROM {table} WHERE ROUND(DIV0(amount, 0), 0) = 0 AND id < 3", 2],
  [
    "/* a comment */ SELECT * FROM {table} -- it's a comment\n" +
    "WHERE status = 'it''s' OR status = 'refund'",
    1,
  ],
  [`SELECT * FROM {table} WHERE "status" = 'refund'`, 1],
  [`SELECT * FROM {table} WHERE id = 1 ${"OR id = 1 ".repeat(9_000)}`, 1],
];

harness.testEachCase(
  SNOWFLAKE,
  `Snowflake: ${LEGITIMATE.length} legitimate checks run and count correctly`,
  LEGITIMATE,
  async (w, legitimate) => {
    const [sql] = legitimate;
    const logged = w.sf.server.requests.length;
    await harness.assertCountsBothWays(place(w), legitimate, { env: w.sf.env }, () => {
      // The statement log sees what Kontra sends: the check, bound to the dataset.
      const bound = sql.replaceAll("{table}", DATASET).trimEnd();
      assert.ok(statementsSince(w, logged).some((text) => text.includes(bound)), sql);
    });
  },
);

Deno.test("Snowflake attacks: the sentinels notice what an attack would do", async () => {
  await withWorld(async (w) => {
    const run = (statement: string) => () => w.sf.server.db.run(statement);
    await harness.assertSentinelsNotice(() => sentinels(w), [
      [
        "sentinel_rows",
        run(`DELETE FROM "KONTRA"."PUBLIC"."SENTINEL" WHERE id = 3`),
        run(`INSERT INTO "KONTRA"."PUBLIC"."SENTINEL" VALUES (3, 'three')`),
      ],
      [
        "tables",
        run(`CREATE TABLE "KONTRA"."PUBLIC"."STOLEN" AS SELECT 1 AS x`),
        run(`DROP TABLE "KONTRA"."PUBLIC"."STOLEN"`),
      ],
      [
        "views",
        run(`CREATE VIEW "KONTRA"."PUBLIC"."V" AS SELECT 1 AS x`),
        run(`DROP VIEW "KONTRA"."PUBLIC"."V"`),
      ],
    ]);
  });
});

Deno.test("Snowflake attacks: after SQL too deep to parse, the parser still works", async () => {
  await withWorld(async (w) => {
    await assertRefused(w, [`SELECT ${"NOT ".repeat(20_000)}TRUE AS x`, /nested too deeply/]);
    const honest = "SELECT * FROM {table} WHERE id > 6";
    const path = await harness.writeKontract(place(w), "custom_sql_check", honest);
    assertEquals(await harness.failedCounts(path, { env: w.sf.env }), [2]);
  });
});

Deno.test("Snowflake attacks: the CLI exits 2 with the reason and position", async () => {
  await withWorld(async (w) => {
    // The CLI reads credentials from the environment or a .env file next to the Kontract.
    const dotenv = Object.entries(w.sf.env).map(([name, value]) => `${name}=${value}\n`);
    await Deno.writeTextFile(join(w.dir, ".env"), dotenv.join(""));
    const attacks: readonly harness.Attack[] = [
      ["SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))", fn("result_scan")],
      [String.raw`SELECT 'x\' , GET_DDL('table', 'SENTINEL') --'`, BACKSLASH],
      ["SELECT * FROM snowflake.account_usage.users", CATALOG],
    ];
    for (const [sql, reason] of attacks) {
      for (const via of harness.VIAS) {
        await harness.keepingSentinels(() => sentinels(w), async () => {
          const logged = w.sf.server.requests.length;
          const path = await harness.writeKontract(place(w), via, sql);
          const run = await runCli(["validate", path]);
          // Nothing but the refusal, and nothing of it sent to the server.
          assertEquals(harness.assertCliRefusal(run, via, reason), [], run.stderr);
          const bound = sql.replaceAll("{table}", DATASET);
          assertEquals(statementsSince(w, logged).filter((text) => text.includes(bound)), []);
        });
      }
    }
  });
});

// --- random SQL: what the guard accepts, Snowflake and the parser read the same way -------

/**
 * Pieces that make lexers disagree (quotes, comment marks, dashes), forbidden names, and
 * two marker names (`zed`, `qq`) whose place in the text tells who read them as code.
 */
const PIECES = [
  " * ",
  " FROM ",
  "t",
  " WHERE ",
  "a",
  " = ",
  "'",
  "''",
  '"',
  '"x"',
  "--",
  "/*",
  "*/",
  "/",
  "*",
  "/*/",
  "*/*",
  "--*/",
  "'/*'",
  "'--'",
  "\n",
  "\r\n",
  " ",
  "(",
  ")",
  ",",
  " OR ",
  "-",
  "1",
  " AS ",
  "b",
  " LOWER(a) ",
  "x",
  " UNION SELECT ",
  "DATE ",
  "'2024'",
  " CASE WHEN ",
  " THEN ",
  " END ",
  "::INT",
  "e",
  ".",
  " IN ",
  " NOT ",
  " zed ",
  " qq ",
  " RESULT_SCAN(1) ",
  " GET_DDL('table', 'x') ",
  " snowflake.account_usage.users ",
  ' "SNOWFLAKE"."X" ',
];
const FORBIDDEN_WORDS = ["result_scan", "get_ddl", "snowflake", "account_usage"];
const MARKERS = ["zed", "qq"];

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The names Snowflake reads as code in `sql` (the test server's lexer), lower case. */
function snowflakeNames(sql: string): Set<string> {
  const { bareWords, quotedNames } = translateSql(sql);
  return new Set([...bareWords, ...[...quotedNames].map((name) => name.toLowerCase())]);
}

Deno.test("Snowflake guard: random SQL it accepts, Snowflake and the parser read alike", async () => {
  const parser = new snowflakeSqlParser.Parser();
  const options = { database: "Snowflake" };
  const next = random(10);
  let compared = 0;
  for (let n = 0; n < 30_000; n++) {
    const pieces = Array.from(
      { length: 3 + Math.floor(next() * 12) },
      () => PIECES[Math.floor(next() * PIECES.length)],
    );
    const sql = `SELECT ${pieces.join("")}`;
    if (await snowflakeGuard.check(sql, { relations: "non_system" }) !== undefined) continue;
    // The test server's lexer follows Snowflake's rules, independently of the guard's.
    const snowflake = snowflakeNames(sql);
    assertEquals(FORBIDDEN_WORDS.filter((word) => snowflake.has(word)), [], JSON.stringify(sql));
    // What node-sql-parser understood, written back out: the markers Snowflake runs as
    // code are exactly those the parser took for code (not for a comment or a string).
    let regenerated: string;
    try {
      regenerated = parser.sqlify(parser.astify(sql, options), options);
    } catch {
      continue; // node-sql-parser cannot write every tree back out
    }
    const parsed = snowflakeNames(regenerated);
    for (const marker of MARKERS) {
      assertEquals(parsed.has(marker), snowflake.has(marker), `${JSON.stringify(sql)}: ${marker}`);
    }
    compared++;
  }
  assert.ok(compared > 500, `only ${compared} compared: the pieces test too little`);
});
