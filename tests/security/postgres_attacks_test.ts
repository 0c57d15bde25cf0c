/**
 * User SQL against the real PostgreSQL server, as an attacker would write it: every case
 * goes through Kontra twice (a `custom_sql_check` rule and a `query:` datasource, each in
 * a Kontract file), must be refused as a Kontract error (exit 2) naming the reason and
 * where it was written, and must leave every sentinel as it was: the sentinel table's
 * rows, the dataset's rows, the server's large objects, a file `lo_export` or `COPY`
 * would overwrite or create, a `LISTEN`er that must hear nothing, advisory locks, a
 * sequence, the server's configuration load time and the schema's tables.
 *
 * Kontra connects as a superuser here, the worst case: the guard is what stops these.
 * Legitimate queries (joins, CTEs, windows, FILTER, CASE, casts, LIKE, regular
 * expressions, dates, subqueries, UNION) must still run and count correctly, and the
 * connection must read strings as the guard's parser does whatever the role's defaults.
 */
import { join } from "node:path";
import postgres from "postgres";
import { DataSourceError, KontractError, validate } from "../../mod.ts";
import { superuserWarning } from "../../src/databases/postgres/client.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { pgTest, requirePostgres, type TestPostgres } from "../support/postgres.ts";
import * as harness from "../support/user_sql_attacks.ts";

const { notSelect, ONE_STATEMENT, refusedFor, refusedFunction: fn } = harness;

// --- the world the attacks run in ----------------------------------------------------------

/** A schema with the dataset, a sentinel table and sequence, a LISTENer and a sentinel file. */
interface World {
  pg: TestPostgres;
  schema: string;
  /** A notification channel a listener watches. */
  channel: string;
  /** A world-writable file the server could overwrite (`lo_export`), and a path it could create. */
  file: string;
  newFile: string;
  dir: string;
  /** Notifications heard on `channel`. */
  heard: string[];
  unlisten: () => Promise<void>;
}

const SENTINEL_TEXT = "untouched\n";

const ORDERS = `
  CREATE TABLE {schema}.customers (id int PRIMARY KEY, name text, email text, country text);
  INSERT INTO {schema}.customers VALUES
    (1, 'Ann', 'ann@x.io', 'US'), (2, 'Bob', 'bob@x.io', 'DE'), (3, 'Cid', NULL, 'US'),
    (4, 'Dee', 'dee@bad', 'FR'), (5, 'Eve', 'eve@x.io', NULL), (6, 'Fay', 'fay@x.io', 'US');
  CREATE TABLE {schema}.orders (
    id int, customer_id int, amount numeric(10, 2), placed date, status text, meta jsonb);
  INSERT INTO {schema}.orders VALUES
    (1, 1, 10.00, '2024-01-01', 'paid', '{"channel": "web"}'),
    (2, 1, 25.50, '2024-01-15', 'paid', '{"channel": "app"}'),
    (3, 2, -5.00, '2024-02-01', 'refund', '{"channel": "web"}'),
    (4, 3, 100.00, '2024-02-10', 'paid', NULL),
    (5, 9, 7.00, '2024-03-01', 'pending', '{"channel": "web"}'),
    (6, 2, 0.00, '2024-03-05', 'PAID', '{}'),
    (7, 4, 42.00, '2023-12-31', 'paid', '{"channel": "store"}'),
    (8, 5, 13.37, '2024-03-20', 'cancelled', '{"channel": "app", "coupon": "X"}');
  CREATE TABLE {schema}.sentinel (id int, note text);
  INSERT INTO {schema}.sentinel VALUES (1, 'one'), (2, 'two'), (3, 'three');
  CREATE SEQUENCE {schema}.seq;
  SELECT nextval('{schema}.seq');
`;

let world: Promise<World> | undefined;

/** The world, made once for this file (the last test takes it down). */
function setUp(): Promise<World> {
  world ??= (async () => {
    const pg = requirePostgres();
    const id = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
    const schema = `kontra_attack_${id}`;
    const channel = `kontra_attack_${id}`;
    await pg.sql.unsafe(`CREATE SCHEMA ${schema}`);
    await pg.sql.unsafe(ORDERS.replaceAll("{schema}", schema)).simple();
    // The server runs as another user: it must be able to write here if an attack got by.
    const dir = await Deno.makeTempDir({ prefix: "kontra-attack-" });
    await Deno.chmod(dir, 0o777);
    const file = join(dir, "sentinel.txt");
    await Deno.writeTextFile(file, SENTINEL_TEXT);
    await Deno.chmod(file, 0o666);
    const heard: string[] = [];
    const { unlisten } = await pg.sql.listen(channel, (payload) => heard.push(payload));
    return { pg, schema, channel, file, newFile: join(dir, "created.txt"), dir, heard, unlisten };
  })();
  return world;
}

/** This file's tests: skipped without a server (outside CI), all in the one world. */
const POSTGRES: harness.EngineTests<World> = {
  engine: "PostgreSQL",
  options: pgTest,
  inWorld: async (body) => body(await setUp()),
};

/** Everything an attack could change, read from outside Kontra. */
async function sentinels(w: World): Promise<Record<string, unknown>> {
  const [row] = await w.pg.sql.unsafe(`
    SELECT (SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM ${w.schema}.sentinel)
             AS sentinel_rows,
           (SELECT count(*)::int FROM ${w.schema}.orders) AS dataset_rows,
           (SELECT count(*)::int FROM pg_largeobject_metadata) AS large_objects,
           (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS advisory_locks,
           (SELECT last_value::int FROM ${w.schema}.seq) AS sequence,
           pg_conf_load_time()::text AS configuration_loaded,
           (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables
             WHERE schemaname = '${w.schema}') AS tables`);
  return {
    ...row,
    file: await Deno.readTextFile(w.file),
    created: await Deno.stat(w.newFile).then(() => true, () => false),
    notifications: w.heard.length,
  };
}

Deno.test(pgTest("PostgreSQL attacks: the sentinels notice what attacks would do"), async () => {
  const w = await setUp();
  const sql = w.pg.sql;
  let large = 0;
  // Notifications arrive a little later: each effect is given 50 ms to show.
  await harness.assertSentinelsNotice(() => sentinels(w), [
    [
      "sentinel_rows",
      () => sql.unsafe(`INSERT INTO ${w.schema}.sentinel VALUES (4, 'four')`),
      () => sql.unsafe(`DELETE FROM ${w.schema}.sentinel WHERE id = 4`),
    ],
    [
      "large_objects",
      async () => [{ large }] = await sql`SELECT lo_from_bytea(0, 'x') AS large`,
      () => sql`SELECT lo_unlink(${large})`,
    ],
    // The server itself can overwrite the sentinel file: an lo_export that got through would.
    [
      "file",
      async () => {
        const [{ made }] = await sql`SELECT lo_from_bytea(0, 'pwned') AS made`;
        await sql`SELECT lo_export(${made}, ${w.file}), lo_unlink(${made})`;
      },
      () => Deno.writeTextFile(w.file, SENTINEL_TEXT),
    ],
    [
      "notifications",
      () => sql`SELECT pg_notify(${w.channel}, 'x')`,
      () => Promise.resolve(w.heard.length = 0),
    ],
    [
      "sequence",
      () => sql.unsafe(`SELECT nextval('${w.schema}.seq')`),
      () => sql.unsafe(`SELECT setval('${w.schema}.seq', 1)`),
    ],
    [
      "advisory_locks",
      () => sql`SELECT pg_advisory_lock(7)`,
      () => sql`SELECT pg_advisory_unlock(7)`,
    ],
  ], 50);
});

/** The attack's placeholders filled in: `{schema}`, `{chan}`, `{file}`, `{newfile}`. */
function fill(w: World, sql: string): string {
  return sql.replaceAll("{schema}", w.schema).replaceAll("{chan}", w.channel)
    .replaceAll("{file}", w.file).replaceAll("{newfile}", w.newFile);
}

/**
 * Where Kontracts go and what they read: the orders table, through `url` (default: the
 * test server's superuser URL) with `suffix` after the URI.
 */
function place(
  w: World,
  { url = w.pg.url, suffix = "" }: { url?: string; suffix?: string } = {},
): harness.KontractPlace {
  return {
    dir: w.dir,
    datasource: `${url}/${w.schema}.orders${suffix}`,
    connection: `${url}${suffix}`,
    table: `${w.schema}.orders`,
  };
}

/** Options for `validate` that stay quiet about the superuser. */
const QUIET = { env: {}, onWarning: () => {} };

/**
 * Runs `sql` both ways and asserts each is refused for `reason` with every sentinel intact.
 * `atLoad`: the Kontract's schema may refuse it already (empty or over-long SQL).
 */
async function assertRefused(w: World, [sql, reason, atLoad = false]: harness.Attack) {
  let warnings: string[] = [];
  await harness.assertRefusedBothWays(place(w), fill(w, sql), reason, atLoad, {
    sentinels: () => sentinels(w),
    validate: (path) => {
      warnings = [];
      return validate(path, { env: {}, onWarning: (message) => warnings.push(message) });
    },
    // The only thing said besides the refusal: that the role is a superuser.
    check: () => {
      for (const warning of warnings) assert.match(warning, /as superuser/);
    },
  });
}

/** One test per class of attack, one step per case. */
const attackClass = harness.attackClasses(POSTGRES, assertRefused);

const CATALOG = /may not read system catalogs \(/;
const cast = (type: string) => refusedFor(`cast to ${type} is not allowed`);
const INVALID = /: not valid PostgreSQL: .+ \(at character \d+\)/;

// --- the corpus ------------------------------------------------------------------------------

attackClass("parser differentials (backslashes, dollar quotes, comments, escapes)", [
  [
    String
      .raw`SELECT * FROM {table} WHERE status = 'x\' OR pg_read_file('/etc/hostname') IS NOT NULL --'`,
    fn("pg_read_file"),
  ],
  [
    String
      .raw`SELECT * FROM {table} WHERE status = '\' UNION SELECT 1, 1, 1, NULL, rolpassword, NULL FROM pg_authid --'`,
    CATALOG,
  ],
  [String.raw`SELECT 'a\' , lo_from_bytea(0, 'pwned'::bytea) --'`, fn("lo_from_bytea")],
  [String.raw`SELECT E'\\' , pg_ls_dir('.') --'`, fn("pg_ls_dir")],
  [String.raw`SELECT E'\'' AS q, pg_stat_file('{file}')`, fn("pg_stat_file")],
  ["SELECT $a$ $$ $a$, pg_sleep(5) -- $$", fn("pg_sleep")],
  ["SELECT $$ ' $$ AS q, current_setting('data_directory') AS d", fn("current_setting")],
  [
    "SELECT 1 /* outer /* inner */ still a comment */ , set_config('statement_timeout', '0', false)",
    fn("set_config"),
  ],
  [String.raw`SELECT U&'\0027' AS q, pg_advisory_lock(1)`, fn("pg_advisory_lock")],
  ["SELECT U&'d!0061t' UESCAPE '!' AS u, pg_notify('{chan}', 'pwned')", fn("pg_notify")],
  ["SELECT 1 -- ' \n, lo_import('/etc/hostname')", fn("lo_import")],
  [
    String.raw`SELECT * FROM {table} WHERE status = 'a''b\' AND ts_stat('SELECT 1') IS NULL --'`,
    fn("ts_stat"),
  ],
  [String.raw`SELECT 'it\'s'`, INVALID],
  ["SELECT $tag$ $notatag$ $tag$ || lo_export(0, '{file}')", fn("lo_export")],
]);

attackClass("server files: read and list", [
  ["SELECT pg_read_file('/etc/passwd')", fn("pg_read_file")],
  ["SELECT pg_catalog.pg_read_file('{file}')", fn("pg_catalog.pg_read_file")],
  ["SELECT PG_READ_BINARY_FILE('/etc/hostname')", fn("pg_read_binary_file")],
  [`SELECT "pg_ls_dir"('.')`, fn("pg_ls_dir")],
  ["SELECT * FROM pg_ls_logdir()", fn("pg_ls_logdir")],
  ["SELECT * FROM pg_catalog.pg_ls_waldir() w", fn("pg_catalog.pg_ls_waldir")],
  ["SELECT * FROM {table} ORDER BY length(pg_read_file('/etc/hostname'))", fn("pg_read_file")],
  [
    "WITH f AS (SELECT pg_read_file('/etc/passwd', 0, 100) AS t) SELECT * FROM f",
    fn("pg_read_file"),
  ],
  ["SELECT * FROM {table} o, LATERAL pg_ls_dir('/') d", fn("pg_ls_dir")],
  [
    "SELECT count(*) FILTER (WHERE pg_read_file('/etc/passwd') IS NULL) FROM {table}",
    fn("pg_read_file"),
  ],
  ["SELECT * FROM ROWS FROM (pg_ls_tmpdir()) t", fn("pg_ls_tmpdir")],
  ["SeLeCt\tPg_ReAd_FiLe\n(\n'/etc/hostname'\n)", fn("pg_read_file")],
]);

attackClass("system catalogs", [
  ["SELECT rolname, rolpassword FROM pg_authid", /system catalogs \(pg_catalog\.pg_authid\)/],
  ["SELECT * FROM pg_catalog.pg_shadow", /system catalogs \(pg_catalog\.pg_shadow\)/],
  ["SELECT * FROM PG_CATALOG.PG_ROLES", /system catalogs \(pg_catalog\.pg_roles\)/],
  [`SELECT * FROM "pg_catalog"."pg_authid"`, CATALOG],
  [String.raw`SELECT * FROM U&"\0070g_authid"`, /system catalogs \(pg_catalog\.pg_authid\)/],
  ["SELECT * FROM information_schema.tables", /\(information_schema\.tables\)/],
  [`SELECT * FROM INFORMATION_SCHEMA."columns"`, CATALOG],
  ["TABLE pg_authid", CATALOG],
  ["SELECT * FROM {table} WHERE EXISTS (SELECT 1 FROM pg_stat_activity)", CATALOG],
  ["WITH r AS (SELECT * FROM pg_user) SELECT * FROM r", CATALOG],
  ["SELECT * FROM {table} o JOIN pg_settings s ON true", CATALOG],
  ["SELECT * FROM pg_toast.pg_toast_1260", CATALOG],
  ["SELECT * FROM test.pg_catalog.pg_authid", /may not read another database/],
  ["SELECT * FROM postgres.public.secrets", /may not read another database/],
  ["SELECT * FROM pg_temp.anything", CATALOG],
  [
    "SELECT * FROM {table} o WHERE o.status IN (SELECT usename FROM pg_catalog.pg_user)",
    CATALOG,
  ],
  ["SELECT * FROM pg_hba_file_rules", CATALOG],
  ["SELECT * FROM pg_largeobject", CATALOG],
  ["SELECT * FROM {table} WHERE id = (SELECT count(*) FROM /* x */ pg_proc)", CATALOG],
]);

attackClass("settings, identity and server facts", [
  ["SELECT current_setting('data_directory')", fn("current_setting")],
  ["SELECT set_config('default_transaction_read_only', 'off', false)", fn("set_config")],
  ["SELECT pg_catalog.set_config('search_path', 'evil', false)", fn("pg_catalog.set_config")],
  ["SELECT pg_reload_conf()", fn("pg_reload_conf")],
  ["SHOW data_directory", notSelect("SHOW")],
  ["SET default_transaction_read_only = off", notSelect("SET")],
  ["RESET ALL", notSelect("SET")],
  ["SELECT * FROM {table} WHERE current_setting('is_superuser') = 'on'", fn("current_setting")],
  ["SELECT version()", fn("version")],
  ["SELECT current_user", fn("current_user")],
  ["SELECT * FROM {table} WHERE status = SESSION_USER", fn("session_user")],
  ["SELECT inet_server_addr()", fn("inet_server_addr")],
  ["SELECT current_database()", fn("current_database")],
  ["ALTER ROLE CURRENT_USER SET standard_conforming_strings = off", notSelect("ALTER ROLE SET")],
]);

attackClass("locks", [
  ["SELECT pg_advisory_lock(42)", fn("pg_advisory_lock")],
  ["SELECT pg_try_advisory_lock(42)", fn("pg_try_advisory_lock")],
  ["SELECT pg_advisory_xact_lock(42)", fn("pg_advisory_xact_lock")],
  ["SELECT pg_advisory_lock_shared(1, 2)", fn("pg_advisory_lock_shared")],
  ["SELECT * FROM {table} ORDER BY pg_try_advisory_lock(id)", fn("pg_try_advisory_lock")],
  ["SELECT * FROM {table} FOR UPDATE", /may not use FOR UPDATE\/SHARE/],
  ["SELECT * FROM {table} FOR SHARE SKIP LOCKED", /may not use FOR UPDATE\/SHARE/],
  ["SELECT * FROM (SELECT * FROM {table} FOR NO KEY UPDATE) s", /FOR UPDATE\/SHARE/],
  ["LOCK TABLE {table}", notSelect("LOCK")],
]);

attackClass("notifications", [
  ["SELECT pg_notify('{chan}', 'pwned')", fn("pg_notify")],
  ["NOTIFY {chan}, 'pwned'", notSelect("NOTIFY")],
  ["LISTEN {chan}", notSelect("LISTEN")],
  [
    "WITH n AS (SELECT pg_catalog.pg_notify('{chan}', 'x')) SELECT * FROM n",
    fn("pg_catalog.pg_notify"),
  ],
  ["SELECT * FROM (VALUES (1)) v(x) WHERE pg_notify('{chan}', 'x') IS NULL", fn("pg_notify")],
  [`SELECT * FROM (VALUES (pg_notify('{chan}', 'x'))) v`, fn("pg_notify")],
]);

attackClass("large objects (they write even in a read-only transaction)", [
  ["SELECT lo_from_bytea(0, 'pwned')", fn("lo_from_bytea")],
  ["SELECT lo_import('/etc/hostname')", fn("lo_import")],
  ["SELECT lo_export(lo_from_bytea(0, 'pwned'), '{file}')", fn("lo_export")],
  ["SELECT lo_export(lo_from_bytea(0, 'pwned'), '{newfile}')", fn("lo_export")],
  ["SELECT lo_unlink(1)", fn("lo_unlink")],
  ["SELECT lo_create(0)", fn("lo_create")],
  ["SELECT lo_put(1, 0, 'x')", fn("lo_put")],
  ["SELECT loread(lo_open(1, 262144), 10)", fn("loread")],
  ["SELECT sum(id) OVER (ORDER BY lo_creat(-1)) FROM {table}", fn("lo_creat")],
  ["SELECT * FROM {table} WHERE id = ANY (ARRAY[lo_from_bytea(0, 'x')])", fn("lo_from_bytea")],
]);

attackClass("functions that run SQL text", [
  ["SELECT query_to_xml('SELECT * FROM pg_authid', true, true, '')", fn("query_to_xml")],
  [
    "SELECT query_to_xml_and_xmlschema('DELETE FROM {schema}.sentinel', true, true, '')",
    fn("query_to_xml_and_xmlschema"),
  ],
  ["SELECT query_to_xmlschema('SELECT 1', true, true, '')", fn("query_to_xmlschema")],
  ["SELECT cursor_to_xml('c', 1, true, true, '')", fn("cursor_to_xml")],
  ["SELECT table_to_xml('pg_authid', true, true, '')", fn("table_to_xml")],
  ["SELECT schema_to_xml('pg_catalog', true, true, '')", fn("schema_to_xml")],
  ["SELECT database_to_xml(true, true, '')", fn("database_to_xml")],
  [
    "SELECT * FROM ts_stat('SELECT to_tsvector(rolpassword) FROM pg_authid')",
    fn("ts_stat"),
  ],
  ["SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')", fn("ts_rewrite")],
  [
    "SELECT * FROM {table} WHERE id IN (SELECT length(QUERY_TO_XML('SELECT 1', true, true, '')::text))",
    fn("query_to_xml"),
  ],
]);

attackClass("sequences", [
  ["SELECT nextval('{schema}.seq')", fn("nextval")],
  ["SELECT setval('{schema}.seq', 999)", fn("setval")],
  ["SELECT currval('{schema}.seq')", fn("currval")],
  ["SELECT lastval()", fn("lastval")],
  ["SELECT * FROM {table} WHERE id < nextval('{schema}.seq')", fn("nextval")],
]);

attackClass("sleeps and resource use", [
  ["SELECT pg_sleep(10)", fn("pg_sleep")],
  ["SELECT pg_sleep_for('10 seconds')", fn("pg_sleep_for")],
  ["SELECT pg_sleep_until(now() + interval '1 hour')", fn("pg_sleep_until")],
  ["SELECT * FROM {table} WHERE pg_catalog.pg_sleep(1) IS NULL", fn("pg_catalog.pg_sleep")],
  [`SELECT * FROM {table} ORDER BY "pg_sleep"(0.1)`, fn("pg_sleep")],
  ["SELECT pg_sleep/**/(1)", fn("pg_sleep")],
  ["SELECT repeat('x', 100000000)", fn("repeat")],
]);

attackClass("data-modifying WITH", [
  [
    "WITH d AS (DELETE FROM {schema}.sentinel RETURNING *) SELECT * FROM d",
    /must be a SELECT, not DELETE \(in WITH d\)/,
  ],
  [
    "WITH i AS (INSERT INTO {schema}.sentinel VALUES (4, 'four') RETURNING id) SELECT * FROM i",
    /not INSERT \(in WITH i\)/,
  ],
  [
    "WITH u AS (UPDATE {schema}.sentinel SET note = 'x' RETURNING id) SELECT * FROM {table}",
    /not UPDATE \(in WITH u\)/,
  ],
  [
    "WITH m AS (MERGE INTO {schema}.sentinel s USING (SELECT 1 AS id) v ON s.id = v.id " +
    "WHEN MATCHED THEN DELETE RETURNING *) SELECT * FROM m",
    /not MERGE \(in WITH m\)/,
  ],
  [
    "SELECT * FROM (WITH d AS (DELETE FROM {schema}.sentinel RETURNING id) SELECT * FROM d) x",
    /not DELETE/,
  ],
  [
    "SELECT * FROM {table} WHERE id IN " +
    "(WITH d AS (UPDATE {schema}.sentinel SET id = id RETURNING id) SELECT id FROM d)",
    /not UPDATE/,
  ],
  [
    "WITH RECURSIVE a AS (SELECT 1), b AS (INSERT INTO {schema}.sentinel VALUES (9, 'x') " +
    "RETURNING id) SELECT * FROM a",
    /not INSERT \(in WITH b\)/,
  ],
]);

attackClass("SELECT INTO and CREATE TABLE AS", [
  ["SELECT * INTO {schema}.stolen FROM {table}", /may not use SELECT INTO/],
  ["SELECT * INTO TEMP stolen FROM {table}", /may not use SELECT INTO/],
  ["SELECT 1 AS x INTO UNLOGGED {schema}.stolen", /may not use SELECT INTO/],
  ["CREATE TABLE {schema}.stolen AS SELECT * FROM {table}", notSelect("CREATE TABLE AS")],
]);

attackClass("more than one statement", [
  ["SELECT 1; DELETE FROM {schema}.sentinel", ONE_STATEMENT],
  ["SELECT 1;DROP TABLE {schema}.sentinel", ONE_STATEMENT],
  ["SELECT 1 /* ; */ ; SELECT 2", ONE_STATEMENT],
  ["SELECT 1; -- a trailing comment", ONE_STATEMENT],
  [";SELECT 1", ONE_STATEMENT],
  ["SELECT 1;;; DELETE FROM {schema}.sentinel", ONE_STATEMENT],
  ["SELECT ';' AS a; SELECT 2", ONE_STATEMENT],
  ["SELECT 1; COMMIT; DELETE FROM {schema}.sentinel", ONE_STATEMENT],
  ["", /must be exactly one statement|Too small/, true],
  ["-- nothing but a comment", ONE_STATEMENT],
]);

attackClass("statements other than SELECT", [
  ["COPY {schema}.sentinel TO '{newfile}'", notSelect("COPY")],
  ["COPY (SELECT 1) TO PROGRAM 'touch {newfile}'", notSelect("COPY")],
  ["DO $$BEGIN DELETE FROM {schema}.sentinel; END$$", notSelect("DO")],
  ["CALL {schema}.p()", notSelect("CALL")],
  ["PREPARE p AS DELETE FROM {schema}.sentinel", notSelect("PREPARE")],
  ["EXECUTE p", notSelect("EXECUTE")],
  ["EXPLAIN ANALYZE DELETE FROM {schema}.sentinel", notSelect("EXPLAIN")],
  ["VACUUM {schema}.sentinel", notSelect("VACUUM")],
  ["CHECKPOINT", notSelect("CHECKPOINT")],
  ["DISCARD ALL", notSelect("DISCARD")],
  ["BEGIN", notSelect("a transaction statement")],
  ["DELETE FROM {schema}.sentinel", notSelect("DELETE")],
  ["UPDATE {schema}.sentinel SET note = 'x'", notSelect("UPDATE")],
  ["INSERT INTO {schema}.sentinel VALUES (4, 'four')", notSelect("INSERT")],
  ["TRUNCATE {schema}.sentinel", notSelect("TRUNCATE")],
  ["DROP TABLE {schema}.sentinel", notSelect("DROP")],
  [
    "CREATE FUNCTION {schema}.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    notSelect("CREATE FUNCTION"),
  ],
]);

attackClass("casts to catalog-reading and unknown types", [
  ["SELECT 'pg_authid'::regclass", cast("regclass")],
  ["SELECT 'pg_read_file'::regproc", cast("regproc")],
  ["SELECT 'int4'::regtype", cast("regtype")],
  ["SELECT 'pg_catalog'::regnamespace", cast("regnamespace")],
  ["SELECT 'postgres'::regrole", cast("regrole")],
  ["SELECT CAST(1260 AS oid)", cast("oid")],
  ["SELECT 'pg_authid'::pg_catalog.regclass::oid", cast("pg_catalog.regclass")],
  [`SELECT '1'::"regclass"`, cast("regclass")],
  ["SELECT regclass('pg_authid')", fn("regclass")],
  ["SELECT ARRAY['pg_authid']::regclass[]", cast("regclass")],
  ["SELECT '<a/>'::xml", cast("xml")],
  ["SELECT 'x'::{schema}.evil_type", /cast to kontra_attack_\w+\.evil_type is not allowed/],
  ["SELECT * FROM {table} WHERE id = 'pg_authid'::regclass::int", cast("regclass")],
]);

attackClass("qualified and unknown operators", [
  ["SELECT 1 OPERATOR(pg_catalog.+) 1", /operator OPERATOR\(pg_catalog\.\+\) is not allowed/],
  ["SELECT * FROM {table} WHERE id OPERATOR(public.=) 1", /OPERATOR\(public\.=\)/],
  ["SELECT * FROM {table} WHERE status OPERATOR(pg_catalog.~~) 'p%'", /OPERATOR\(pg_catalog/],
  ["SELECT * FROM {table} ORDER BY id USING OPERATOR(public.<)", /OPERATOR\(public\.<\)/],
  [
    "SELECT * FROM {table} WHERE id OPERATOR(public.=) ANY (SELECT 1)",
    /OPERATOR\(public\.=\) is not allowed/,
  ],
  ["SELECT 1 <-> 2", /operator <-> is not allowed/],
  ["SELECT 'a' ## 'b'", /operator ## is not allowed/],
]);

attackClass("parameters", [
  ["SELECT * FROM {table} WHERE id = $1", /may not use parameters \(\$1\)/],
  ["SELECT $1::text", /may not use parameters/],
  ["SELECT * FROM {table} LIMIT $1", /may not use parameters/],
]);

attackClass("other constructs off the allow-list", [
  [
    "SELECT * FROM XMLTABLE('/a' PASSING '<a><b>1</b></a>' COLUMNS x int PATH 'b')",
    /may not use XMLTABLE/,
  ],
  ["SELECT * FROM {table} TABLESAMPLE SYSTEM (50)", /may not use TABLESAMPLE/],
  [
    "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x int PATH '$'))",
    /may not use JSON_TABLE/,
  ],
  ["SELECT xmlparse(document '<a/>')", /may not use XML functions/],
  ["SELECT dblink('host=127.0.0.1', 'DELETE FROM {schema}.sentinel')", fn("dblink")],
  ["SELECT pg_terminate_backend(pg_backend_pid())", fn("pg_terminate_backend")],
  ["SELECT pg_cancel_backend(1)", fn("pg_cancel_backend")],
  ["SELECT txid_current()", fn("txid_current")],
  ["SELECT pg_current_xact_id()", fn("pg_current_xact_id")],
  ["SELECT pg_switch_wal()", fn("pg_switch_wal")],
  ["SELECT pg_logical_emit_message(true, 'x', 'y')", fn("pg_logical_emit_message")],
  ["SELECT {schema}.evil()", /function kontra_attack_\w+\.evil is not allowed/],
  ["SELECT * FROM unnest(ARRAY[1]) AS u(x int)", /may not use column definition lists/],
  [
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) " +
    "SEARCH DEPTH FIRST BY n SET o SELECT * FROM t",
    /may not use SEARCH clauses/,
  ],
]);

attackClass("very long or deep SQL", [
  [
    `SELECT * FROM {table} WHERE ${Array.from({ length: 20_000 }, () => "id = 0").join(" OR ")}`,
    /SQL longer than 100,000 characters is not allowed|Too big: .*<=100000 characters/,
    true,
  ],
  [
    `SELECT 1 /* ${"x".repeat(100_001)} */`,
    /SQL longer than 100,000 characters|Too big: .*<=100000 characters/,
    true,
  ],
  [
    `SELECT * FROM {table} WHERE id = 0${" + 0".repeat(20_000)}`,
    /the SQL is nested too deeply to check/,
  ],
  [`SELECT ${"(SELECT ".repeat(3_000)}1${")".repeat(3_000)}`, /nested too deeply to check/],
  [`SELECT ${"(SELECT ".repeat(5_000)}1${")".repeat(5_000)}`, INVALID],
  [`SELECT ${"(".repeat(15_000)}1${")".repeat(15_000)}`, INVALID],
  [
    `SELECT * FROM {table} WHERE id = 0${" + 0".repeat(20_000)} OR pg_sleep(1) IS NULL`,
    /nested too deeply to check/,
  ],
]);

// --- what must still work ------------------------------------------------------------------

/** Legitimate checks and the rows each returns on the fixture. */
const LEGITIMATE: readonly harness.Legitimate[] = [
  [
    "SELECT o.* FROM {table} o LEFT JOIN {schema}.customers c ON c.id = o.customer_id " +
    "WHERE c.id IS NULL",
    1,
  ],
  [
    "WITH ranked AS (SELECT o.*, row_number() OVER (PARTITION BY customer_id ORDER BY placed DESC)" +
    " AS rn FROM {table} o) SELECT * FROM ranked WHERE rn > 1",
    2,
  ],
  [
    "SELECT customer_id FROM {table} GROUP BY customer_id " +
    "HAVING count(*) FILTER (WHERE status = 'paid') > 1",
    1,
  ],
  [
    "SELECT * FROM {table} WHERE CASE WHEN amount < 0 THEN 'neg' WHEN amount = 0 THEN 'zero' " +
    "ELSE 'pos' END <> 'pos'",
    2,
  ],
  ["SELECT * FROM {table} WHERE status ILIKE 'paid' AND status NOT LIKE 'paid'", 1],
  [
    String.raw`SELECT c.* FROM {schema}.customers c WHERE c.email !~ '^[^@]+@[^@]+\.[a-z]+$'`,
    1,
  ],
  [
    "SELECT * FROM {table} WHERE placed < DATE '2024-01-01' " +
    "OR placed > DATE '2024-03-01' + INTERVAL '10 days'",
    2,
  ],
  ["SELECT * FROM {table} WHERE amount > (SELECT avg(amount) FROM {table})", 3],
  [
    "SELECT id FROM {table} WHERE amount < 0 UNION SELECT id FROM {table} WHERE status = 'pending'",
    2,
  ],
  [
    "SELECT * FROM {schema}.customers c " +
    "WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE o.customer_id = c.id)",
    1,
  ],
  ["SELECT * FROM {table} WHERE meta->>'channel' IS NULL OR jsonb_typeof(meta) <> 'object'", 2],
  [
    "SELECT date_trunc('month', placed) AS m, count(*) FROM {table} GROUP BY 1 " +
    "HAVING count(*) >= 3",
    1,
  ],
  [
    "SELECT * FROM {schema}.customers WHERE lower(split_part(email, '@', 2)) <> 'x.io'",
    1,
  ],
  [
    "SELECT * FROM {table} WHERE coalesce(status, '') NOT IN ('paid', 'refund') " +
    "AND amount BETWEEN 0 AND 50",
    3,
  ],
  [
    "SELECT * FROM (SELECT id, amount, avg(amount) OVER () AS mean FROM {table}) s " +
    "WHERE amount > 2 * mean",
    1,
  ],
  [
    "SELECT g.d::date FROM generate_series(DATE '2024-01-01', DATE '2024-01-05', " +
    "INTERVAL '1 day') AS g(d) WHERE NOT EXISTS " +
    "(SELECT 1 FROM {table} o WHERE o.placed = g.d::date)",
    4,
  ],
  ["SELECT * FROM {table} WHERE status = $$paid$$ OR status = E'PAID'", 5],
  [
    "SELECT customer_id FROM {table} GROUP BY customer_id " +
    "HAVING string_agg(DISTINCT status, ',' ORDER BY status) LIKE '%,%'",
    1,
  ],
  ["SELECT * FROM {table} WHERE amount::int8 <> round(amount) OR CAST(id AS text) = '3'", 1],
  [String.raw`SELECT * FROM {schema}.customers WHERE name = U&'\0041nn'`, 1],
  [
    "SELECT extract(year FROM placed) AS y, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) " +
    "FROM {table} GROUP BY 1 HAVING count(*) > 1",
    1,
  ],
  [
    "SELECT * FROM {table} o WHERE o.amount > ALL (SELECT amount FROM {table} WHERE status = 'refund')" +
    " AND age(DATE '2024-12-31', o.placed) > INTERVAL '9 months'",
    7,
  ],
  [`SELECT * FROM {table} WHERE id = 1 ${"OR id = 1 ".repeat(9_000)}`, 1],
];

harness.testEachCase(
  POSTGRES,
  `PostgreSQL: ${LEGITIMATE.length} legitimate checks run and count correctly`,
  LEGITIMATE,
  (w, [sql, rows]) => harness.assertCountsBothWays(place(w), [fill(w, sql), rows], QUIET),
);

Deno.test(
  pgTest("PostgreSQL: generate_series is allowed; the statement timeout bounds it (exit 3)"),
  async () => {
    const w = await setUp();
    const sql = "SELECT * FROM {table} CROSS JOIN generate_series(1, 10000000000) g";
    for (const via of harness.VIAS) {
      const started = performance.now();
      const timed = place(w, { suffix: "?statement_timeout=0.5" });
      const path = await harness.writeKontract(timed, via, fill(w, sql));
      const failure = await harness.failureOf(validate(path, QUIET));
      // A query: datasource is opened with LIMIT 0, so it may finish: then it has rows.
      if (failure === undefined && via === "query") continue;
      assert.ok(failure instanceof DataSourceError, `${via}: ${failure}`);
      assertEquals(failure.exitCode, 3);
      assert.match(failure.message, /statement timed out after 0\.5s/);
      assert.ok(performance.now() - started < 10_000, "the timeout stopped it");
    }
  },
);

Deno.test(pgTest("PostgreSQL: after SQL too deep to parse, the parser still works"), async () => {
  const w = await setUp();
  await assertRefused(w, [`SELECT 1${" + 1".repeat(20_000)}`, /nested too deeply/]);
  const honest = fill(w, "SELECT * FROM {table} WHERE id > 6");
  const path = await harness.writeKontract(place(w), "custom_sql_check", honest);
  assertEquals(await harness.failedCounts(path, QUIET), [2]);
});

Deno.test(pgTest("PostgreSQL attacks: the CLI exits 2 with the reason and position"), async () => {
  const w = await setUp();
  const attacks: readonly harness.Attack[] = [
    ["SELECT lo_export(lo_from_bytea(0, 'x'), '{file}')", fn("lo_export")],
    [String.raw`SELECT 'x\' , pg_read_file('/etc/passwd') --'`, fn("pg_read_file")],
    ["SELECT * FROM pg_authid", CATALOG],
  ];
  for (const [sql, reason] of attacks) {
    for (const via of harness.VIAS) {
      await harness.keepingSentinels(() => sentinels(w), async () => {
        const path = await harness.writeKontract(place(w), via, fill(w, sql));
        const run = await runCli(["validate", path]);
        // Anything before the refusal is the superuser warning.
        for (const line of harness.assertCliRefusal(run, via, reason)) {
          assert.match(line, /as superuser/);
        }
      });
    }
  }
});

// --- the connection -------------------------------------------------------------------------

/** A login role made as the README recommends, dropped on dispose. */
async function readOnlyRole(
  w: World,
  extra: string[] = [],
): Promise<{ name: string; url: string } & AsyncDisposable> {
  const name = `kontra_reader_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const database = new URL(w.pg.url).pathname.slice(1);
  // The README's lines, as written there.
  for (
    const statement of [
      `CREATE ROLE ${name} LOGIN`,
      `GRANT CONNECT ON DATABASE ${database} TO ${name}`,
      `GRANT USAGE ON SCHEMA ${w.schema} TO ${name}`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${w.schema} TO ${name}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${w.schema} GRANT SELECT ON TABLES TO ${name}`,
      `ALTER ROLE ${name} SET default_transaction_read_only = on`,
      ...extra.map((line) => line.replaceAll("{role}", name)),
    ]
  ) await w.pg.sql.unsafe(statement);
  const url = new URL(w.pg.url);
  url.username = name;
  return {
    name,
    url: url.href.replace(/\/+$/, ""),
    [Symbol.asyncDispose]: async () => {
      await w.pg.sql.unsafe(`DROP OWNED BY ${name}`);
      await w.pg.sql.unsafe(`DROP ROLE ${name}`);
    },
  };
}

Deno.test(
  pgTest("PostgreSQL: strings are read as the guard reads them, even if the role's default is off"),
  async () => {
    const w = await setUp();
    await using role = await readOnlyRole(w, [
      "ALTER ROLE {role} SET standard_conforming_strings = off",
    ]);
    // The role's sessions really default to off (checked with a plain client).
    const plain = postgres(role.url, { max: 1, onnotice: () => {} });
    try {
      const [{ standard_conforming_strings }] = await plain`SHOW standard_conforming_strings`;
      assertEquals(standard_conforming_strings, "off");
    } finally {
      await plain.end({ timeout: 1 });
    }
    // '\\' is two characters with standard strings and one without: the count tells which.
    const result = await validate({
      name: "strings",
      datasource: `${role.url}/${w.schema}.orders`,
      rules: [{
        name: "custom_sql_check",
        params: { sql: String.raw`SELECT * FROM {table} WHERE length('\\') = 2 AND id <= 3` },
      }],
    }, { env: {} });
    assertEquals(result.results[0].failed_count, 3);
    // And the differential attack is refused as this role too.
    const path = await harness.writeKontract(
      place(w, { url: role.url }),
      "custom_sql_check",
      fill(w, String.raw`SELECT * FROM {table} WHERE status = 'x\' OR pg_sleep(0) IS NULL --'`),
    );
    await assertRejectsKontract(validate(path, { env: {} }), fn("pg_sleep"));
  },
);

async function assertRejectsKontract(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KontractError, `${error}`);
    assert.match(error.message, reason);
    return;
  }
  assert.fail(`expected a refusal matching ${reason}`);
}

Deno.test(
  pgTest("PostgreSQL: a superuser connection is warned about once, on stderr and in the result"),
  async () => {
    const w = await setUp();
    const [{ rolsuper, current_user }] = await w.pg.sql`
      SELECT rolsuper, current_user FROM pg_roles WHERE rolname = current_user`;
    assert.ok(rolsuper, "the test server's role is a superuser");
    const warnings: string[] = [];
    const result = await validate({
      name: "super",
      datasource: `${w.pg.url}/${w.schema}.orders`,
      rules: [
        { name: "not_null", params: { column: "meta" } },
        { name: "custom_sql_check", params: { sql: "SELECT * FROM {table} WHERE id > 6" } },
      ],
    }, { env: {}, onWarning: (message) => warnings.push(message) });
    const expected = superuserWarning(current_user);
    assertEquals(
      expected,
      `connected to PostgreSQL as superuser ${current_user}: give Kontra a read-only role ` +
        "(see README Security)",
    );
    assertEquals(warnings, [expected]);
    assertEquals(result.document.warnings, [expected]);
    assert.ok(JSON.parse(result.toJsonText()).warnings[0] === expected);
    // The CLI prints it once, as a warning.
    const path = await harness.writeKontract(
      place(w),
      "custom_sql_check",
      "SELECT * FROM {table} WHERE id > 6",
    );
    const run = await runCli(["validate", path, "-o", "json"]);
    assertEquals(run.code, 1, run.stderr);
    assertEquals(run.stderr, `kontra: warning: ${expected}\n`);
    assertEquals(JSON.parse(run.stdout).warnings, [expected]);
  },
);

Deno.test(
  pgTest("PostgreSQL: the README's read-only role works, reads the dataset, and is not warned"),
  async () => {
    const w = await setUp();
    await using role = await readOnlyRole(w);
    const warnings: string[] = [];
    const result = await validate({
      name: "reader",
      datasource: `${role.url}/${w.schema}.orders`,
      rules: [
        { name: "not_null", params: { column: "meta" } },
        {
          name: "custom_sql_check",
          params: {
            sql: `SELECT o.* FROM {table} o LEFT JOIN ${w.schema}.customers c ` +
              "ON c.id = o.customer_id WHERE c.id IS NULL",
          },
        },
      ],
    }, { env: {}, onWarning: (message) => warnings.push(message) });
    assertEquals(result.results.map((r) => r.failed_count), [1, 1]);
    assertEquals(warnings, []);
    assertEquals(result.document.warnings, undefined);
    // The role can read, but not write, even where the guard is not asked.
    const plain = postgres(role.url, { max: 1, onnotice: () => {} });
    try {
      await assert.rejects(
        plain.unsafe(`INSERT INTO ${w.schema}.sentinel VALUES (9, 'x')`),
        /read-only transaction|permission denied/,
      );
      await assert.rejects(plain`SELECT rolpassword FROM pg_authid`, /permission denied/);
      await assert.rejects(plain`SELECT pg_read_file('/etc/hostname')`, /permission denied/);
    } finally {
      await plain.end({ timeout: 1 });
    }
  },
);

Deno.test(pgTest("PostgreSQL attacks: no notification arrived; clean up"), async () => {
  const w = await setUp();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assertEquals(w.heard, []);
  assertEquals(await Deno.readTextFile(w.file), SENTINEL_TEXT);
  await w.unlisten();
  await w.pg.sql.unsafe(`DROP SCHEMA ${w.schema} CASCADE`);
  await Deno.remove(w.dir, { recursive: true });
});
