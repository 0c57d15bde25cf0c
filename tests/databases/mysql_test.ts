/**
 * MySQL/MariaDB sources against a real server with the real client (npm `mysql2`): URIs
 * and MYSQL_* variables, catalog types and name lookup, hostile names and values, and
 * `query:` datasources. Sessions and failures are in mysql_session_test.ts, counting and
 * quarantine in mysql_rows_test.ts.
 */
import { DataSourceError, KontractError, validate } from "../../mod.ts";
import { mysqlConfig } from "../../src/databases/mysql/config.ts";
import { mysql } from "../../src/databases/mysql/database.ts";
import { openDatabase } from "../../src/databases/open_database.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { HOSTILE_VALUES, hostileCounts, hostileFrame, hostileRules } from "../support/hostile.ts";
import {
  ident,
  loadFrame,
  mysqlTest,
  requireMysql,
  tempDatabase,
  type TestMysql,
} from "../support/mysql.ts";
import { peopleFrame } from "../support/fixtures.ts";

const SECRET = "Sup3r-Secret-Pw";

/** `assertRejectsWith`, and the message is one line without the secret. */
async function rejectsOneLine(...args: Parameters<typeof assertRejectsWith>): Promise<void> {
  const error = await assertRejectsWith(...args);
  assert.ok(!error.message.includes("\n"), "one line");
  assert.ok(!error.message.includes(SECRET), error.message);
}

async function withPeople(
  body: (my: TestMysql, db: { name: string; url: string }) => Promise<void>,
): Promise<void> {
  const my = requireMysql();
  await using db = await tempDatabase(my);
  await loadFrame(my, db.name, "people", peopleFrame());
  await body(my, db);
}

Deno.test("mysql:// URIs: the MYSQL_* variables fill what the URI leaves out, nothing else", () => {
  const env = {
    MYSQL_HOST: "db.internal",
    MYSQL_TCP_PORT: "3307",
    MYSQL_USER: "reader",
    MYSQL_PWD: SECRET,
    MYSQL_DATABASE: "shop",
  };
  const fromEnv = mysqlConfig("mysql:///", env);
  assertEquals(
    [fromEnv.host, fromEnv.port, fromEnv.user, fromEnv.password, fromEnv.database, fromEnv.ssl],
    ["db.internal", 3307, "reader", SECRET, "shop", "disabled"],
  );
  assertEquals([fromEnv.table, fromEnv.namespace], [[], ["shop"]]);
  assertEquals([fromEnv.connectTimeoutS, fromEnv.statementTimeoutS], [10, 600]);
  const written = mysqlConfig(
    `mariadb://alice:${SECRET}@10.0.0.5:3308/sales/Orders%2Fv2?ssl_mode=VERIFY_IDENTITY&statement_timeout=2.5&connect_timeout=3`,
    env,
  );
  assertEquals(
    [written.host, written.port, written.user, written.password, written.database, written.ssl],
    ["10.0.0.5", 3308, "alice", SECRET, "sales", "verify_identity"],
  );
  assertEquals([written.table, written.namespace], [["Orders/v2"], ["sales", "Orders/v2"]]);
  assertEquals([written.statementTimeoutS, written.connectTimeoutS], [2.5, 3]);
  assertEquals(
    written.redacted,
    "mariadb://alice@10.0.0.5:3308/sales/Orders%2Fv2?ssl_mode=VERIFY_IDENTITY&statement_timeout=2.5&connect_timeout=3",
  );
  // `?password=` works and is never shown; USER is the last resort for the user name.
  const param = mysqlConfig(`mysql://h/db/t?password=${SECRET}`, { USER: "me" });
  assertEquals([param.user, param.password, param.port, param.host], ["me", SECRET, 3306, "h"]);
  assert.ok(!param.redacted.includes(SECRET), param.redacted);
});

Deno.test("mysql:// URIs: mistakes are usage errors (exit 2) that never echo a password", () => {
  for (
    const [uri, env, problem] of [
      [`mysql://u:${SECRET}@h/db/t?colour=red`, {}, /unknown parameter "colour"/],
      [`mysql://u:${SECRET}@h/db/t/x`, {}, /expected mysql:\/\/user@host:3306\/database\/table/],
      [`mysql://u:${SECRET}@h//t`, {}, /expected mysql:\/\//],
      [`mysql://u:${SECRET}@h/`, {}, /name a database .* or set MYSQL_DATABASE/],
      [`mysql://h/db/t`, { MYSQL_PWD: SECRET }, /name a user in the URI or set MYSQL_USER/],
      [`mysql://u:${SECRET}@h/db/t?ssl_mode=preferred`, {}, /ssl_mode must be disabled, /],
      [`mysql://u:${SECRET}@h/db/t?statement_timeout=0`, {}, /positive number of seconds/],
      [`mysql://u@h/db/t`, { MYSQL_TCP_PORT: "x" }, /bad port/],
    ] as const
  ) {
    try {
      mysqlConfig(uri, env);
      assert.fail(`accepted ${uri}`);
    } catch (error) {
      assert.ok(error instanceof DataSourceError, String(error));
      assertEquals(error.exitCode, 2);
      assert.match(error.message, problem);
      assert.ok(!error.message.includes(SECRET), error.message);
    }
  }
});

Deno.test(
  mysqlTest("MySQL: catalog types map onto the Polars names dtype rules use"),
  async () => {
    const my = requireMysql();
    await using db = await tempDatabase(my);
    await my.query(`CREATE TABLE ${ident(db.name)}.types (
      a tinyint, b smallint, c mediumint, d int, e bigint, f int unsigned, g bigint unsigned,
      h boolean, i float, j double, k decimal(10, 2), l char(2), m varchar(5), n text,
      o enum('x', 'y'), p json, q date, r datetime(3), s timestamp NULL, t time, u year,
      v varbinary(4), w blob, x bit(3), y geometry)`);
    const source = await openDatabase(mysql, `${db.url}/types`, { env: {} });
    try {
      const { columns } = await source.schema();
      assertEquals(columns.map((column) => column.dtype), [
        ...["Int8", "Int16", "Int32", "Int32", "Int64", "UInt32", "UInt64", "Bool"],
        ...["Float32", "Float64", "Decimal", "String", "String", "String", "String", "String"],
        ...["Date", "Datetime", "Datetime", "Time", "Int16", "Binary", "Binary", "Binary"],
        "Object",
      ]);
    } finally {
      await source.close();
    }
    // A query: datasource's result types map the same way.
    const query = await openDatabase(mysql, db.url, {
      env: {},
      query: `SELECT * FROM ${ident(db.name)}.types`,
    });
    try {
      const { columns } = await query.schema();
      assertEquals(
        columns.map((column) => column.dtype).join(),
        "Int8,Int16,Int32,Int32,Int64,UInt32,UInt64,Bool,Float32,Float64,Decimal,String,String," +
          "String,String,String,Date,Datetime,Datetime,Time,Int16,Binary,Binary,Binary,Object",
      );
    } finally {
      await query.close();
    }
  },
);

Deno.test(
  mysqlTest("MySQL: names resolve exactly first, then without case; system schemas refused"),
  async () => {
    await withPeople(async (my, db) => {
      await my.query(`CREATE TABLE ${ident(db.name)}.MixedCase (id int)`);
      const rules = [{ name: "min_rows", params: { threshold: 1 } }];
      const folded = await validate(
        { name: "f", datasource: `${db.url}/PEOPLE`, rules },
        { env: {}, timings: true },
      );
      assertEquals(folded.document.dataset.rows, 10);
      const exact = await validate(
        { name: "e", datasource: `${db.url}/MixedCase`, rules },
        { env: {} },
      );
      assertEquals(exact.results[0].failed_count, 1);
      await rejectsOneLine(
        validate({ name: "m", datasource: `${db.url}/missing`, rules }, { env: {} }),
        DataSourceError,
        /table not found/,
        2,
      );
      for (const datasource of [`${my.server}/mysql/user`, `${my.server}/SYS/x`]) {
        await rejectsOneLine(
          validate({ name: "s", datasource, rules }, { env: {} }),
          KontractError,
          /may not read system schemas/,
          2,
        );
      }
    });
  },
);

Deno.test(mysqlTest("MySQL: hostile names and values stay inside their quotes"), async () => {
  const my = requireMysql();
  await using db = await tempDatabase(my);
  const table = "ta`ble 'x' \\ ünï";
  await loadFrame(my, db.name, table, hostileFrame());
  await my.query(`CREATE TABLE ${ident(db.name)}.canary AS SELECT 1 AS alive`);
  for (const failFast of [false, true]) {
    const result = await validate(
      {
        name: "hostile",
        datasource: `${db.url}/${encodeURIComponent(table)}`,
        rules: hostileRules(),
      },
      { env: {}, failFast, timings: true },
    );
    assertEquals(result.results.map((r) => r.failed_count), hostileCounts(failFast));
    assertEquals(result.document.stats?.sql?.length, 2);
  }
  assertEquals(await my.query(`SELECT alive FROM ${ident(db.name)}.canary`), [[1]]);
  const [[rows]] = await my.query(`SELECT COUNT(*) FROM ${ident(db.name)}.${ident(table)}`);
  assertEquals(Number(rows), HOSTILE_VALUES.length + 1);
});

Deno.test(mysqlTest("MySQL: a query: datasource validates a view of a table"), async () => {
  await withPeople(async (_my, db) => {
    const people = `${ident(db.name)}.people`;
    const result = await validate({
      name: "adults",
      datasource: {
        connection: db.url,
        query: `SELECT id, email, age FROM ${people} WHERE age IS NOT NULL;`,
      },
      rules: [
        { name: "not_null", params: { column: "age" } },
        { name: "unique", params: { column: "email" } },
        { name: "dtype", params: { column: "age", type: "int32" } },
        { name: "custom_sql_check", params: { sql: "SELECT * FROM {table} q WHERE q.age > 50" } },
        { name: "min_rows", params: { threshold: 9 } },
      ],
    }, { env: {}, timings: true });
    assertEquals(result.results.map((r) => r.failed_count), [0, 2, 0, 1, 1]);
    assertEquals(result.document.dataset, { uri: `${db.url} (query)`, rows: 8 });
    assert.match(result.document.stats!.sql!.at(-1)!, /^WITH `kontra_dataset` AS \(/);
    for (
      const [query, problem] of [
        [`DELETE FROM ${people}`, /datasource\.query: /],
        ["SELECT * FROM mysql.user", /datasource\.query: .*system schema/],
        [`SELECT id, id FROM ${people}`, /Duplicate column name 'id'/],
        [`SELECT nope FROM ${people}`, /datasource\.query: .*Unknown column 'nope'/],
      ] as const
    ) {
      await rejectsOneLine(
        validate({ name: "q", datasource: { connection: db.url, query }, rules: [] }, { env: {} }),
        KontractError,
        problem,
        2,
      );
    }
    await rejectsOneLine(
      validate({
        name: "q",
        datasource: { connection: `${db.url}/people`, query: "SELECT 1 AS x" },
        rules: [],
      }, { env: {} }),
      DataSourceError,
      /names the database only \(mysql:\/\/…\/database\)/,
      2,
    );
  });
});
