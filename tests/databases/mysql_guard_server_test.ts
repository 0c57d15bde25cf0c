/**
 * The MySQL/MariaDB guard against the REAL MariaDB at 127.0.0.1:3306 (user root, no
 * password): every statement the guard accepts in the accept list, and one call of every
 * allowed function, must be read by the server (PREPARE, never run) in a database of this
 * test's own (`kontra_guard_<random>`, dropped at the end).
 *
 * Then seeded random SQL made of pieces that make lexers disagree: whatever the guard
 * accepts, the server must PREPARE too (or refuse it only for a name the guard also read
 * as a name, or a call of an allowed function with the wrong argument count), and
 * EXPLAIN EXTENDED's rewritten query (Note 1003, the server's reading) must call no
 * forbidden function. The pieces hold markers the guard refuses as code: `zed(…)` (no
 * such function: PREPARE fails if the server reads it as a call), `mysql` (no such
 * column: PREPARE fails if the server reads it as a name), and real forbidden functions
 * (`sleep`, `load_file`, `user`). A statement the guard refuses is never sent.
 */
import mysql from "mysql2/promise";
import { mysqlGuard } from "../../src/databases/mysql/guard.ts";
import { MYSQL_ALLOWED_FUNCTIONS } from "../../src/databases/mysql/guard_allowed.ts";
import { lexMysql } from "../../src/databases/mysql/guard_lexer.ts";
import assert from "node:assert/strict";
import { mysqlTest } from "../support/mysql.ts";
import { ACCEPTED, DATASET, functionExamples, TABLES } from "./mysql_guard_cases.ts";

/** Deep strict equality (node's assert; tests/support/assert.ts pulls in all of mod.ts). */
function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

const SCOPE = { relations: "non_system" } as const;
/** The server tests/support/mysql.ts uses (and skips without). */
const SERVER = Deno.env.get("KONTRA_TEST_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306/test";
/** Every statement's deadline on the server. */
const QUERY_TIMEOUT_MS = 10_000;

type Connection = mysql.Connection;

/** Runs `body` with a connection to a fresh database holding TABLES, dropped afterwards. */
async function withDatabase(body: (db: Connection) => Promise<void>): Promise<void> {
  const name = `kontra_guard_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const url = new URL(SERVER);
  const db = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    connectTimeout: 5_000,
  });
  try {
    await run(db, `CREATE DATABASE ${name}`);
    try {
      await run(db, `USE ${name}`);
      for (const statement of TABLES) await run(db, statement);
      await body(db);
    } finally {
      await run(db, `DROP DATABASE ${name}`);
    }
  } finally {
    await db.end();
  }
}

async function run(db: Connection, sql: string, values?: unknown[]): Promise<unknown> {
  const [rows] = await db.query({ sql, values, timeout: QUERY_TIMEOUT_MS });
  return rows;
}

/** A test that needs the server: skipped, with a message, when there is none. */
function serverTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ ...mysqlTest(name), fn });
}

/** Why the server cannot prepare `sql` (its one-line error), or undefined when it can. */
async function prepareError(db: Connection, sql: string): Promise<string | undefined> {
  try {
    // The text is bound as a string literal: the server parses it, nothing runs.
    await run(db, "PREPARE kontra_check FROM ?", [sql]);
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
  await run(db, "DEALLOCATE PREPARE kontra_check");
  return undefined;
}

serverTest("MySQL guard vs MariaDB: every accepted statement is read by the server", async () => {
  await withDatabase(async (db) => {
    for (const template of ACCEPTED) {
      const sql = template.replaceAll("{table}", DATASET);
      assertEquals(await mysqlGuard.check(sql, SCOPE), undefined, sql);
      assertEquals(await prepareError(db, sql), undefined, sql);
    }
  });
});

serverTest("MySQL guard vs MariaDB: every allowed function is one the server has", async () => {
  const examples = functionExamples();
  const called = new Set(examples.map((call) => /^([a-z_0-9]+)\(/.exec(call)?.[1]));
  assertEquals(MYSQL_ALLOWED_FUNCTIONS.filter((name) => !called.has(name)), []);
  await withDatabase(async (db) => {
    for (const call of examples) {
      const sql = `SELECT ${call} FROM ${DATASET}`;
      assertEquals(await mysqlGuard.check(sql, SCOPE), undefined, sql);
      assertEquals(await prepareError(db, sql), undefined, sql);
    }
  });
});

// --- random SQL ------------------------------------------------------------------------------

/** Pieces that make lexers disagree (quotes, comment marks, prefixes) and marker names. */
const PIECES = [
  " id ",
  " email ",
  "'",
  "''",
  "'x'",
  "`",
  "``",
  "`id`",
  "`a``b`",
  "--",
  "-- ",
  "-",
  "/*",
  "*/",
  "/* */",
  "/*!",
  "/*M!",
  "/*+",
  "#",
  "\n",
  "\r\n",
  "\r",
  "\t",
  " ",
  "(",
  ")",
  ",",
  " OR ",
  " AND ",
  "1",
  "0x",
  "e",
  "N",
  "_utf8",
  "B",
  ".",
  " = ",
  " AS ",
  "\\",
  '"',
  " IN ",
  " NOT ",
  " LIKE ",
  " CASE WHEN ",
  " THEN ",
  " END ",
  " lower(",
  " zed(1) ",
  " mysql ",
  " sleep(0) ",
  " load_file('/etc/hostname') ",
  " user() ",
  " `sleep`(0) ",
  "@",
  "?",
  ";",
  "{",
  "$",
  ":",
  "!",
  "|",
];

/** Functions MariaDB must not call in any accepted statement's reading. */
const FORBIDDEN_CALLS = ["sleep", "load_file", "user", "zed"];

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The lower-case names MariaDB's rewritten query calls, strings and quoted names dropped. */
function calledNames(rewritten: string): string[] {
  const code = rewritten.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").replace(/`(?:[^`]|``)*`/g, "`q`");
  return [...code.matchAll(/([A-Za-z_][A-Za-z0-9_]*|`q`)\s*\(/g)].map((m) => m[1].toLowerCase());
}

/**
 * Whether the server's refusal of `sql` shows it read the same code as the guard: glued
 * pieces make names the table lacks (`NB`, `` `x y` ``) and calls with too few arguments.
 */
function readAlike(sql: string, error: string): boolean {
  const tokens = lexMysql(sql).tokens ?? [];
  const names = new Set(
    tokens.filter((token) => token.kind === "word" || token.kind === "quoted")
      .map((token) => token.text),
  );
  const column = /^Unknown column '(.*)' in '[^']*'$/.exec(error)?.[1];
  const call = /^Incorrect parameter count in the call to native function '(\w+)'$/.exec(error)
    ?.[1];
  const isName = (name: string) => names.has(name) || name.split(".").every((p) => names.has(p));
  return (column !== undefined && isName(column)) ||
    (call !== undefined && MYSQL_ALLOWED_FUNCTIONS.includes(call.toLowerCase()));
}

/** MariaDB's reading of `sql`: the query as EXPLAIN EXTENDED rewrote it (Note 1003). */
async function serverReading(db: Connection, sql: string): Promise<string> {
  await run(db, `EXPLAIN EXTENDED ${sql}`);
  const warnings = await run(db, "SHOW WARNINGS LIMIT 10") as { Code: number; Message: string }[];
  const note = warnings.find((warning) => warning.Code === 1003);
  assert.ok(note !== undefined, `no rewritten query for ${JSON.stringify(sql)}`);
  return note.Message.slice(0, 100_000);
}

serverTest("MySQL guard vs MariaDB: random SQL it accepts, the server reads alike", async () => {
  const next = random(20_240_601);
  let sent = 0;
  let hidden = 0;
  await withDatabase(async (db) => {
    for (let n = 0; n < 40_000; n++) {
      const pieces = Array.from(
        { length: 2 + Math.floor(next() * 8) },
        () => PIECES[Math.floor(next() * PIECES.length)],
      );
      // The line break ends a -- comment the pieces may open, so FROM is always read.
      const sql = `SELECT id ${pieces.join("")}\nFROM ${DATASET}`;
      if (await mysqlGuard.check(sql, SCOPE) !== undefined) continue;
      const quoted = JSON.stringify(sql);
      const error = await prepareError(db, sql);
      if (error !== undefined) {
        assert.ok(readAlike(sql, error), `${quoted}: ${error}`);
        continue;
      }
      const calls = calledNames(await serverReading(db, sql));
      assertEquals(calls.filter((name) => FORBIDDEN_CALLS.includes(name)), [], quoted);
      assert.ok(!calls.includes("`q`"), `${quoted}: the server calls a quoted name`);
      sent++;
      // A marker in an accepted statement is in a string, a comment or a quoted name.
      if (/zed\(|mysql|sleep\(|load_file\(|user\(/.test(sql)) hidden++;
    }
  });
  assert.ok(sent > 1_000, `only ${sent} statements accepted: the pieces test too little`);
  assert.ok(hidden > 100, `only ${hidden} accepted statements hide a marker: too few`);
});
