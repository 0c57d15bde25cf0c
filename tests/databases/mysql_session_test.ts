/**
 * MySQL/MariaDB sessions against a real server: error classes, quoting and parameter
 * binding as the session reads them, the read-only / timeout backstops past the guard,
 * and connection failures (exit 3, one line, no password).
 */
import { join } from "node:path";
import { DataSourceError, KontractError, validate } from "../../mod.ts";
import { mysqlConfig } from "../../src/databases/mysql/config.ts";
import { mysql } from "../../src/databases/mysql/database.ts";
import { mysqlError } from "../../src/databases/mysql/errors.ts";
import { mysqlDialect } from "../../src/databases/mysql/dialect.ts";
import { MysqlClient } from "../../src/databases/mysql/client.ts";
import { bindParams } from "../../src/databases/mysql/session.ts";
import { openDatabase } from "../../src/databases/open_database.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { peopleFrame, tempDir } from "../support/fixtures.ts";
import { HOSTILE_VALUES } from "../support/hostile.ts";
import { ident, loadFrame, mysqlTest, requireMysql, tempDatabase } from "../support/mysql.ts";

const SECRET = "Sup3r-Secret-Pw";

/** `assertRejectsWith`, and the message is one line without the secret. */
async function rejectsOneLine(...args: Parameters<typeof assertRejectsWith>): Promise<void> {
  const error = await assertRejectsWith(...args);
  assert.ok(!error.message.includes("\n"), "one line");
  assert.ok(!error.message.includes(SECRET), error.message);
}

Deno.test("MySQL errors: the error number picks the exit code; messages stay one line", () => {
  const config = { redacted: "mysql://u@h/db/t", password: SECRET, statementTimeoutS: 1.5 };
  const server = (errno: number, sqlState: string, message = "boom") =>
    Object.assign(new Error(`${message}\nmore`), { errno, sqlState });
  const cases: [unknown, "connect" | "query", string, number, RegExp][] = [
    [server(1969, "70100"), "query", "DataSourceError", 3, /timed out after 1\.5s \(raise it/],
    [server(3024, "HY000"), "query", "DataSourceError", 3, /timed out after 1\.5s/],
    [server(1792, "25006"), "query", "KontractError", 2, /SQL must not write: boom$/],
    [server(1064, "42000"), "query", "KontractError", 2, /query failed: boom$/],
    [server(1054, "42S22"), "query", "KontractError", 2, /query failed/],
    [server(1139, "42000"), "query", "KontractError", 2, /query failed/],
    [server(3692, "HY000"), "query", "KontractError", 2, /query failed/],
    [server(1267, "HY000"), "query", "KontractError", 2, /query failed/],
    [server(1142, "42000"), "query", "DataSourceError", 3, /: boom$/],
    [server(1205, "HY000"), "query", "DataSourceError", 3, /query failed: boom$/],
    [
      server(1045, "28000", `denied (using ${SECRET})`),
      "connect",
      "DataSourceError",
      3,
      /cannot connect: denied \(using \*\*\*\)$/,
    ],
    [
      Object.assign(new Error("connect ECONNREFUSED"), { errno: -111, code: "ECONNREFUSED" }),
      "query",
      "DataSourceError",
      3,
      /connection failed: connect ECONNREFUSED$/,
    ],
  ];
  for (const [input, phase, type, exitCode, message] of cases) {
    const mapped = mysqlError(input, config, phase);
    assertEquals([mapped.name, mapped.exitCode], [type, exitCode], String(message));
    assert.match(mapped.message, message);
    assert.ok(!mapped.message.includes("\n") && !mapped.message.includes(SECRET));
  }
});

Deno.test("MySQL dialect: quoting and parameters render as the session reads them", () => {
  assertEquals(mysqlDialect.ident("we`ird"), "`we``ird`");
  assertEquals(mysqlDialect.literal("it's \\ `x`"), "'it''s \\ `x`'");
  assertEquals([mysqlDialect.literal(true), mysqlDialect.literal(null)], ["TRUE", "NULL"]);
  assert.throws(() => mysqlDialect.ident("a\0b"), KontractError);
  assert.throws(() => mysqlDialect.literal(Number.NaN));
  assertEquals(mysqlDialect.castDouble("'inf'"), "NULL");
  assertEquals(mysqlDialect.exact("`c`", "Int64"), "`c`");
  assertEquals(
    bindParams("SELECT '?', `?`, ? /* ? */ -- ?\n, ?", ["a'b", 2], mysqlDialect),
    "SELECT '?', `?`, 'a''b' /* ? */ -- ?\n, 2",
  );
  assert.throws(() => bindParams("SELECT ?", [1, 2], mysqlDialect));
});

Deno.test(mysqlTest("MySQL: every string survives a literal round trip"), async () => {
  const my = requireMysql();
  await using db = await tempDatabase(my);
  const client = await MysqlClient.connect(mysqlConfig(db.url, {}));
  try {
    const values = [
      ...HOSTILE_VALUES,
      "",
      "a\\",
      "\\'",
      "''",
      "`x`",
      "line\nbreak\r\n\ttab",
      "nul\0byte",
      "😀 ünï 日本",
      "%_",
    ];
    const select = values.map((value, index) =>
      `${mysqlDialect.literal(value)} AS ${mysqlDialect.ident(`v${index}\`'"\\`)}`
    );
    const result = await client.run(`SELECT ${select.join(", ")}`, []);
    assertEquals(result.rows, [values]);
    assertEquals(result.columns[1].name, "v1`'\"\\");
    const bound = await client.run("SELECT ?, ?, ?", ["x'y\\", 5, null]);
    assertEquals(bound.rows, [["x'y\\", 5, null]]);
  } finally {
    await client.close();
  }
});

Deno.test(
  mysqlTest("MySQL: statements run read-only and under a timeout even past the guard"),
  async () => {
    const my = requireMysql();
    await using db = await tempDatabase(my);
    await loadFrame(my, db.name, "people", peopleFrame());
    {
      const source = await openDatabase(mysql, `${db.url}/people?statement_timeout=1`, {
        env: {},
      });
      const people = `${ident(db.name)}.people`;
      try {
        // Straight through SqlAccess: the guard is not involved, the server still refuses.
        for (
          const sql of [
            `INSERT INTO ${people} (id) VALUES (99)`,
            `CREATE TABLE ${ident(db.name)}.written (a int)`,
            `DELETE FROM ${people}`,
          ]
        ) {
          await rejectsOneLine(source.sql.query(sql), KontractError, /SQL must not write/, 2);
        }
        await rejectsOneLine(
          source.sql.query(`SELECT 1 AS a; DELETE FROM ${people}`),
          KontractError,
          /query failed: You have an error in your SQL syntax/,
          2,
        );
        const started = performance.now();
        await rejectsOneLine(
          source.sql.query("SELECT SLEEP(5) AS slept"),
          DataSourceError,
          /statement timed out after 1s \(raise it with \?statement_timeout=SECONDS\)/,
          3,
        );
        assert.ok(performance.now() - started < 4_000, "stopped by the server's timeout");
        // The connection is still usable afterwards.
        const { rows } = await source.sql.query(`SELECT COUNT(*) FROM ${source.sql.relation}`);
        assertEquals(Number(rows[0][0]), 10);
      } finally {
        await source.close();
      }
      const tables = await my.query(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
        [db.name],
      );
      assertEquals(tables, [["people"]]);
      assertEquals(await my.query(`SELECT COUNT(*) FROM ${people}`), [["10"]]);
    }
  },
);

Deno.test(
  mysqlTest("MySQL: connection and login failures exit 3 in one line, without the password"),
  async () => {
    await using dir = await tempDir();
    const my = requireMysql();
    const host = new URL(my.server).host;
    // A server that accepts and never answers: Kontra's own connect deadline ends it.
    const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    (async () => {
      for await (const conn of silent) held.push(conn);
    })().catch(() => {});
    const cases: [string, RegExp][] = [
      [
        `mysql://kontra_nobody:\${KONTRA_TEST_MYPASS}@${host}/test/t`,
        /cannot connect: Access denied for user 'kontra_nobody'/,
      ],
      [`mysql://root:\${KONTRA_TEST_MYPASS}@127.0.0.1:1/test/t`, /cannot connect: .*ECONNREFUSED/],
      [
        `mysql://root:\${KONTRA_TEST_MYPASS}@127.0.0.1:${silent.addr.port}/test/t?connect_timeout=1`,
        /cannot connect: no MySQL answer within 1 s \(raise it with \?connect_timeout=SECONDS\)/,
      ],
      [
        `mysql://root:\${KONTRA_TEST_MYPASS}@${host}/test/t?ssl_mode=required`,
        /cannot connect: .*(SSL|secure)/i,
      ],
    ];
    // The password comes from a .env file next to the Kontract, the way users pass it.
    await Deno.writeTextFile(join(dir.path, ".env"), `KONTRA_TEST_MYPASS=${SECRET}\n`);
    try {
      for (const [datasource, problem] of cases) {
        const file = join(dir.path, "k.yml");
        await Deno.writeTextFile(
          file,
          `name: k\ndatasource: "${datasource}"\nrules: [{ name: min_rows, params: { threshold: 1 } }]\n`,
        );
        const run = await runCli(["validate", file]);
        assertEquals(run.code, 3, run.stderr);
        assertEquals(run.stdout, "");
        assertEquals(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
        assert.match(run.stderr, problem);
        assert.ok(!run.stderr.includes(SECRET), run.stderr);
      }
    } finally {
      silent.close();
      for (const conn of held) conn.close();
    }
    // A password from MYSQL_PWD is no more visible.
    await rejectsOneLine(
      validate({ name: "k", datasource: `mysql://kontra_nobody@${host}/test/t`, rules: [] }, {
        env: { MYSQL_PWD: SECRET },
      }),
      DataSourceError,
      /cannot connect: Access denied.*\(using password: YES\)/,
      3,
    );
  },
);
