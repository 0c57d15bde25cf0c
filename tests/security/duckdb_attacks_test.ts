/**
 * User SQL against DuckDB on local files, as an attacker would write it: every case runs
 * through the Kontra CLI (in this process, every output captured) on a real Parquet file
 * (some on CSV too), in a Kontract whose attack rule sits between two honest ones. Each
 * must be refused as a Kontract error (exit 2, one line naming the reason and the rule's
 * file:line:col) before any data is read, and leave every sentinel as it was: a secret
 * file and a secret environment variable next to the dataset never appear in any output,
 * no file is created or changed (COPY … TO, EXPORT, ATTACH), and a following honest run
 * still counts what it counted before (no view replaced, no setting changed, file reads
 * still refused).
 *
 * Legitimate queries (CTEs, self-joins, windows, FILTER, CASE, casts, LIKE, regular
 * expressions, date arithmetic, UNION, QUALIFY, …) must still run and count correctly.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { assert, assertEquals } from "../support/assert.ts";
import { type Run, runCli } from "../support/cli.ts";
import {
  attackClasses,
  type EngineTests,
  escapeRegExp,
  notSelect as notSelectStatement,
  PURPOSE,
  refusedFor,
  refusedFunction,
} from "../support/user_sql_attacks.ts";

// --- the world the attacks run in ----------------------------------------------------------

/** A private directory with the dataset (Parquet and CSV), secrets and an attack target. */
interface World {
  dir: string;
  /** Appears in secret.txt, secret.csv and the environment variable SENTINEL_VARIABLE. */
  secret: string;
}

const SENTINEL_VARIABLE = "KONTRA_DUCKDB_ATTACK_SENTINEL";

/**
 * Six rows. By construction: 2 ids above 4, 1 NULL email, "a@x.io" twice, 3 rows with
 * `a`, ages 17 and 66 at the ends, amounts 10.5 and 7.25 not whole.
 */
function dataset() {
  return pl.DataFrame({
    id: pl.Series("id", [1, 2, 3, 4, 5, 6], pl.Int64),
    email: ["a@x.io", "b@x.io", null, "a@x.io", "bad", "c@y.org"],
    age: pl.Series("age", [20, 35, 41, null, 17, 66]).cast(pl.Int32),
    joined: pl.Series("joined", [
      "2024-01-01",
      "2024-02-15",
      "2024-03-31",
      "2024-03-01",
      "2023-12-31",
      "2024-06-30",
    ]).str.strptime(pl.Date, "%Y-%m-%d"),
    a: [true, false, true, false, false, true],
    amount: pl.Series("amount", [10.5, 20, 0, -5, 100, 7.25], pl.Float64),
  });
}

let world: Promise<World> | undefined;

/** The world, made once for this file. */
function setUp(): Promise<World> {
  world ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "kontra-duckdb-attack-" });
    const secret = `KONTRA-SECRET-${crypto.randomUUID()}`;
    const frame = dataset();
    frame.writeParquet(join(dir, "users.parquet"));
    frame.writeCSV(join(dir, "users.csv"));
    await Deno.writeTextFile(join(dir, "secret.txt"), `${secret}\n`);
    await Deno.writeTextFile(join(dir, "secret.csv"), `secret\n${secret}\n`);
    Deno.env.set(SENTINEL_VARIABLE, secret);
    return { dir, secret };
  })();
  return world;
}

/** This file's tests, all in the one world. */
const DUCKDB: EngineTests<World> = {
  engine: "DuckDB",
  inWorld: async (body) => body(await setUp()),
};

globalThis.addEventListener("unload", () => {
  // Best effort: the directory is private to this file's run.
  void world?.then(({ dir }) => Deno.removeSync(dir, { recursive: true }));
});

/** Every file in the world and its content, excluding the Kontracts the tests write. */
function files(w: World): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of Deno.readDirSync(w.dir)) {
    if (entry.name.endsWith(".yml")) continue;
    const path = join(w.dir, entry.name);
    found[entry.name] = entry.isFile
      ? new TextDecoder().decode(Deno.readFileSync(path)).slice(0, 4096)
      : "(not a file)";
  }
  return found;
}

const HONEST = [
  "  - name: custom_sql_check",
  "    id: before",
  '    params: { sql: "SELECT * FROM {table} WHERE id > 4" }',
];
const HONEST_AFTER = [
  "  - name: custom_sql_check",
  "    id: after",
  '    params: { sql: "SELECT * FROM {table} WHERE email IS NULL" }',
];

/** Writes a Kontract over `data`, with `rules` (YAML lines), and returns its path. */
async function kontract(w: World, data: string, rules: string[]): Promise<string> {
  const path = join(w.dir, `kontract-${crypto.randomUUID()}.yml`);
  const lines = ["name: attack", `datasource: ${data}`, "rules:", ...rules];
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

/** Runs the CLI with JSON output and returns the run and the failed counts by rule id. */
async function run(path: string): Promise<{ run: Run; counts: Record<string, number> }> {
  const result = await runCli(["validate", path, "-o", "json", "--no-actions"]);
  const counts: Record<string, number> = {};
  if (result.code === 0 || result.code === 1) {
    const document = JSON.parse(result.stdout);
    for (const rule of document.results) counts[rule.rule_id] = rule.failed_count;
  }
  return { run: result, counts };
}

/** What an attack could change, read from outside Kontra. */
async function sentinels(w: World, data: string): Promise<Record<string, unknown>> {
  const honest = await run(await kontract(w, data, [...HONEST, ...HONEST_AFTER]));
  // A file read is still refused: nothing switched the guard or DuckDB's lock-down off.
  const probe = await run(
    await kontract(w, data, [
      "  - name: custom_sql_check",
      "    params:",
      `      sql: ${JSON.stringify(`SELECT * FROM read_text('${join(w.dir, "secret.txt")}')`)}`,
    ]),
  );
  return {
    files: files(w),
    honest: honest.counts,
    honestExit: honest.run.code,
    probeExit: probe.run.code,
    environment: Deno.env.get(SENTINEL_VARIABLE),
    leaked: [honest.run, probe.run].some((r) => (r.stdout + r.stderr).includes(w.secret)),
  };
}

const baselines = new Map<string, Promise<Record<string, unknown>>>();

/** The sentinels before any attack ran over `data`, checked to be what they must be. */
function baseline(w: World, data: string): Promise<Record<string, unknown>> {
  if (!baselines.has(data)) {
    baselines.set(
      data,
      sentinels(w, data).then((found) => {
        assertEquals(found.honest, { before: 2, after: 1 });
        assertEquals([found.honestExit, found.probeExit, found.leaked], [1, 2, false]);
        return found;
      }),
    );
  }
  return baselines.get(data)!;
}

/** The attack's placeholders filled in: `{dir}`, `{secret}` (secret.txt), `{secretcsv}`. */
function fill(w: World, sql: string): string {
  return sql.replaceAll("{dir}", w.dir).replaceAll("{secret}", join(w.dir, "secret.txt"))
    .replaceAll("{secretcsv}", join(w.dir, "secret.csv"));
}

/**
 * Where a refusal names the rule: line 7, column 5 of the Kontract, id `attack`; or, when
 * loading the Kontract refused the SQL already (too long), the field itself.
 */
const WHERE = /^kontra: \S*kontract-[\w-]+\.yml:7:5: attack: /;
const WHERE_LOADING = /^kontra: \S*kontract-[\w-]+\.yml:10:\d+: rules\[1\]\.params\.sql: /;

/** Runs `sql` as the middle rule over `data`; asserts it is refused for `reason`, unharmed. */
async function assertRefused(
  w: World,
  sql: string,
  reason: RegExp,
  data: string,
  atLoad: boolean,
) {
  const text = fill(w, sql);
  const before = await baseline(w, data);
  const path = await kontract(w, data, [
    ...HONEST,
    "  - name: custom_sql_check",
    "    id: attack",
    "    params:",
    `      sql: ${JSON.stringify(text)}`,
    ...HONEST_AFTER,
  ]);
  const { run: attack } = await run(path);
  const what = `${data}: ${JSON.stringify(text.slice(0, 200))}`;
  const said = `${what}: exit ${attack.code}: ${attack.stderr.slice(0, 400)}`;
  assertEquals(attack.code, 2, said);
  assertEquals(attack.stdout, "", said);
  assert.match(attack.stderr, atLoad ? WHERE_LOADING : WHERE, said);
  assert.match(attack.stderr, reason, said);
  if (!atLoad) assert.ok(attack.stderr.endsWith(`${PURPOSE.custom_sql_check}\n`), said);
  assertEquals(attack.stderr.split("\n").length, 2, `${said}: one line`);
  assert.ok(!(attack.stdout + attack.stderr).includes(w.secret), `${what}: the secret leaked`);
  assertEquals(await sentinels(w, data), before, `${what}: a sentinel changed`);
}

/**
 * An attack, the reason it must be refused for, and whether to run it on CSV too or
 * whether loading the Kontract refuses it already.
 */
type Attack = readonly [sql: string, reason: RegExp, how?: "csv" | "at load"];

/** One test per class of attack, one step per case (on Parquet, and on CSV if asked). */
const attackClass = attackClasses(DUCKDB, async (w, [sql, reason, how]: Attack) => {
  await assertRefused(w, sql, reason, "users.parquet", how === "at load");
  if (how === "csv") await assertRefused(w, sql, reason, "users.csv", false);
});

// DuckDB's reasons are checked up to the ` in` that starts the purpose.
const fn = (name: string) => refusedFunction(name, " in");
/** `{secretcsv}` in `name` stands for the secret CSV's absolute path. */
const reads = (name: string) =>
  new RegExp(
    `: may read only \\{table\\} and its own CTEs, not ${
      escapeRegExp(name).replace(escapeRegExp("{secretcsv}"), "\\S*/secret\\.csv")
    } in`,
  );
const reserved = (name: string) =>
  refusedFor(`the CTE name ${name} is reserved for DuckDB's system views`);
const notSelect = (what: string) => notSelectStatement(what, " in");
const ONE_STATEMENT = refusedFor("must be exactly one statement", " in");
const INVALID = /: not valid DuckDB SQL: /;

// --- the sentinels work ----------------------------------------------------------------------

Deno.test("DuckDB attacks: the sentinels notice what attacks would do", async () => {
  const w = await setUp();
  const before = await sentinels(w, "users.parquet");
  await Deno.writeTextFile(join(w.dir, "pwned.csv"), "x\n");
  const after = await sentinels(w, "users.parquet");
  await Deno.remove(join(w.dir, "pwned.csv"));
  assertEquals(Object.keys(after.files as object).includes("pwned.csv"), true);
  assertEquals(await sentinels(w, "users.parquet"), before);
  // What a file read would have shown is the secret itself.
  assertEquals(files(w)["secret.txt"], `${w.secret}\n`);
});

// --- the corpus ------------------------------------------------------------------------------

attackClass("parser differentials (backslashes, E'' and dollar strings, comments)", [
  [
    String.raw`SELECT * FROM {table} WHERE email = 'x\' OR getenv('HOME') IS NOT NULL --'`,
    fn("getenv"),
  ],
  [String.raw`SELECT 'a\' , query('SELECT 1') --'`, fn("query"), "csv"],
  [String.raw`SELECT E'x\'' AS q, current_setting('home_directory') AS h`, fn("current_setting")],
  [String.raw`SELECT E'\\' , (SELECT content FROM read_text('{secret}')) --'`, fn("read_text")],
  ["SELECT $$ ' $$ AS q, getenv('" + SENTINEL_VARIABLE + "') AS s", fn("getenv")],
  ["SELECT $t$ $$ ' $t$ AS q, * FROM read_csv('{secretcsv}')", fn("read_csv")],
  [String.raw`SELECT 1 AS "x\", getenv('HOME') AS "y"`, fn("getenv")],
  ["SELECT 1 /* ' */ , duckdb_settings() -- '", fn("duckdb_settings")],
  ["SELECT 1 -- ' \n, json_execute_serialized_sql('x')", fn("json_execute_serialized_sql")],
  [String.raw`SELECT 'a\' , (SELECT value FROM duckdb_settings()) , '`, INVALID],
]);

attackClass("several statements, closing Kontra's wrapper", [
  ["SELECT 1) AS q; CREATE TABLE pwned AS SELECT 1; SELECT (1", INVALID, "csv"],
  [
    "SELECT 1) AS q; COPY (SELECT * FROM read_text('{secret}')) TO '{dir}/pwned.csv'; SELECT COUNT(*) FROM (SELECT 1",
    INVALID,
  ],
  ["SELECT 1; CREATE OR REPLACE VIEW kontra_dataset AS SELECT 1 AS id", ONE_STATEMENT, "csv"],
  ["SELECT * FROM {table};\nDROP VIEW kontra_dataset", ONE_STATEMENT],
  ["SELECT 1 ; ATTACH '{dir}/pwned.db' AS p ; SELECT 1", ONE_STATEMENT],
  ["SELECT 1 /* ; */ ; SET enable_external_access = true", ONE_STATEMENT],
  ["SELECT 1; -- x\nCOPY kontra_dataset TO '{dir}/pwned.csv'", ONE_STATEMENT],
  ["select 1;select 2", ONE_STATEMENT],
]);

attackClass("CREATE / CREATE OR REPLACE VIEW over the dataset, and macros", [
  ["CREATE OR REPLACE VIEW kontra_dataset AS SELECT 1 AS id", notSelect("CREATE"), "csv"],
  [
    "create or replace temp view kontra_dataset as select * from {table} limit 0",
    notSelect("CREATE"),
  ],
  ["/* hi */ (CREATE TABLE pwned AS SELECT * FROM {table})", INVALID],
  ["CREATE TABLE pwned AS SELECT * FROM {table}", notSelect("CREATE")],
  ["CREATE MACRO m(x) AS x", notSelect("CREATE")],
  ["CREATE OR REPLACE MACRO lower(x) AS getenv('HOME')", notSelect("CREATE")],
  [
    "CREATE TEMP MACRO t() AS TABLE SELECT * FROM read_text('{secret}')",
    notSelect("CREATE"),
  ],
  ["SELECT * FROM histogram(kontra_dataset, id)", fn("histogram")],
]);

attackClass("INSERT, UPDATE, DELETE and data-modifying CTEs", [
  ["INSERT INTO kontra_dataset VALUES (1)", notSelect("INSERT")],
  ["UPDATE {table} SET id = 0", notSelect("UPDATE"), "csv"],
  ["DELETE FROM {table}", notSelect("DELETE")],
  ["TRUNCATE kontra_dataset", notSelect("TRUNCATE")],
  ["WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", INVALID],
  ["WITH x AS (DELETE FROM {table} RETURNING *) SELECT * FROM x", INVALID],
  ["WITH x AS (UPDATE {table} SET id = 1 RETURNING id) SELECT count(*) FROM x", INVALID],
]);

attackClass("COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA, CALL and friends", [
  ["COPY kontra_dataset TO '{dir}/pwned.csv'", notSelect("COPY"), "csv"],
  ["COPY (SELECT * FROM read_text('{secret}')) TO '{dir}/pwned.csv'", notSelect("COPY")],
  ["EXPORT DATABASE '{dir}/pwned'", notSelect("EXPORT")],
  ["ATTACH '{dir}/pwned.db' AS p", notSelect("ATTACH")],
  ["INSTALL httpfs", notSelect("INSTALL")],
  ["LOAD httpfs", notSelect("LOAD")],
  ["SET enable_external_access = true", notSelect("SET")],
  ["RESET lock_configuration", notSelect("RESET")],
  ["PRAGMA enable_profiling", notSelect("PRAGMA")],
  ["CALL pragma_version()", notSelect("CALL")],
  ["EXPLAIN ANALYZE SELECT * FROM {table}", notSelect("EXPLAIN")],
  ["DESCRIBE kontra_dataset", /: SHOW, DESCRIBE and SUMMARIZE are not allowed in/],
  ["SUMMARIZE {table}", /: SHOW, DESCRIBE and SUMMARIZE are not allowed in/],
  ["SELECT * FROM (SHOW ALL TABLES)", /: SHOW, DESCRIBE and SUMMARIZE are not allowed in/],
  ["USE memory", notSelect("USE")],
  ["CHECKPOINT", notSelect("CHECKPOINT")],
]);

attackClass("file reads (table functions, replacement scans), nested anywhere", [
  ["SELECT * FROM read_csv('{secretcsv}')", fn("read_csv"), "csv"],
  ["SeLeCt * FrOm ReAd_CsV_AuTo('{secretcsv}')", fn("read_csv_auto")],
  [`SELECT * FROM "read_csv"('{secretcsv}')`, fn("read_csv")],
  ["SELECT * FROM read_parquet('{dir}/users.parquet')", fn("read_parquet")],
  ["SELECT content FROM read_text('{secret}')", fn("read_text"), "csv"],
  ["SELECT * FROM read_blob('{secret}')", fn("read_blob")],
  ["SELECT * FROM read_json('{secret}')", fn("read_json")],
  ["SELECT * FROM glob('{dir}/*')", fn("glob")],
  ["SELECT * FROM parquet_metadata('{dir}/users.parquet')", fn("parquet_metadata")],
  ["SELECT * FROM sniff_csv('{secretcsv}')", fn("sniff_csv")],
  ["SELECT * FROM parquet_scan('{dir}/users.parquet')", fn("parquet_scan")],
  ["SELECT * FROM '{secretcsv}'", reads("{secretcsv}"), "csv"],
  [`SELECT * FROM "{secretcsv}"`, reads("{secretcsv}")],
  ["SELECT * FROM '/etc/passwd'", reads("/etc/passwd")],
  ["SELECT * FROM {table} t, LATERAL (SELECT * FROM read_text('{secret}')) s", fn("read_text")],
  [
    "SELECT * FROM (VALUES ((SELECT content FROM read_text('{secret}')))) v(c)",
    fn("read_text"),
  ],
  [
    "SELECT * FROM {table} ORDER BY (SELECT count(*) FROM read_csv('{secretcsv}'))",
    fn("read_csv"),
  ],
  [
    "WITH s AS (SELECT * FROM read_text('{secret}')) SELECT * FROM {table}, s",
    fn("read_text"),
  ],
  [
    "SELECT count(*) FILTER (WHERE id IN (SELECT 1 FROM read_text('{secret}'))) FROM {table}",
    fn("read_text"),
  ],
  [
    "SELECT row_number() OVER (PARTITION BY (SELECT content FROM read_text('{secret}'))) FROM {table}",
    fn("read_text"),
  ],
  ["SELECT/**/read_text/**/('{secret}')", fn("read_text")],
  ["SELECT\tREAD_BLOB\n(\n'{secret}'\n)", fn("read_blob")],
]);

attackClass("functions that run SQL text", [
  ["SELECT query('SELECT 1')", fn("query"), "csv"],
  ["SELECT * FROM query('SELECT * FROM read_text(''{secret}'')')", fn("query")],
  ["SELECT * FROM query_table('kontra_dataset')", fn("query_table")],
  [
    "SELECT json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
    fn("json_execute_serialized_sql"),
  ],
  [
    "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
    fn("json_execute_serialized_sql"),
  ],
  ["SELECT * FROM {table} WHERE id IN (SELECT * FROM query('SELECT 1'))", fn("query")],
]);

attackClass("settings, secrets and the environment", [
  ["SELECT * FROM duckdb_settings()", fn("duckdb_settings"), "csv"],
  ["SELECT current_setting('home_directory')", fn("current_setting")],
  [`SELECT getenv('${SENTINEL_VARIABLE}')`, fn("getenv"), "csv"],
  ["SELECT * FROM duckdb_secrets()", fn("duckdb_secrets")],
  ["SELECT * FROM which_secret('s3://b/k', 's3')", fn("which_secret")],
  ["SELECT * FROM duckdb_extensions()", fn("duckdb_extensions")],
  ["SELECT * FROM duckdb_views()", fn("duckdb_views")],
  ["SELECT * FROM {table} WHERE CASE WHEN true THEN getenv('HOME') END IS NULL", fn("getenv")],
  ["SELECT list_transform([1], x -> getenv('HOME'))", fn("getenv")],
  ["SELECT main.getenv('HOME')", fn("getenv")],
  ["SELECT system.main.current_setting('threads')", fn("current_setting")],
]);

attackClass("system catalogs", [
  ["SELECT * FROM information_schema.tables", reads("information_schema.tables"), "csv"],
  [`SELECT * FROM "information_schema"."columns"`, reads("information_schema.columns")],
  ["SELECT * FROM duckdb_tables()", fn("duckdb_tables")],
  ["SELECT * FROM duckdb_settings", reads("duckdb_settings")],
  ["SELECT * FROM sqlite_master", reads("sqlite_master")],
  ["SELECT * FROM pg_catalog.pg_class", reads("pg_catalog.pg_class")],
  ["SELECT * FROM pg_class", reads("pg_class")],
  ["SELECT * FROM memory.main.kontra_dataset", reads("memory.main.kontra_dataset")],
  ["SELECT * FROM system.main.duckdb_views", reads("system.main.duckdb_views")],
]);

attackClass("CTE scope tricks", [
  ["WITH duckdb_settings AS (SELECT 1) SELECT * FROM duckdb_settings", reserved("duckdb_settings")],
  [`WITH "Sqlite_Master" AS (SELECT 1) SELECT * FROM sqlite_master`, reserved("Sqlite_Master")],
  ["WITH pg_class AS (SELECT * FROM pg_class) SELECT * FROM pg_class", reserved("pg_class")],
  [`WITH "{secretcsv}" AS (SELECT * FROM "{secretcsv}") SELECT 1`, reads("{secretcsv}")],
  [
    `WITH a AS (SELECT * FROM "{secretcsv}"), "{secretcsv}" AS (SELECT 1) SELECT * FROM a`,
    reads("{secretcsv}"),
  ],
  [
    `SELECT * FROM (WITH "{secretcsv}" AS (SELECT 1 AS x) SELECT x FROM "{secretcsv}") s, "{secretcsv}"`,
    reads("{secretcsv}"),
    "csv",
  ],
  [
    `SELECT (WITH "{secretcsv}" AS (SELECT 1) SELECT 1), * FROM "{secretcsv}"`,
    reads("{secretcsv}"),
  ],
  [
    `WITH a AS (WITH "{secretcsv}" AS (SELECT 1 AS x) SELECT x FROM "{secretcsv}"), b AS (SELECT * FROM "{secretcsv}") SELECT * FROM b`,
    reads("{secretcsv}"),
  ],
  [
    `SELECT * FROM (WITH "{secretcsv}" AS (SELECT 1 AS x) SELECT x FROM "{secretcsv}") UNION ALL SELECT * FROM "{secretcsv}"`,
    reads("{secretcsv}"),
  ],
  [
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
    /: recursive CTEs are not allowed in/,
  ],
]);

attackClass("generators and amplifiers (unbounded output from a constant)", [
  ["SELECT * FROM range(1000000000000000)", fn("range"), "csv"],
  ["SELECT * FROM generate_series(1, 1000000000000)", fn("generate_series")],
  ["SELECT * FROM {table}, range(1e15) r", fn("range")],
  ["SELECT unnest(range(1000000000000000))", fn("range")],
  ["SELECT repeat('x', 1000000000)", fn("repeat")],
  [
    "SELECT lpad('a', 2000000000, 'x')",
    /: lpad needs an integer literal width of at most 10000 in/,
  ],
  ["SELECT rpad(email, age * 100000000, 'x') FROM {table}", /: rpad needs an integer/],
  ["SELECT * FROM {table} USING SAMPLE 10%", /: SAMPLE is not allowed in/],
]);

attackClass("very long and very deep input", [
  [
    `SELECT * FROM {table} WHERE ${Array(20_000).fill("a").join(" OR ")}`,
    /: Too big: expected string to have <=100000 characters$/m,
    "at load",
  ],
  [`SELECT ${"(".repeat(30_000)}1${")".repeat(30_000)}`, INVALID],
  [`SELECT * FROM ${"(SELECT * FROM ".repeat(5_000)}{table}${")".repeat(5_000)}`, INVALID],
  [`SELECT ${Array(20_000).fill("1").join("+")}`, /: not valid DuckDB SQL: Max expression depth/],
]);

// --- legitimate queries still count ----------------------------------------------------------

/** Honest checks and the rows each returns over `dataset()`. */
const LEGITIMATE: readonly [sql: string, rows: number][] = [
  [
    "WITH d AS (SELECT email, count(*) AS n FROM {table} WHERE email IS NOT NULL GROUP BY email) SELECT * FROM d WHERE n > 1",
    1,
  ],
  ["SELECT a.* FROM {table} a JOIN {table} b ON a.email = b.email AND a.id < b.id", 1],
  [
    "SELECT * FROM (SELECT id, age - lag(age) OVER (ORDER BY id) AS d FROM {table}) WHERE d > 10",
    2,
  ],
  ["SELECT 1 FROM {table} HAVING count(*) FILTER (WHERE age < 18) > 0", 1],
  [
    "SELECT * FROM {table} WHERE CASE WHEN age >= 65 THEN 'senior' WHEN age < 18 THEN 'minor' ELSE 'adult' END <> 'adult'",
    2,
  ],
  ["SELECT * FROM {table} WHERE CAST(amount AS INTEGER) <> amount", 2],
  ["SELECT * FROM {table} WHERE email NOT LIKE '%@%.%'", 1],
  ["SELECT * FROM {table} WHERE NOT regexp_matches(email, '^[a-z]+@[a-z]+\\.io$')", 2],
  ["SELECT * FROM {table} WHERE joined + INTERVAL 30 DAY > DATE '2024-03-15'", 4],
  ["SELECT * FROM {table} WHERE date_diff('day', DATE '2024-01-01', joined) > 60", 2],
  ["SELECT id FROM {table} WHERE age < 18 UNION SELECT id FROM {table} WHERE age > 65", 2],
  ["SELECT * FROM {table} QUALIFY count(*) OVER (PARTITION BY email) > 1", 2],
  ["SELECT email FROM {table} GROUP BY email HAVING count(*) > 1", 1],
  [
    "SELECT * FROM {table} t WHERE EXISTS (SELECT 1 FROM {table} u WHERE u.email = t.email AND u.id <> t.id)",
    2,
  ],
  ["SELECT * FROM {table} WHERE date_trunc('month', joined) = DATE '2024-03-01'", 2],
  ["SELECT t.* FROM {table} t JOIN (VALUES ('a@x.io'), ('c@y.org')) v(e) ON t.email = v.e", 3],
  ["SELECT * FROM {table}, unnest([1, 2]) u(k) WHERE k = 2 AND a", 3],
  ["SELECT * FROM {table} WHERE lpad(CAST(id AS VARCHAR), 3, '0') = '005'", 1],
  ["SELECT * FROM {table} WHERE lower(split_part(email, '@', 2)) = 'x.io'", 3],
  ["SELECT * FROM {table} WHERE coalesce(email, 'none') IN ('none', 'bad')", 2],
  ["SELECT * FROM {table} WHERE amount > (SELECT median(amount) FROM {table})", 3],
  [`WITH "Users" AS (SELECT * FROM {table}) SELECT * FROM users WHERE a`, 3],
  ["SELECT * FROM {table} WHERE id > 4 -- a trailing comment", 2],
  ["SELECT * FROM {table} ORDER BY id DESC LIMIT 2", 2],
  ["FROM {table} WHERE a", 3],
  ["SELECT * FROM {table} WHERE email ILIKE 'A@%' OR email GLOB '*.org'", 3],
  ["SELECT * FROM {table} WHERE round(abs(amount)) >= 20", 2],
  ["SELECT 1 FROM {table} HAVING length(string_agg(email, ',' ORDER BY id)) > 10", 1],
  ["SELECT * FROM {table} WHERE TRY_CAST(split_part(email, '@', 1) AS INTEGER) IS NULL", 6],
  ["SELECT * FROM {table} WHERE EXTRACT(year FROM joined) = 2023", 1],
  [`SELECT * FROM {table} WHERE ${Array(19_000).fill("a").join(" OR ")}`, 3],
  ["SELECT $$it's$$ AS q, E'a\\'b' AS e, 'a\\' AS b FROM {table} WHERE id = 1", 1],
];

for (const data of ["users.parquet", "users.csv"]) {
  Deno.test(`DuckDB: legitimate queries still count correctly on ${data}`, async () => {
    const w = await setUp();
    const rules = LEGITIMATE.flatMap(([sql], index) => [
      "  - name: custom_sql_check",
      `    id: legit${index}`,
      "    params:",
      `      sql: ${JSON.stringify(sql)}`,
    ]);
    const { run: result, counts } = await run(await kontract(w, data, rules));
    assertEquals(result.code, 1, result.stderr);
    assertEquals(
      counts,
      Object.fromEntries(LEGITIMATE.map(([, rows], index) => [`legit${index}`, rows])),
    );
  });
}
