/**
 * The PostgreSQL user-SQL guard on its own: the real parser's tree against the
 * allow-lists, without a server (tests/security/postgres_attacks_test.ts runs attacks
 * against one).
 */
import { assert, assertEquals } from "../support/assert.ts";
import { postgresGuard } from "../../src/databases/postgres/guard.ts";
import {
  ALLOWED_FUNCTIONS,
  ALLOWED_OPERATORS,
  ALLOWED_TYPES,
} from "../../src/databases/postgres/guard_allowed.ts";
import { postgresDialect } from "../../src/databases/postgres/dialect.ts";
import type { UserSqlScope } from "../../src/sql/user_sql.ts";

const DATABASE: UserSqlScope = { relations: "non_system" };
const check = (sql: string, scope: UserSqlScope = DATABASE) => postgresGuard.check(sql, scope);

Deno.test("PostgreSQL guard: the dialect uses it, and its function list is sorted", () => {
  assert.equal(postgresDialect.guard, postgresGuard);
  assertEquals(postgresGuard.engine, "PostgreSQL");
  const names = postgresGuard.allowedFunctions;
  assertEquals([...names], [...names].sort());
  assertEquals(names.length, ALLOWED_FUNCTIONS.size);
  for (const refused of ["pg_read_file", "lo_export", "query_to_xml", "set_config", "nextval"]) {
    assert.ok(!names.includes(refused), refused);
  }
});

Deno.test("PostgreSQL guard: ordinary SELECTs pass", async () => {
  for (
    const sql of [
      `SELECT * FROM "Sales".orders o WHERE o.total < 0`,
      "WITH d AS (SELECT email, count(*) AS n FROM t GROUP BY email) SELECT * FROM d WHERE n > 1",
      "SELECT a.* FROM t a JOIN t b USING (id) LEFT JOIN LATERAL (SELECT 1) x ON true",
      "select email from t where email not like '%@%' and email !~* '^[a-z]+$'",
      "SELECT count(*) FILTER (WHERE x > 1) OVER (PARTITION BY g ORDER BY d ROWS 2 PRECEDING) FROM t",
      "SELECT CURRENT_DATE - INTERVAL '1 day', now()::date, extract(year FROM d), d AT TIME ZONE 'UTC'",
      "SELECT trim(both 'x' FROM s), substring(s FROM 1 FOR 2), position('a' IN s), s SIMILAR TO 'a%'",
      "SELECT CASE WHEN a THEN 1 END, coalesce(a, b), nullif(a, b), greatest(1, 2), (ARRAY[1, 2])[1]",
      "SELECT j->>'k', j #> '{a,b}', j @> '{}'::jsonb, x::int[], CAST(y AS double precision)",
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), string_agg(s, ',' ORDER BY s) FROM t",
      "SELECT * FROM t GROUP BY GROUPING SETS ((a), (b)), ROLLUP (c) HAVING grouping(a) = 0",
      "SELECT * FROM unnest(ARRAY[1, 2]) WITH ORDINALITY AS u(x, n), generate_series(1, 3) g",
      "SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3 ORDER BY 1 LIMIT 1 OFFSET 0",
      "VALUES (1, 'a'), (2, 'b')",
      "SELECT date(ts), int4('1'), x IS DISTINCT FROM y, z IN (1, 2), w BETWEEN 1 AND 2",
      "SELECT $$dollar$$, $q$tag$q$, E'\\n', U&'\\0041', B'101', x'1F', 1.5e3, NULL, TRUE",
      'SELECT a COLLATE "C" FROM t ORDER BY a DESC NULLS LAST',
      "SELECT 1 /* a /* nested */ comment */ -- and a line comment",
    ]
  ) {
    assertEquals(await check(sql), undefined, sql);
  }
});

Deno.test("PostgreSQL guard: refusals name the reason", async () => {
  const cases: [string, string][] = [
    ["SELECT 1; SELECT 2", "must be exactly one statement"],
    ["SELECT 1; -- trailing", "must be exactly one statement"],
    [";SELECT 1", "must be exactly one statement"],
    ["   ", "must be exactly one statement"],
    ["DELETE FROM t", "must be a SELECT, not DELETE"],
    ["COPY t TO '/tmp/x'", "must be a SELECT, not COPY"],
    ["ALTER TABLE t ADD c int", "must be a SELECT, not ALTER TABLE"],
    [
      "WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1",
      "must be a SELECT, not INSERT (in WITH x)",
    ],
    ["SELECT * INTO x FROM t", "may not use SELECT INTO"],
    ["SELECT * FROM t FOR SHARE", "may not use FOR UPDATE/SHARE"],
    ["SELECT $1", "may not use parameters ($1)"],
    ["SELECT pg_sleep(10)", "function pg_sleep is not allowed"],
    ["SELECT dblink('host=x', 'select 1')", "function dblink is not allowed"],
    ["SELECT public.lower('x')", "function public.lower is not allowed"],
    [`SELECT "LOWER"('x')`, "function LOWER is not allowed"],
    ["SELECT current_user", "function current_user is not allowed"],
    ["SELECT * FROM pg_catalog.pg_tables", "may not read system catalogs (pg_catalog.pg_tables)"],
    ["SELECT * FROM pg_tables", "may not read system catalogs (pg_catalog.pg_tables)"],
    [
      "SELECT * FROM information_schema.columns",
      "may not read system catalogs (information_schema.columns)",
    ],
    ["SELECT * FROM Pg_Toast.x", "may not read system catalogs (pg_toast.x)"],
    ["SELECT * FROM other.public.t", "may not read another database (other.public.t)"],
    ["SELECT 'x'::regclass", "cast to regclass is not allowed"],
    ["SELECT 1::pg_catalog.oid", "cast to pg_catalog.oid is not allowed"],
    ["SELECT 1 OPERATOR(pg_catalog.+) 1", "operator OPERATOR(pg_catalog.+) is not allowed"],
    ["SELECT 1 <-> 2", "operator <-> is not allowed"],
    ["SELECT * FROM t ORDER BY a USING ~<~", "operator ~<~ is not allowed"],
    [
      "SELECT 1 WHERE 1 OPERATOR(public.=) ANY (SELECT 1)",
      "operator OPERATOR(public.=) is not allowed",
    ],
    ["SELECT * FROM t TABLESAMPLE SYSTEM (1)", "may not use TABLESAMPLE"],
    ["SELECT xmlelement(name a)", "may not use XML functions"],
    ["SELECT * FROM f() AS (a int)", "function f is not allowed"],
    [
      "SELECT JSON_OBJECT('a': 1)",
      "may not use JsonObjectConstructor (not on the PostgreSQL allow-list)",
    ],
  ];
  for (const [sql, reason] of cases) assertEquals(await check(sql), reason, sql);
});

Deno.test("PostgreSQL guard: parse errors carry PostgreSQL's message and position", async () => {
  assertEquals(
    await check("SELEC 1"),
    'not valid PostgreSQL: syntax error at or near "SELEC" (at character 1)',
  );
  // Standard strings: the backslash does not escape the quote, as on the server.
  assertEquals(
    await check("SELECT 'it\\'s'"),
    `not valid PostgreSQL: unterminated quoted string at or near "'" (at character 14)`,
  );
  assertEquals(
    await check("SELECT 'a\\' , pg_ls_dir('.') --'"),
    "function pg_ls_dir is not allowed",
  );
});

Deno.test("PostgreSQL guard: deep and long trees never overflow, and the parser recovers", async () => {
  const ors = Array.from({ length: 20_000 }, (_, i) => `a = ${i}`).join(" OR ");
  assertEquals(await check(`SELECT * FROM t WHERE ${ors}`), undefined);
  assertEquals(
    await check(`SELECT * FROM t WHERE ${ors} OR pg_sleep(1)`),
    "function pg_sleep is not allowed",
  );
  const deep = `SELECT 1${" + 1".repeat(20_000)}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    assertEquals(await check(deep), "the SQL is nested too deeply to check");
    // The instance that broke is thrown away: the next parse is right.
    assertEquals(await check("SELECT lower(s) FROM t"), undefined);
    assertEquals(await check("SELECT pg_sleep(1)"), "function pg_sleep is not allowed");
  }
});

Deno.test("PostgreSQL guard: dataset_only allows the dataset and WITH queries in scope", async () => {
  const files: UserSqlScope = { relations: "dataset_only", dataset: "dataset" };
  for (
    const sql of [
      "SELECT * FROM dataset",
      "WITH a AS (SELECT * FROM dataset), b AS (SELECT * FROM a) SELECT * FROM b",
      "WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT * FROM dataset) SELECT * FROM a",
      "WITH s AS (SELECT 1) SELECT * FROM dataset WHERE EXISTS (SELECT 1 FROM s) UNION SELECT * FROM s",
    ]
  ) {
    assertEquals(await check(sql, files), undefined, sql);
  }
  const refused = "may read only the dataset and the query's own WITH queries, not";
  for (
    const [sql, name] of [
      ["SELECT * FROM secrets", "secrets"],
      ["SELECT * FROM public.dataset", "public.dataset"],
      // Without RECURSIVE a WITH query does not see the ones after it: b is a table there.
      ["WITH a AS (SELECT * FROM b), b AS (SELECT * FROM dataset) SELECT * FROM a", "b"],
      ["SELECT * FROM (WITH s AS (SELECT 1) SELECT * FROM s) x, s", "s"],
    ]
  ) {
    assertEquals(await check(sql, files), `${refused} ${name}`, sql);
  }
});

Deno.test("PostgreSQL guard: the allow-lists hold what checks need and nothing that acts", () => {
  for (const name of ["count", "row_number", "lower", "regexp_like", "date_trunc", "round"]) {
    assert.ok(ALLOWED_FUNCTIONS.has(name), name);
  }
  for (const name of [...ALLOWED_FUNCTIONS]) {
    assert.ok(!/^(pg_|lo_|txid|set_|current_setting|query_to|ts_(stat|rewrite))/.test(name), name);
  }
  for (const type of ["int4", "numeric", "text", "timestamptz", "jsonb"]) {
    assert.ok(ALLOWED_TYPES.has(type), type);
  }
  for (const type of ["regclass", "regproc", "oid", "xml"]) assert.ok(!ALLOWED_TYPES.has(type));
  assert.ok(ALLOWED_OPERATORS.has("||") && ALLOWED_OPERATORS.has("~*"));
});
