/**
 * PostgreSQL sources against a real server with the real client (npm `postgres`): URIs
 * and libpq variables, catalog types, hostile names and values, `query:` datasources,
 * the read-only / timeout backstops, connection failures and violating rows.
 */
import { join } from "node:path";
import { DataSourceError, KontractError, validate } from "../../mod.ts";
import { loadKontract } from "../../src/kontract/load.ts";
import { postgresError } from "../../src/databases/postgres/client.ts";
import { postgresConfig } from "../../src/databases/postgres/config.ts";
import { postgres } from "../../src/databases/postgres/database.ts";
import { openDatabase } from "../../src/databases/open_database.ts";
import { redactUri } from "../../src/core/connection_uri.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import {
  loadFrame,
  pgTest,
  requirePostgres,
  tempSchema,
  type TestPostgres,
} from "../support/postgres.ts";
import { collectViolatingRows, frameRows, violatingRowsOf } from "../support/violating_rows.ts";
import { HOSTILE_VALUES, hostileCounts, hostileFrame, hostileRules } from "../support/hostile.ts";

const SECRET = "Sup3r-Secret-Pw";

async function withPeople(
  body: (pg: TestPostgres, table: string, schema: string) => Promise<void>,
): Promise<void> {
  const pg = requirePostgres();
  await using schema = await tempSchema(pg);
  await loadFrame(pg, schema.name, "people", peopleFrame());
  await body(pg, `${pg.url}/${schema.name}.people`, schema.name);
}

Deno.test("postgres:// URIs: the libpq variables fill what the URI leaves out, nothing else", () => {
  const env = {
    PGHOST: "db.internal",
    PGPORT: "6543",
    PGUSER: "reader",
    PGPASSWORD: SECRET,
    PGDATABASE: "warehouse",
    PGSSLMODE: "require",
    PGCONNECT_TIMEOUT: "7",
  };
  const fromEnv = postgresConfig("postgres:///", env);
  assertEquals(
    [fromEnv.host, fromEnv.port, fromEnv.user, fromEnv.password, fromEnv.database, fromEnv.ssl],
    ["db.internal", 6543, "reader", SECRET, "warehouse", "require"],
  );
  assertEquals(fromEnv.connectTimeoutS, 7);
  assertEquals(fromEnv.table, []);
  const written = postgresConfig(
    `postgresql://alice:${SECRET}@10.0.0.5:5433/sales/Public.Orders%2Ev2?sslmode=disable&statement_timeout=2.5`,
    env,
  );
  assertEquals(
    [written.host, written.port, written.user, written.password, written.database, written.ssl],
    ["10.0.0.5", 5433, "alice", SECRET, "sales", false],
  );
  assertEquals(written.table, ["Public", "Orders.v2"]);
  assertEquals(written.statementTimeoutMs, 2500);
  assert.ok(!written.redacted.includes(SECRET), written.redacted);
  assertEquals(
    written.redacted,
    "postgresql://alice@10.0.0.5:5433/sales/Public.Orders%2Ev2?sslmode=disable&statement_timeout=2.5",
  );
  // Defaults when neither says anything (the process environment is never read).
  const bare = postgresConfig("postgres://h/db/t", {});
  assertEquals([bare.port, bare.user, bare.password, bare.ssl], [
    5432,
    "postgres",
    undefined,
    false,
  ]);
  assertEquals(
    redactUri(`postgres://u:${SECRET}@h/db?password=${SECRET}&sslmode=require`),
    "postgres://u@h/db?sslmode=require",
  );
});

Deno.test("postgres:// URIs: mistakes are usage errors (exit 2) that never echo a password", () => {
  for (
    const [uri, problem] of [
      [`postgres://u:${SECRET}@h/db/s.t?colour=red`, /unknown parameter "colour"/],
      [
        `postgres://u:${SECRET}@h/db/s.t/x`,
        /expected postgres:\/\/user@host:port\/database\/schema\.table/,
      ],
      [`postgres://u:${SECRET}@h/db/a.b.c`, /expected schema\.table/],
      [`postgres://u:${SECRET}@h/db/t?sslmode=maybe`, /sslmode must be/],
      [`postgres://u:${SECRET}@h/db/t?statement_timeout=-1`, /positive number of seconds/],
      [`postgres://u:${SECRET}@h:99999/db/t`, /not a valid URI/],
    ] as const
  ) {
    try {
      postgresConfig(uri, {});
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
  pgTest("PostgreSQL: catalog types map onto the Polars names dtype rules use"),
  async () => {
    const pg = requirePostgres();
    await using schema = await tempSchema(pg);
    await pg.sql.unsafe(`CREATE TABLE "${schema.name}".types (
    a smallint, b integer, c bigint, d real, e double precision, f numeric(10, 2), g text,
    h varchar(5), i char(2), j boolean, k date, l timestamp, m timestamptz, n time,
    o interval, p bytea, q uuid, r jsonb, s integer[])`);
    await pg.sql.unsafe(`INSERT INTO "${schema.name}".types (a) VALUES (1)`);
    const source = await openDatabase(postgres, `${pg.url}/${schema.name}.types`, { env: {} });
    try {
      const { columns } = await source.schema();
      assertEquals(columns.map((column) => column.dtype), [
        "Int16",
        "Int32",
        "Int64",
        "Float32",
        "Float64",
        "Decimal",
        "String",
        "String",
        "String",
        "Bool",
        "Date",
        "Datetime",
        "Datetime",
        "Time",
        "Duration",
        "Binary",
        "Object",
        "Object",
        "List",
      ]);
    } finally {
      await source.close();
    }
    const result = await validate({
      name: "types",
      datasource: `${pg.url}/${schema.name}.types`,
      rules: [
        { name: "dtype", params: { column: "c", type: "int64" } },
        { name: "dtype", params: { column: "f", type: "numeric" } },
        { name: "dtype", params: { column: "h", type: "string" } },
        { name: "dtype", params: { column: "m", type: "timestamp" } },
        { name: "dtype", params: { column: "k", type: "int" } },
      ],
    }, { env: {} });
    assertEquals(result.results.map((r) => r.passed), [true, true, true, true, false]);
    assertEquals(result.results[4].message, "k is Date, expected int");
  },
);

Deno.test(
  pgTest("PostgreSQL: names resolve exactly first, then folded to lower case"),
  async () => {
    await withPeople(async (pg, _table, schema) => {
      await pg.sql.unsafe(`CREATE TABLE "${schema}"."MixedCase" (id int)`);
      const rules = [{ name: "min_rows", params: { threshold: 1 } }];
      const folded = await validate(
        { name: "f", datasource: `${pg.url}/${schema.toUpperCase()}.PEOPLE`, rules },
        { env: {} },
      );
      assertEquals(folded.document.dataset.rows, 10);
      const exact = await validate(
        { name: "e", datasource: `${pg.url}/${schema}.MixedCase`, rules },
        { env: {} },
      );
      assertEquals(exact.results[0].failed_count, 1);
      // Without a schema: the first schema on the search path.
      await pg.sql.unsafe(`CREATE TABLE public."kontra_test_${schema}" (id int)`);
      try {
        const unqualified = await validate(
          { name: "u", datasource: `${pg.url}/kontra_test_${schema}`, rules },
          { env: {} },
        );
        assertEquals(unqualified.results[0].failed_count, 1);
      } finally {
        await pg.sql.unsafe(`DROP TABLE public."kontra_test_${schema}"`);
      }
      await assertRejectsOneLine(
        validate({ name: "m", datasource: `${pg.url}/${schema}.missing`, rules }, { env: {} }),
        DataSourceError,
        /table not found/,
        2,
      );
    });
  },
);

Deno.test(
  pgTest("PostgreSQL: hostile column names and values stay inside their quotes"),
  async () => {
    const pg = requirePostgres();
    await using schema = await tempSchema(pg);
    await loadFrame(pg, schema.name, "hostile", hostileFrame());
    await pg.sql.unsafe(`CREATE TABLE "${schema.name}".canary AS SELECT 1 AS alive`);
    await pg.sql.unsafe(`CREATE TABLE public.canary_${schema.name} AS SELECT 1 AS alive`);
    try {
      const rules = hostileRules();
      for (const failFast of [false, true]) {
        const result = await validate(
          { name: "hostile", datasource: `${pg.url}/${schema.name}.hostile`, rules },
          { env: {}, failFast, timings: true },
        );
        assertEquals(result.results.map((r) => r.failed_count), hostileCounts(failFast));
        assertEquals(result.document.stats?.sql?.length, 2);
      }
      // Parquet agrees.
      await using dir = await tempDir();
      const { parquet } = writeBoth(hostileFrame(), dir.path, "hostile");
      const files = await validate({ name: "hostile", datasource: parquet, rules: hostileRules() });
      assertEquals(
        files.results.map((r) => r.failed_count),
        hostileCounts(),
      );
      const [{ alive }] = await pg.sql.unsafe(`SELECT alive FROM "${schema.name}".canary`);
      assertEquals(alive, 1);
      const [{ rows }] = await pg.sql.unsafe(
        `SELECT count(*)::int AS rows FROM "${schema.name}".hostile`,
      );
      assertEquals(rows, HOSTILE_VALUES.length + 1);
    } finally {
      await pg.sql.unsafe(`DROP TABLE IF EXISTS public.canary_${schema.name}`);
    }
  },
);

Deno.test(
  pgTest("PostgreSQL: allowed_values of mixed types never raise a type error"),
  async () => {
    const pg = requirePostgres();
    await using schema = await tempSchema(pg);
    await pg.sql.unsafe(`CREATE TABLE "${schema.name}".mixed AS SELECT * FROM (VALUES
    (1, 1.5::numeric(4,2), DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00', true, 'x'::text),
    (2, 2.5, DATE '2024-01-02', TIMESTAMP '2024-01-02 10:00:00', false, 'y'),
    (NULL, NULL, NULL, NULL, NULL, NULL)) t(i, d, day, ts, b, s)`);
    const mixed = [1, "2", "abc", true, 1.5, "2024-01-01", "2024-01-01 10:00:00"];
    const result = await validate({
      name: "mixed",
      datasource: `${pg.url}/${schema.name}.mixed`,
      rules: ["i", "d", "day", "ts", "b", "s"].map((column) => ({
        name: "allowed_values",
        params: { column, values: mixed },
      })),
    }, { env: {} });
    // i: 1, 2 allowed · d: 1.5 allowed · day and ts compare as text · b: true · s: none
    assertEquals(result.results.map((r) => r.failed_count), [0, 1, 1, 1, 1, 2]);
  },
);

Deno.test(pgTest("PostgreSQL: a query: datasource validates a view of a table"), async () => {
  await withPeople(async (pg, _table, schema) => {
    const datasource = {
      connection: pg.url,
      query: `SELECT id, email, age FROM "${schema}".people WHERE age IS NOT NULL;`,
    };
    const result = await validate({
      name: "adults",
      datasource,
      rules: [
        { name: "not_null", params: { column: "age" } },
        { name: "unique", params: { column: "email" } },
        { name: "dtype", params: { column: "age", type: "int32" } },
        { name: "not_null", params: { column: "country" } },
        { name: "custom_sql_check", params: { sql: "SELECT * FROM {table} q WHERE q.age > 50" } },
        { name: "min_rows", params: { threshold: 9 } },
      ],
    }, { env: {}, timings: true });
    assertEquals(result.results.map((r) => r.failed_count), [0, 2, 0, 8, 1, 1]);
    assertEquals(result.document.dataset, { uri: `${pg.url} (query)`, rows: 8 });
    assert.match(result.document.stats!.sql!.at(-1)!, /^WITH "kontra_dataset" AS NOT MATERIALIZED/);

    for (
      const [query, problem] of [
        [`DELETE FROM "${schema}".people`, /datasource\.query: must be a SELECT, not DELETE/],
        ["SELECT * FROM pg_shadow", /may not read system catalogs/],
        [`SELECT id, id FROM "${schema}".people`, /column "id" appears twice/],
        [
          `SELECT nope FROM "${schema}".people`,
          /datasource\.query: .*column "nope" does not exist/,
        ],
      ] as const
    ) {
      await assertRejectsOneLine(
        validate({ name: "q", datasource: { connection: pg.url, query }, rules: [] }, { env: {} }),
        KontractError,
        problem,
        2,
      );
    }
    await assertRejectsOneLine(
      validate({
        name: "q",
        datasource: { connection: `${pg.url}/${schema}.people`, query: "SELECT 1 AS x" },
        rules: [],
      }, { env: {} }),
      DataSourceError,
      /names the database only/,
      2,
    );
    await assertRejectsOneLine(
      validate({
        name: "q",
        datasource: { connection: "data/x.parquet", query: "SELECT 1 AS x" },
        rules: [],
      }),
      DataSourceError,
      /a query: needs a database connection \(postgres:\/\//,
      2,
    );
  });
});

Deno.test(
  pgTest("PostgreSQL: user SQL is checked for this dialect and errors name the rule"),
  async () => {
    await withPeople(async (_pg, table) => {
      const bad = (sql: string) =>
        validate({
          name: "bad",
          datasource: table,
          rules: [
            { name: "not_null", params: { column: "email" } },
            { name: "custom_sql_check", params: { sql }, id: "mine" },
          ],
        }, { env: {} });
      await assertRejectsOneLine(
        bad("SELECT * FROM {table} WHERE nope > 1"),
        KontractError,
        /^<kontract>: mine: .*query failed: column "nope" does not exist/,
        2,
      );
      // Snowflake syntax passes the load-time check, then fails this dialect's.
      await assertRejectsOneLine(
        bad("SELECT * FROM {table} QUALIFY ROW_NUMBER() OVER (ORDER BY id) > 1"),
        KontractError,
        /mine: not valid PostgreSQL: syntax error at or near "ROW_NUMBER" \(at character 59\)/,
        2,
      );
      // A pattern PostgreSQL cannot compile fails while running: that rule gets an error,
      // the others keep their results (the CLI exits 3).
      const han = await validate({
        name: "bad",
        datasource: table,
        rules: [
          { name: "regex", params: { column: "email", pattern: "\\p{Han}" } },
          { name: "not_null", params: { column: "email" } },
        ],
      }, { env: {} });
      assertEquals(han.results.map((result) => result.status), ["error", "failed"]);
      assert.match(han.results[0].error!, /^invalid regular expression/);
      assertEquals(han.summary.errors, 1);
    });
  },
);

Deno.test(
  pgTest("PostgreSQL: statements run read-only and under a timeout even past the guard"),
  async () => {
    await withPeople(async (pg, table, schema) => {
      const source = await openDatabase(postgres, `${table}?statement_timeout=0.3`, { env: {} });
      try {
        // Straight through SqlAccess: the guard is not involved, the database still refuses.
        await assertRejectsOneLine(
          source.sql.query(`CREATE TABLE "${schema}".written (a int)`),
          KontractError,
          /must not write: cannot execute CREATE TABLE in a read-only transaction/,
          2,
        );
        await assertRejectsOneLine(
          source.sql.query(`SELECT 1 AS a; DELETE FROM "${schema}".people`),
          KontractError,
          /cannot insert multiple commands into a prepared statement/,
          2,
        );
        await assertRejectsOneLine(
          source.sql.query("SELECT pg_sleep(5) AS slept"),
          DataSourceError,
          /statement timed out after 0\.3s/,
          3,
        );
        // The connection is still usable afterwards.
        const { rows } = await source.sql.query(`SELECT count(*) AS n FROM ${source.sql.relation}`);
        assertEquals(Number(rows[0][0]), 10);
      } finally {
        await source.close();
      }
      const [{ exists }] = await pg.sql.unsafe(
        `SELECT to_regclass('"${schema}".written') IS NOT NULL AS exists`,
      );
      assertEquals(exists, false);
      const [{ n }] = await pg.sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}".people`);
      assertEquals(n, 10);
    });
  },
);

Deno.test(
  pgTest("PostgreSQL: connection and login failures exit 3 in one line, without the password"),
  async () => {
    await using dir = await tempDir();
    const pg = requirePostgres();
    const host = new URL(pg.url).host;
    const cases: [string, RegExp][] = [
      [
        `postgres://kontra_nobody:\${KONTRA_TEST_PGPASS}@${host}/test/public.t`,
        /cannot connect: .*kontra_nobody/,
      ],
      [
        `postgres://postgres:\${KONTRA_TEST_PGPASS}@127.0.0.1:1/test/public.t`,
        /cannot connect: .*ECONNREFUSED/,
      ],
      [
        `postgres://postgres:\${KONTRA_TEST_PGPASS}@${host}/kontra_no_such_db/public.t`,
        /cannot connect: database "kontra_no_such_db" does not exist/,
      ],
    ];
    // The password comes from a .env file next to the Kontract, the way users pass it.
    await Deno.writeTextFile(join(dir.path, ".env"), `KONTRA_TEST_PGPASS=${SECRET}\n`);
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
    // A password from PGPASSWORD is no more visible.
    try {
      await validate({
        name: "k",
        datasource: `postgres://kontra_nobody@${host}/test/public.t`,
        rules: [],
      }, { env: { PGPASSWORD: SECRET } });
      assert.fail("connected");
    } catch (error) {
      assert.ok(error instanceof DataSourceError);
      assertEquals(error.exitCode, 3);
      assert.ok(!error.message.includes(SECRET));
    }
  },
);

Deno.test(
  pgTest("PostgreSQL: violating rows stream through a cursor, the same rows as Parquet's"),
  async () => {
    await withPeople(async (_pg, table) => {
      await using dir = await tempDir();
      const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
      const rules = [
        { name: "not_null", params: { column: "email" } },
        { name: "unique", params: { column: "email" } },
        { name: "allowed_values", params: { column: "country", values: ["US", "DE", "FR"] } },
        { name: "regex", params: { column: "email", pattern: "^[a-z]+@" } },
        {
          name: "custom_sql_check",
          params: { sql: "SELECT * FROM {table} WHERE age > 50" },
          id: "old",
        },
        { name: "custom_sql_check", params: { sql: "SELECT email FROM {table}" }, id: "partial" },
        { name: "dtype", params: { column: "id", type: "string" } },
      ];
      const fromDb = await collectViolatingRows(table, rules, {});
      const fromFile = await collectViolatingRows(parquet, rules, {});
      assertEquals(fromDb.result.kind, "batches");
      assertEquals(fromDb.result.notes, [
        "partial: skipped: its rows cannot be traced to the dataset: the SELECT does not return id, country, age, score, active",
      ]);
      const sorted = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
      assertEquals(sorted(fromDb.rows.rows), sorted(fromFile.rows.rows));
      assertEquals(fromDb.rows.columns, [
        "id",
        "email",
        "country",
        "age",
        "score",
        "active",
        "_violated_rule_id",
        "_error_reason",
      ]);
      assertEquals(fromDb.rows.types, [
        "Int64",
        "String",
        "String",
        "Int32",
        "Float64",
        "Bool",
        "String",
        "String",
      ]);
      // 2 NULL emails, 6 rows in duplicate groups ... every (row, rule) once, ordered by the row.
      assertEquals(fromDb.rows.rows.length, 2 + 3 + 3 + 3 + 1);
      const ids = fromDb.rows.rows.map((row) => row[0] as number);
      assertEquals(ids, [...ids].sort((a, b) => a - b));
      const again = await collectViolatingRows(table, rules, {});
      assertEquals(again.rows, fromDb.rows, "the same rows in the same order every run");
    });
  },
);

/** `assertRejectsWith`, and the message is one line. */
async function assertRejectsOneLine(...args: Parameters<typeof assertRejectsWith>): Promise<void> {
  const error = await assertRejectsWith(...args);
  assert.ok(!error.message.includes("\n"), "one line");
}

Deno.test(
  pgTest("PostgreSQL: --fail-fast on the CLI; the result's uri never holds the password"),
  async () => {
    await withPeople(async (pg, _table, schema) => {
      await using dir = await tempDir();
      const host = new URL(pg.url).host;
      const user = new URL(pg.url).username;
      await Deno.writeTextFile(join(dir.path, ".env"), `KONTRA_TEST_PGPASS=${SECRET}\n`);
      const file = join(dir.path, "k.yml");
      await Deno.writeTextFile(
        file,
        [
          "name: k",
          `datasource: "postgres://${user}:\${KONTRA_TEST_PGPASS}@${host}/test/${schema}.people"`,
          "rules:",
          "  - { name: not_null, params: { column: email } }",
          "  - { name: unique, params: { column: id } }",
          "  - { name: min_rows, params: { threshold: 1 } }",
          "",
        ].join("\n"),
      );
      const run = await runCli(["validate", file, "--fail-fast", "-o", "json", "--timings"]);
      assertEquals(run.code, 1, run.stderr);
      assert.ok(!run.stdout.includes(SECRET) && !run.stderr.includes(SECRET));
      const document = JSON.parse(run.stdout);
      assertEquals(document.dataset.uri, `postgres://${user}@${host}/test/${schema}.people`);
      assertEquals(
        document.results.map((
          r: { failed_count: number; failed_count_exact: boolean; execution_source: string },
        ) => [r.failed_count, r.failed_count_exact, r.execution_source]),
        [[1, false, "sql"], [0, true, "sql"], [0, true, "sql"]],
      );
      assert.match(document.stats.sql[1], /CASE WHEN EXISTS \(SELECT 1 AS "kontra_first" FROM/);
    });
  },
);

Deno.test("PostgreSQL errors: the SQLSTATE picks the exit code; messages stay one line", () => {
  const config = { redacted: "postgres://u@h/db/s.t", password: SECRET, statementTimeoutMs: 1500 };
  const error = (code: string | undefined, message = "boom") =>
    Object.assign(new Error(`${message}\nDETAIL: more`), { code });
  const cases: [Error, string, number, RegExp][] = [
    [error("57014"), "DataSourceError", 3, /timed out after 1\.5s/],
    [
      error("28P01", `password ${SECRET} rejected`),
      "DataSourceError",
      3,
      /cannot connect: password \*\*\* rejected$/,
    ],
    [error("08006"), "DataSourceError", 3, /cannot connect: boom$/],
    [error("42501"), "DataSourceError", 3, /: boom$/],
    [error("25006"), "KontractError", 2, /must not write/],
    [error("42703"), "KontractError", 2, /query failed: boom$/],
    [error("2201B"), "KontractError", 2, /query failed/],
    [error("53200"), "DataSourceError", 3, /query failed: boom$/],
    [error("ECONNRESET"), "DataSourceError", 3, /cannot connect/],
    [error(undefined), "DataSourceError", 3, /cannot connect/],
  ];
  for (const [input, type, exitCode, message] of cases) {
    const mapped = postgresError(input, config);
    assertEquals([mapped.name, mapped.exitCode], [type, exitCode]);
    assert.match(mapped.message, message);
    assert.ok(!mapped.message.includes("\n") && !mapped.message.includes(SECRET));
  }
});

Deno.test(pgTest("PostgreSQL: many violating rows arrive in cursor batches"), async () => {
  const pg = requirePostgres();
  await using schema = await tempSchema(pg);
  await pg.sql.unsafe(`CREATE TABLE "${schema.name}".big AS
    SELECT g AS id, CASE WHEN g % 2 = 0 THEN NULL ELSE 'x' END AS label,
      DATE '2024-01-01' + g % 3 AS day, TIMESTAMP '2024-01-01 00:00:00.5' AS at
    FROM generate_series(1, 25000) AS g`);
  const datasource = `${pg.url}/${schema.name}.big`;
  const rules = [{ name: "not_null", params: { column: "label" } }];
  const kontract = await loadKontract({ name: "big", datasource, rules }, { env: {} });
  const source = await openDatabase(postgres, datasource, { env: {} });
  try {
    const result = await violatingRowsOf(source, kontract, await source.schema(), 25000);
    const rows = await frameRows(result);
    assertEquals(rows.types, ["Int32", "String", "Date", "Datetime", "String", "String"]);
    assertEquals(rows.rows.length, 12500);
    assertEquals(rows.rows[0].slice(0, 2), [2, null]);
    assertEquals((rows.rows[0][3] as Date).toISOString(), "2024-01-01T00:00:00.500Z");
    // The log counts the cursor's fetches as round trips.
    assert.ok(source.sql.log.at(-1)!.roundTrips > 2);
  } finally {
    await source.close();
  }
});
