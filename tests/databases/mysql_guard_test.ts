/**
 * The MySQL/MariaDB guard on its own: legitimate checks pass; every class of attack is
 * refused in several disguises (case, white space, comments between tokens, backticks,
 * schema-qualified names, nested in subqueries, CTEs, CASE and window frames), with a
 * one-line reason; `dataset_only` scope follows MariaDB's CTE visibility; pathological
 * input is refused or accepted quickly, never crashes. The server's reading of what the
 * guard accepts is tests/databases/mysql_guard_server_test.ts.
 */
import { mysqlGuard, mysqlRefusal } from "../../src/databases/mysql/guard.ts";
import { MYSQL_ALLOWED_FUNCTIONS } from "../../src/databases/mysql/guard_allowed.ts";
import { vetUserSql } from "../../src/sql/user_sql.ts";
import { KontractError } from "../../src/core/errors.ts";
import assert from "node:assert/strict";
import { ACCEPTED, DATASET } from "./mysql_guard_cases.ts";

/** Deep strict equality (node's assert; tests/support/assert.ts pulls in all of mod.ts). */
function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

const SCOPE = { relations: "non_system" } as const;
const bind = (sql: string) => sql.replaceAll("{table}", DATASET);

/** One test per class of attack: each case must be refused with a reason matching. */
function attackClass(name: string, cases: [sql: string, reason: RegExp | string][]): void {
  Deno.test(`MySQL guard refuses ${name}`, async (t) => {
    for (const [sql, reason] of cases) {
      await t.step(JSON.stringify(sql).slice(0, 90), async () => {
        const refusal = await mysqlGuard.check(bind(sql), SCOPE);
        assert.ok(refusal !== undefined, `accepted: ${sql}`);
        assert.ok(!/[\r\n]/.test(refusal), `not one line: ${refusal}`);
        if (typeof reason === "string") assertEquals(refusal, reason);
        else assert.match(refusal, reason);
      });
    }
  });
}

const notSelect = (word: string) => `must be a SELECT, not ${word}`;
const fn = (name: string) => `function ${name} is not allowed`;
const SYSTEM = /^may not read system schemas \(/;
const ONE = "must be exactly one statement";

Deno.test("MySQL guard accepts the SELECTs data checks are written with", async () => {
  for (const sql of ACCEPTED) {
    assertEquals(await mysqlGuard.check(bind(sql), SCOPE), undefined, sql);
  }
});

attackClass("writes and other statements", [
  ["INSERT INTO {table} (id) VALUES (1)", notSelect("INSERT")],
  ["update {table} set id = 1", notSelect("UPDATE")],
  ["  DELETE FROM {table}", notSelect("DELETE")],
  ["/* x */ DELETE FROM {table}", notSelect("DELETE")],
  ["-- x\nREPLACE INTO {table} (id) VALUES (1)", notSelect("REPLACE")],
  ["CREATE TABLE x AS SELECT * FROM {table}", notSelect("CREATE")],
  ["DROP TABLE {table}", notSelect("DROP")],
  ["ALTER TABLE {table} ADD c INT", notSelect("ALTER")],
  ["TRUNCATE {table}", notSelect("TRUNCATE")],
  ["GRANT ALL ON *.* TO root", notSelect("GRANT")],
  ["SET GLOBAL general_log = 1", notSelect("SET")],
  ["CALL p()", notSelect("CALL")],
  ["DO SLEEP(5)", notSelect("DO")],
  ["HANDLER {table} OPEN", notSelect("HANDLER")],
  ["LOAD DATA INFILE '/etc/passwd' INTO TABLE {table}", notSelect("LOAD")],
  ["DELIMITER //", notSelect("DELIMITER")],
  ["(SELECT 1)", "must be a SELECT, not ("],
  ["WITH d AS (DELETE FROM {table} RETURNING id) SELECT * FROM d", notSelect("DELETE")],
  [
    "SELECT * FROM {table} WHERE id IN (SELECT 1 FROM (UPDATE {table} SET id = 1) x)",
    notSelect("UPDATE"),
  ],
  ["SELECT 1 FROM {table} WHERE (SET a = 1)", notSelect("SET")],
  ["", ONE],
  ["-- only a comment", ONE],
]);

attackClass("more than one statement", [
  ["SELECT 1; DROP TABLE {table}", ONE],
  ["SELECT 1 FROM {table} ; DELETE FROM {table}", ONE],
  ["SELECT 1 /* */;/* */ SELECT 2", ONE],
  ["SELECT 1;\n-- trailing", ONE],
  ["SELECT ';' FROM {table}; SELECT 2", ONE],
  ["SELECT 1; SELECT sleep(10)", ONE],
]);

attackClass("file access", [
  ["SELECT load_file('/etc/passwd')", fn("load_file")],
  ["SELECT LOAD_FILE ('/etc/passwd') FROM {table}", fn("load_file")],
  ["SELECT Load_File/**/('/etc/passwd')", fn("load_file")],
  ["SELECT `load_file`('/etc/passwd')", fn("`load_file`")],
  ["SELECT test.load_file('/etc/passwd')", fn("test.load_file")],
  ["SELECT `test`.`load_file`('x')", fn("`test`.`load_file`")],
  ["SELECT CASE WHEN id > 0 THEN load_file('x') END FROM {table}", fn("load_file")],
  ["WITH c AS (SELECT load_file('x') AS f) SELECT * FROM c", fn("load_file")],
  ["SELECT sum(id) OVER (ORDER BY load_file('x')) FROM {table}", fn("load_file")],
  ["SELECT * FROM {table} WHERE id IN (SELECT load_file('/etc/passwd'))", fn("load_file")],
  ["SELECT * FROM {table} INTO OUTFILE '/tmp/x'", /^must not write/],
  ["SELECT * INTO DUMPFILE '/tmp/x' FROM {table}", /^must not write/],
  ["SELECT id INTO @v FROM {table}", /^variables/],
  ["SELECT id INTO v FROM {table}", /^must not write/],
  ["SELECT id FROM {table} /**/ into\noutfile '/tmp/x'", /^must not write/],
  ["SELECT * FROM (SELECT id FROM {table} INTO OUTFILE '/tmp/x') y", /^must not write/],
]);

attackClass("waits, locks and other denial of service", [
  ["SELECT SLEEP(5)", fn("sleep")],
  ["select sleep (5) from {table}", fn("sleep")],
  ["SELECT `SLEEP`(5)", fn("`SLEEP`")],
  ["SELECT * FROM {table} WHERE id = 1 AND sleep(5) = 0", fn("sleep")],
  ["SELECT * FROM {table} ORDER BY (SELECT sleep(5))", fn("sleep")],
  ["SELECT lag(id) OVER (PARTITION BY sleep(1)) FROM {table}", fn("sleep")],
  ["SELECT benchmark(1000000000, md5('x'))", fn("benchmark")],
  ["SELECT get_lock('k', 10)", fn("get_lock")],
  ["SELECT release_lock('k')", fn("release_lock")],
  ["SELECT is_free_lock('k'), is_used_lock('k')", fn("is_free_lock")],
  ["SELECT master_pos_wait('log', 4)", fn("master_pos_wait")],
  [
    "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
    "recursive CTEs are not allowed",
  ],
]);

attackClass("server, session and sequence state", [
  ["SELECT user()", fn("user")],
  ["SELECT current_user", fn("current_user")],
  ["SELECT CURRENT_USER()", fn("current_user")],
  ["SELECT current_role", fn("current_role")],
  ["SELECT database(), version()", fn("database")],
  ["SELECT connection_id()", fn("connection_id")],
  ["SELECT last_insert_id()", fn("last_insert_id")],
  ["SELECT uuid_short()", fn("uuid_short")],
  ["SELECT NEXTVAL(s)", "may not use sequences (NEXTVAL)"],
  ["SELECT NEXT VALUE FOR s", "may not use sequences (NEXT VALUE FOR)"],
  ["SELECT previous value for s", "may not use sequences (PREVIOUS VALUE FOR)"],
  ["SELECT setval(s, 1)", "may not use sequences (SETVAL)"],
]);

attackClass("system schemas", [
  ["SELECT * FROM mysql.user", "may not read system schemas (mysql.user)"],
  ["SELECT * FROM MYSQL.USER", "may not read system schemas (MYSQL.USER)"],
  ["SELECT * FROM `mysql`.`user`", "may not read system schemas (`mysql`.`user`)"],
  ["SELECT * FROM `MySQL`.user", SYSTEM],
  ["select * from information_schema.tables", SYSTEM],
  ["SELECT * FROM `INFORMATION_SCHEMA`.`PROCESSLIST`", SYSTEM],
  ["SELECT * FROM performance_schema.threads", SYSTEM],
  ["SELECT * FROM sys.session", SYSTEM],
  ["SELECT * FROM {table} WHERE id IN (SELECT 1 FROM mysql.user)", SYSTEM],
  ["WITH c AS (SELECT * FROM information_schema.columns) SELECT * FROM c", SYSTEM],
  ["SELECT (SELECT count(*) FROM sys.x) FROM {table}", SYSTEM],
  ["SELECT mysql.user.host FROM {table}", SYSTEM],
  ["SELECT * FROM {table} o JOIN mysql.db d ON 1", SYSTEM],
  ["SELECT * FROM `mysql`/**/.`user`", /^a \. must touch the names/],
  ["SELECT * FROM mysql . user", /^a \. must touch the names/],
]);

attackClass("variables and placeholders", [
  ["SELECT @a", /^variables/],
  ["SELECT @@version", /^variables/],
  ["SELECT * FROM {table} WHERE id = @@session.sql_mode", /^variables/],
  ["SELECT @`a`", /^variables/],
  ["SELECT @'a'", /^variables/],
  ["SELECT id := 1 FROM {table}", /^assignments/],
  ["SELECT * FROM {table} WHERE id = ?", "placeholders (?) are not allowed"],
  ["SELECT $1", "$ is not allowed outside quotes"],
]);

attackClass("executable comments and hints", [
  ["SELECT 1 /*! , sleep(1) */", /^executable comments/],
  ["SELECT 1 /*!50000 , load_file('x') */ FROM {table}", /^executable comments/],
  ["SELECT 1 /*M! , sleep(1) */", /^executable comments/],
  ["SELECT 1 /*M!100000 , sleep(1) */", /^executable comments/],
  ["SELECT 1 /*m! , sleep(1) */", /^executable comments/],
  ["SELECT /*+ SET_VAR(sql_mode = 'ANSI_QUOTES') */ 1", /^optimizer hints/],
  ["SELECT 1 /* /*! , sleep(1) */", "nested /* comments are not allowed"],
  ["SELECT 1 /* never closed", "a /* comment is not closed"],
]);

attackClass("constructs the server and node-sql-parser could read differently", [
  ["SELECT * FROM {table} WHERE email = 'x\\' OR sleep(1) -- '", /^backslashes/],
  ["SELECT 'it\\'s', load_file('x') -- '", /^backslashes/],
  ['SELECT * FROM {table} WHERE email = "x\' OR sleep(1) -- "', /ANSI_QUOTES/],
  ['SELECT "email" FROM {table}', /ANSI_QUOTES/],
  ["SELECT 1 # ', sleep(1) '", /^# comments/],
  ["SELECT 1 --x\n, sleep(1)", /^-- must be followed by a space/],
  ["SELECT id--1 FROM {table}", /^-- must be followed by a space/],
  ["SELECT 1 --", /^-- must be followed by a space/],
  ["SELECT 'a' 'b'", /^adjacent string literals/],
  ["SELECT 'a'\n/* */ 'b' FROM {table}", /^adjacent string literals/],
  ["SELECT email AS 'e' FROM {table}", /^string aliases/],
  ["SELECT email 'e' FROM {table}", /read the string literals differently/],
  ["SELECT N'x'", /^a prefix before a string literal/],
  ["SELECT X'41'", /^a prefix before a string literal/],
  ["SELECT b'01'", /^a prefix before a string literal/],
  ["SELECT _utf8'x'", /^a prefix before a string literal/],
  ["SELECT _utf8mb4 'x'", /^character set introducers/],
  ["SELECT _binary /* */ 'x'", /^character set introducers/],
  ["SELECT 0x41", /^a number must not touch/],
  ["SELECT 0b01", /^a number must not touch/],
  ["SELECT 1e FROM {table}", /^a number must not touch/],
  ["SELECT .5", /^a \. must touch/],
  ["SELECT {table}.1e1 FROM {table}", /^a name after \. must not start with a digit/],
  ["SELECT {fn now()}", /^ODBC escapes/],
  ["SELECT {d '2024-01-01'}", /^ODBC escapes/],
  ["SELECT id || email FROM {table}", /^\| and \|\| are not allowed/],
  ["SELECT id && 1 FROM {table}", /^& and && are not allowed/],
  ["SELECT !id FROM {table}", "! is not allowed: use NOT"],
  ["SELECT id <=> 1 FROM {table}", "the operator <=> is not allowed"],
  ["SELECT payload->'$.a' FROM {table}", /^JSON path operators/],
  ["SELECT 1 -- x\r, sleep(1)\nFROM {table}", "a carriage return must be followed by a line feed"],
  ["SELECT 1 -- x\u2028, sleep(1)\nFROM {table}", /U\+2028 is not allowed/],
  ["SELECT 1 -- x\u0085, sleep(1)", /U\+0085 is not allowed/],
  ["SELECT 'a\0' FROM {table}", "NUL characters are not allowed"],
  ["SELECT\u00a0* FROM {table}", /^non-ASCII characters are only allowed inside quotes/],
  ["SELECT ｓｌｅｅｐ(1)", /^non-ASCII characters/],
  ["SELECT * FROM {table} WHERE email = 'x", "a string literal is not closed"],
  ["SELECT `id FROM {table}", "a quoted name is not closed"],
  ["SELECT `` FROM {table}", "empty quoted names (``) are not allowed"],
  ["SELECT id FROM {table}) AS x, (SELECT 1", /^a \) has no matching \(/],
  ["SELECT BINARY email FROM {table}", "BINARY is not allowed"],
  ["SELECT email COLLATE utf8mb4_bin FROM {table}", "collations are not allowed"],
  ["SELECT CONVERT(email USING latin1) FROM {table}", /^CONVERT is not allowed/],
]);

attackClass("locking reads and table history", [
  ["SELECT * FROM {table} FOR UPDATE", "must not lock rows (FOR UPDATE)"],
  ["select * from {table} for update nowait", "must not lock rows (FOR UPDATE)"],
  ["SELECT * FROM {table} FOR SHARE", /^FOR is not allowed/],
  ["SELECT * FROM {table} LOCK IN SHARE MODE", "must not lock rows (LOCK IN SHARE MODE)"],
  ["SELECT * FROM (SELECT * FROM {table} FOR UPDATE) x", "must not lock rows (FOR UPDATE)"],
  ["SELECT * FROM {table} FOR SYSTEM_TIME ALL", /^FOR is not allowed/],
]);

attackClass("other relations and syntax outside the allow-lists", [
  ["SELECT * FROM {table} PARTITION (p0)", fn("partition")],
  ["SELECT * FROM {table} USE INDEX (PRIMARY)", notSelect("USE")],
  ["SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (a INT PATH '$')) t", fn("json_table")],
  ["SELECT * FROM (VALUES (1)) v", "VALUES is not allowed"],
  ["SELECT * FROM (TABLE {table}) t", /^TABLE is not allowed/],
  ["SELECT * FROM {table} WHERE MATCH (email) AGAINST ('x')", fn("match")],
  ["SELECT 1 FROM {table} PROCEDURE ANALYSE()", "PROCEDURE is not allowed"],
  ["SELECT CAST(id AS BINARY) FROM {table}", "BINARY is not allowed"],
  ["SELECT CAST(payload AS JSON) FROM {table}", "casts to JSON are not allowed"],
  ["SELECT id FROM {table} GROUP BY id WITH ROLLUP", "WITH ROLLUP is not allowed"],
  ["SELECT sum(id) OVER w FROM {table} WINDOW w AS (ORDER BY id)", /parser cannot read it/],
  ["SELECT id FROM {table} WHERE id IN 'x'", "IN needs a list in parentheses"],
  ["SELECT * FROM {table} NATURAL JOIN customers", /parser cannot read it/],
]);

Deno.test("MySQL guard: dataset_only scope allows the dataset and CTEs in scope only", () => {
  const scope = { relations: "dataset_only", dataset: "dataset" } as const;
  const check = (sql: string) => mysqlRefusal(sql, scope);
  for (
    const sql of [
      "SELECT * FROM dataset",
      "SELECT * FROM `dataset` AS d JOIN dataset e USING (id)",
      "WITH c AS (SELECT * FROM dataset), d AS (SELECT * FROM c) SELECT * FROM d",
      "WITH c AS (SELECT * FROM dataset) SELECT * FROM (WITH d AS (SELECT 1 AS x) SELECT * FROM c, d) z",
    ]
  ) {
    assertEquals(check(sql), undefined, sql);
  }
  for (
    const [sql, other] of [
      ["SELECT * FROM other", "other"],
      ["SELECT * FROM DATASET", "DATASET"],
      ["SELECT * FROM shop.dataset", "shop.dataset"],
      ["SELECT * FROM dataset WHERE id IN (SELECT id FROM `other table`)", "other table"],
      ["WITH a AS (SELECT * FROM b), b AS (SELECT * FROM dataset) SELECT * FROM a", "b"],
      ["SELECT * FROM (WITH c AS (SELECT * FROM dataset) SELECT * FROM c) x, c", "c"],
      // MariaDB reads the TABLE c here, not the outer CTE.
      ["WITH c AS (SELECT 1) SELECT * FROM (WITH d AS (SELECT * FROM c) SELECT * FROM d) z", "c"],
    ]
  ) {
    assertEquals(check(sql), `may read only the dataset, not ${other}`, sql);
  }
});

Deno.test("MySQL guard: refuseRelation refuses system schemas in any case", () => {
  assertEquals(mysqlGuard.refuseRelation(["shop", "orders"]), undefined);
  for (const path of [["mysql", "user"], ["MySQL"], ["INFORMATION_SCHEMA", "x"], ["sys"]]) {
    assertEquals(
      mysqlGuard.refuseRelation(path),
      `may not read system schemas (${path.join(".")})`,
    );
  }
  assertEquals(
    mysqlGuard.refuseRelation(["performance_schema", "threads"])?.startsWith("may"),
    true,
  );
});

Deno.test("MySQL guard: pathological input is refused or accepted quickly, never crashes", () => {
  const cases: [string, string | undefined][] = [
    [
      "SELECT " + "(".repeat(150) + "1" + ")".repeat(150),
      "the SQL is nested more than 100 parentheses deep",
    ],
    ["SELECT " + "NOT ".repeat(20_000) + "1", "the SQL is nested too deeply to check"],
    [
      "SELECT " + "CASE WHEN 1 THEN ".repeat(3_000) + "1" + " END".repeat(3_000),
      "the SQL is nested too deeply to check",
    ],
    ["SELECT 1" + " + 1".repeat(20_000), undefined],
    ["SELECT " + "1, ".repeat(33_000) + "1", undefined],
    ["SELECT '" + "x".repeat(200_000) + "'", undefined],
    ["SELECT 1 " + "/* */".repeat(30_000), undefined],
    ["SELECT " + "lower(".repeat(100) + "'x'" + ")".repeat(100), undefined],
  ];
  for (const [sql, reason] of cases) {
    const started = performance.now();
    assertEquals(mysqlRefusal(sql, SCOPE), reason, sql.slice(0, 40));
    assert.ok(performance.now() - started < 10_000, `${sql.slice(0, 40)} took too long`);
  }
});

Deno.test("MySQL guard: reasons are one line, and vetUserSql binds and strips a trailing ;", async () => {
  assertEquals(mysqlRefusal("SELECT `a\nb`(1)", SCOPE), "function `a b` is not allowed");
  const options = {
    relation: "`shop`.`orders`",
    scope: SCOPE,
    label: "rule r",
    purpose: "custom_sql_check",
  } as const;
  const vetted = await vetUserSql(mysqlGuard, "SELECT * FROM {table} WHERE id < 0;\n", options);
  assertEquals(vetted.text, "SELECT * FROM `shop`.`orders` WHERE id < 0");
  try {
    await vetUserSql(mysqlGuard, "SELECT sleep(1) FROM {table}", options);
    assert.fail("accepted");
  } catch (error) {
    assert.ok(error instanceof KontractError);
    assertEquals(error.message, "rule r: function sleep is not allowed in custom_sql_check");
  }
});

Deno.test("MySQL guard: the function allow-list is sorted and holds no server-state function", () => {
  assertEquals([...MYSQL_ALLOWED_FUNCTIONS].sort(), MYSQL_ALLOWED_FUNCTIONS);
  for (
    const name of ["sleep", "benchmark", "load_file", "user", "database", "version", "get_lock"]
  ) {
    assert.ok(!MYSQL_ALLOWED_FUNCTIONS.includes(name), name);
  }
});
