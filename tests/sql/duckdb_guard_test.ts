/**
 * The DuckDB guard on its own: DuckDB's parser reads the text, the walker accepts only
 * what its allow-lists name, CTE scope follows DuckDB's binding, and statements that
 * embed user SQL run as one prepared statement. The attack corpus through the CLI is
 * tests/security/duckdb_attacks_test.ts.
 */
import pl from "nodejs-polars";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { duckdbGuard } from "../../src/sql/guards/duckdb.ts";
import {
  ALLOWED_CAST_TYPES,
  ALLOWED_FUNCTIONS,
  ALLOWED_WINDOW_FUNCTIONS,
} from "../../src/sql/guards/duckdb_allowed.ts";
import { openDuckdbSession, vetDuckdbSql } from "../../src/engine/duckdb_session.ts";
import { countWithDuckdb } from "../../src/engine/duckdb_sql.ts";
import { traceSqlRows } from "../../src/engine/sql_trace.ts";
import { runKontract } from "../../src/engine/validate.ts";
import { loadKontract } from "../../src/kontract/load.ts";
import { KontractError } from "../../mod.ts";
import type { DuckdbTable, Source } from "../../src/sources/source.ts";

const SCOPE = { relations: "dataset_only", dataset: "kontra_dataset" } as const;
const check = (sql: string) =>
  duckdbGuard.check(sql.replaceAll("{table}", '"kontra_dataset"'), SCOPE);

Deno.test("DuckDB guard: accepts the SELECTs data checks are written with", async () => {
  for (
    const sql of [
      "SELECT * FROM {table} WHERE age < 0",
      "FROM {table} WHERE age < 0",
      "WITH d AS (SELECT email, count(*) AS n FROM {table} GROUP BY email) SELECT * FROM d WHERE n > 1",
      "SELECT a.* FROM {table} a JOIN {table} b ON a.id = b.id WHERE a.email <> b.email",
      "select email from {table} where email not like '%@%' and email ilike 'A%'",
      "SELECT * FROM {table} QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts DESC) > 1",
      "SELECT count(*) FILTER (WHERE x > 1), CASE WHEN a THEN 1 END, a::INT FROM {table}",
      "SELECT TRY_CAST(a AS DATE), a::DECIMAL(10,2)[], CAST(a AS TIMESTAMPTZ) FROM {table}",
      "SELECT * FROM {table} WHERE regexp_matches(email, '^a') AND d + INTERVAL 1 DAY > current_date",
      "SELECT id FROM {table} UNION SELECT id FROM {table} EXCEPT SELECT 1",
      "SELECT lpad(code, 5, '0'), rpad(code, 10000, ' ') FROM {table}",
      "SELECT * FROM {table}, unnest([1, 2]) AS u(x)",
      "SELECT * FROM (VALUES (1, 'a')) v(x, y)",
      "SELECT * EXCLUDE (a) REPLACE (b + 1 AS b), COLUMNS('x.*') FROM {table}",
      "SELECT list_transform(l, x -> x + 1) FROM {table}",
      "SELECT 1 WHERE EXISTS (SELECT 1 FROM {table}) AND 1 IN (SELECT 1) AND 2 > ALL (SELECT 1)",
      "SELECT sum(x) OVER w, lag(x) OVER (ORDER BY y) FROM {table} WINDOW w AS (PARTITION BY a)",
      "SELECT date_diff('day', a, b), strftime(a, '%Y'), EXTRACT(year FROM a) FROM {table}",
      "SELECT * FROM {table} a ASOF JOIN {table} b ON a.t >= b.t",
      "SELECT * FROM {table} a, LATERAL (SELECT a.id) l",
      "WITH x AS (SELECT 1 AS a) SELECT * FROM (WITH y AS (SELECT * FROM x) SELECT * FROM y)",
      'WITH "Users" AS (SELECT * FROM {table}) SELECT * FROM users',
      "SELECT $$it's$$, E'a\\'b', 'a\\' FROM {table}",
      "SELECT * FROM {table} WHERE id > 3 -- a trailing comment",
    ]
  ) {
    assertEquals(await check(sql), undefined, sql);
  }
});

Deno.test("DuckDB guard: refuses anything it does not positively allow, naming why", async () => {
  const cases: [string, string][] = [
    ["", "is empty"],
    ["SELECT 1; SELECT 2", "must be exactly one statement"],
    ["SELECT 1; DROP VIEW kontra_dataset", "must be exactly one statement"],
    ["DELETE FROM {table}", "must be a SELECT, not DELETE"],
    ["/* x */ CREATE OR REPLACE VIEW kontra_dataset AS SELECT 1", "must be a SELECT, not CREATE"],
    ["SELEC 1", 'not valid DuckDB SQL: syntax error at or near "SELEC"'],
    ["SELECT 1 /* open", 'not valid DuckDB SQL: unterminated /* comment at or near "/* open"'],
    ["SELECT * FROM read_csv('x.csv')", "function read_csv is not allowed"],
    ["SELECT getenv('HOME')", "function getenv is not allowed"],
    ["SELECT main.getenv('HOME')", "function getenv is not allowed"],
    ["SELECT system.main.lower('x')", "function system.main.lower is not allowed"],
    ["SELECT pg_catalog.lower('x')", "function pg_catalog.lower is not allowed"],
    ["SELECT * FROM range(1000000000000000)", "function range is not allowed"],
    ["SELECT lpad('a', 2000000000, 'x')", "lpad needs an integer literal width of at most 10000"],
    [
      "SELECT rpad('a', id, 'x') FROM {table}",
      "rpad needs an integer literal width of at most 10000",
    ],
    ["SELECT * FROM '/etc/passwd'", "may read only {table} and its own CTEs, not /etc/passwd"],
    [
      "SELECT * FROM main.kontra_dataset",
      "may read only {table} and its own CTEs, not main.kontra_dataset",
    ],
    [
      "SELECT * FROM information_schema.tables",
      "may read only {table} and its own CTEs, not information_schema.tables",
    ],
    ["SELECT * FROM pg_class", "may read only {table} and its own CTEs, not pg_class"],
    [
      "WITH duckdb_settings AS (SELECT 1) SELECT * FROM duckdb_settings",
      "the CTE name duckdb_settings is reserved for DuckDB's system views",
    ],
    [
      "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
      "recursive CTEs are not allowed",
    ],
    ["SELECT * FROM {table} USING SAMPLE 10%", "SAMPLE is not allowed"],
    ["SELECT * FROM {table} TABLESAMPLE 5", "SAMPLE is not allowed"],
    ["SELECT * FROM {table} AT (VERSION => 1)", "time travel (AT …) is not allowed"],
    ["SELECT * FROM (DESCRIBE {table})", "SHOW, DESCRIBE and SUMMARIZE are not allowed"],
    ["SELECT * FROM (PIVOT {table} ON a IN ('x') USING sum(b))", "PIVOT is not allowed"],
    ["SELECT $1", "parameters are not allowed"],
    ["SELECT a::json FROM {table}", "cast to json is not allowed"],
    ["SELECT a::STRUCT(x INT) FROM {table}", "cast to STRUCT is not allowed"],
    ["SELECT *COLUMNS(*) FROM {table}", "OPERATOR_UNPACK is not allowed"],
    ["SELECT row_number() FROM {table}", "function row_number is not allowed"],
    ["SELECT fill(a) OVER () FROM {table}", "WINDOW_FILL is not allowed"],
  ];
  for (const [sql, reason] of cases) assertEquals(await check(sql), reason, sql);
});

Deno.test("DuckDB guard: a CTE covers its own query and later CTEs, nothing else", async () => {
  const outOfScope = "may read only {table} and its own CTEs, not secret.csv";
  const cases: [string, string | undefined][] = [
    ['WITH "secret.csv" AS (SELECT 1 AS x) SELECT * FROM "secret.csv"', undefined],
    ['WITH "secret.csv" AS (SELECT 1 AS x) SELECT (SELECT x FROM "secret.csv")', undefined],
    ["WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b", undefined],
    // Its own body: DuckDB would look the name up in the catalog (a replacement scan).
    ['WITH "secret.csv" AS (SELECT * FROM "secret.csv") SELECT 1', outOfScope],
    // A later CTE is not visible to an earlier one.
    [
      'WITH a AS (SELECT * FROM "secret.csv"), "secret.csv" AS (SELECT 1) SELECT * FROM a',
      outOfScope,
    ],
    // A CTE of a subquery does not cover its siblings or the outer query.
    [
      'SELECT * FROM (WITH "secret.csv" AS (SELECT 1 AS x) SELECT x FROM "secret.csv") s, "secret.csv"',
      outOfScope,
    ],
    ['SELECT (WITH "secret.csv" AS (SELECT 1) SELECT 1), * FROM "secret.csv"', outOfScope],
    [
      'WITH a AS (WITH "secret.csv" AS (SELECT 1 AS x) SELECT x FROM "secret.csv"), b AS (SELECT * FROM "secret.csv") SELECT * FROM b',
      outOfScope,
    ],
    [
      'SELECT * FROM (WITH "secret.csv" AS (SELECT 1 AS x) SELECT x FROM "secret.csv") UNION ALL SELECT * FROM "secret.csv"',
      outOfScope,
    ],
  ];
  for (const [sql, reason] of cases) assertEquals(await check(sql), reason, sql);
});

Deno.test("DuckDB guard: very long and very deep SQL is refused or accepted, never a crash", async () => {
  const ors = `SELECT * FROM {table} WHERE ${Array(19_000).fill("a").join(" OR ")}`;
  assertEquals(await check(ors), undefined);
  const deep: [string, RegExp][] = [
    [`SELECT ${"(".repeat(30_000)}1${")".repeat(30_000)}`, /^not valid DuckDB SQL: /],
    [`SELECT ${"(SELECT ".repeat(5_000)}1${")".repeat(5_000)}`, /^not valid DuckDB SQL: /],
    [`SELECT ${"NOT ".repeat(40_000)}true`, /^not valid DuckDB SQL: /],
    [`SELECT ${Array(20_000).fill("1").join("+")}`, /^not valid DuckDB SQL: Max expression depth/],
  ];
  for (const [sql, reason] of deep) assert.match((await check(sql))!, reason);
});

Deno.test("DuckDB guard: concurrent checks each get their own answer", async () => {
  const sqls = Array.from(
    { length: 40 },
    (_, index) => index % 2 === 0 ? `SELECT ${index} FROM {table}` : `SELECT getenv('X${index}')`,
  );
  const reasons = await Promise.all(sqls.map(check));
  assertEquals(
    reasons,
    sqls.map((sql) => sql.includes("getenv") ? "function getenv is not allowed" : undefined),
  );
});

Deno.test("DuckDB guard: scope non_system is refused, the docs list is sorted and sized", async () => {
  assertEquals(
    await duckdbGuard.check("SELECT 1", { relations: "non_system" }),
    "DuckDB runs user SQL over a dataset only",
  );
  const names = duckdbGuard.allowedFunctions;
  assertEquals([...names], [...names].sort());
  assertEquals(new Set(names).size, names.length);
  assertEquals(names.length, new Set([...ALLOWED_FUNCTIONS, ...ALLOWED_WINDOW_FUNCTIONS]).size);
  for (const refused of ["query", "read_csv", "getenv", "range", "glob", "repeat"]) {
    assert.ok(!names.includes(refused), refused);
  }
  assert.ok(ALLOWED_CAST_TYPES.has("VARCHAR") && !ALLOWED_CAST_TYPES.has("UNBOUND"));
});

/** A Parquet file of ids 1 to 5 as the session's table. */
function fiveIds(dir: string): DuckdbTable {
  const path = `${dir}/ids.parquet`;
  pl.DataFrame({ id: pl.Series("id", [1, 2, 3, 4, 5], pl.Int64) }).writeParquet(path);
  return {
    from: `read_parquet('${path}')`,
    allowedPaths: [path],
    exactTypes: true,
    release: () => Promise.resolve(),
  };
}

Deno.test("DuckDB session: SQL that embeds user text runs as exactly one statement", async () => {
  await using dir = await tempDir();
  const table = fiveIds(dir.path);
  const vetted = await vetDuckdbSql("SELECT * FROM {table} WHERE id > 3", "rule");
  assertEquals(vetted.text, 'SELECT * FROM "kontra_dataset" WHERE id > 3');
  const session = await openDuckdbSession(table);
  try {
    const reader = await session.readAll(vetted, (query) => `SELECT COUNT(*) FROM (${query})`);
    assertEquals(Number(reader.getRows()[0][0]), 2);
    // Whatever the wrapper adds, DuckDB prepares one statement or none.
    await assert.rejects(
      session.readAll(vetted, (query) => `SELECT 1; CREATE TABLE pwned AS ${query}`),
      /Cannot prepare multiple statements at once/,
    );
  } finally {
    session.close();
  }
  assertEquals(
    Object.fromEntries(await countWithDuckdb(table, [{ key: "k", label: "rule", sql: vetted }])),
    { k: 2 },
  );
  await assertRejectsWith(
    vetDuckdbSql("SELECT * FROM {table}; CREATE TABLE pwned (x INT)", "kontract.yml:3:5: r"),
    KontractError,
    /^kontract\.yml:3:5: r: must be exactly one statement in custom_sql_check$/,
    2,
  );
  assertEquals(
    await traceSqlRows(table, "SELECT * FROM read_parquet('x')", { id: pl.Int64 }),
    {
      skipped:
        "the query is refused: custom_sql_check: function read_parquet is not allowed in custom_sql_check",
    },
  );
  assertEquals([...Deno.readDirSync(dir.path)].map((entry) => entry.name), ["ids.parquet"]);
});

Deno.test("DuckDB: a refused custom_sql_check stops the run before any data is read", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/kontract.yml`;
  await Deno.writeTextFile(
    path,
    [
      "name: t",
      "datasource: users.parquet",
      "rules:",
      "  - name: not_null",
      "    params: { column: id }",
      "  - name: custom_sql_check",
      "    id: bad",
      "    params: { sql: \"SELECT * FROM read_text('/etc/passwd')\" }",
      "",
    ].join("\n"),
  );
  const kontract = await loadKontract(path, { env: {} });
  const calls: string[] = [];
  const source: Source = {
    uri: "recording://users",
    schema: () => (calls.push("schema"), Promise.resolve({ columns: [] })),
    stats: () => (calls.push("stats"), Promise.resolve(undefined)),
    scan: () => {
      calls.push("scan");
      return pl.DataFrame({ id: [1] }).lazy();
    },
    duckdb: () => (calls.push("duckdb"), Promise.reject(new Error("must not be reached"))),
  };
  await assertRejectsWith(
    runKontract(kontract, source).then(({ document }) => document),
    KontractError,
    /kontract\.yml:6:5: bad: function read_text is not allowed in custom_sql_check$/,
    2,
  );
  assertEquals(calls, []);
});
