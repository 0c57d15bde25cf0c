/**
 * Snowflake sources with the real snowflake-sdk against the local Snowflake-protocol
 * server (tests/support/snowflake_server.ts), over 127.0.0.1 only.
 */
import { join } from "node:path";
import { DataSourceError, KontractError, validate } from "../../mod.ts";
import { violatingRows } from "../../src/engine/violating_rows.ts";
import { loadKontract } from "../../src/kontract/load.ts";
import { openSource } from "../../src/open_source.ts";
import { snowflakeError } from "../../src/databases/snowflake/client.ts";
import { snowflakeConfig } from "../../src/databases/snowflake/config.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { REPO, runCliProcess, runDeno } from "../support/cli.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import { hostileCounts, hostileFrame, hostileRules } from "../support/hostile.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";
import { collectViolatingRows, frameRows, violatingRowsOf } from "../support/violating_rows.ts";

/** What a child Deno needs from this environment to find its caches, and nothing else. */
const BASE_ENV = Object.fromEntries(
  ["HOME", "DENO_DIR", "PATH", "TMPDIR"].flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value]];
  }),
);
const SECRET = "Sn0w-Secret-Pw";

Deno.test("snowflake:// URIs: credentials and endpoint come from the Kontract's environment", () => {
  const env = {
    SNOWFLAKE_USER: "loader",
    SNOWFLAKE_PASSWORD: SECRET,
    SNOWFLAKE_ACCESS_URL: "http://127.0.0.1:9",
  };
  const config = snowflakeConfig(
    "snowflake://xy12345.eu-central-1/SALES/PUBLIC/ORDERS?warehouse=WH&role=READER&statement_timeout=30",
    env,
  );
  assertEquals(config.path, ["SALES", "PUBLIC", "ORDERS"]);
  assertEquals(config.statementTimeoutS, 30);
  const options = config.options as unknown as Record<string, unknown>;
  assertEquals(
    [options.account, options.username, options.password, options.database, options.schema],
    ["xy12345.eu-central-1", "loader", SECRET, "SALES", "PUBLIC"],
  );
  assertEquals([options.warehouse, options.role, options.accessUrl], [
    "WH",
    "READER",
    "http://127.0.0.1:9",
  ]);
  assert.ok(!config.redacted.includes(SECRET));
  // ?access_url= wins over the variable; key-pair auth when a key path is set.
  const keyPair = snowflakeConfig(
    "snowflake://acct/DB?access_url=http%3A%2F%2F127.0.0.1%3A8",
    {
      SNOWFLAKE_USER: "svc",
      SNOWFLAKE_PRIVATE_KEY_PATH: "/keys/rsa_key.p8",
      SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: SECRET,
      SNOWFLAKE_ACCESS_URL: "http://127.0.0.1:9",
    },
  );
  const keyOptions = keyPair.options as unknown as Record<string, unknown>;
  assertEquals(
    [keyOptions.authenticator, keyOptions.privateKeyPath, keyOptions.privateKeyPass],
    ["SNOWFLAKE_JWT", "/keys/rsa_key.p8", SECRET],
  );
  assertEquals([keyOptions.password, keyOptions.accessUrl], [undefined, "http://127.0.0.1:8"]);
  assertEquals(keyPair.secrets, [SECRET]);
});

Deno.test("snowflake:// URIs: missing credentials exit 3, malformed URIs exit 2", () => {
  const cases: [string, Record<string, string>, RegExp, number][] = [
    ["snowflake://acct/DB/S/T", {}, /set SNOWFLAKE_USER/, 3],
    [
      "snowflake://acct/DB/S/T",
      { SNOWFLAKE_USER: "u" },
      /set SNOWFLAKE_PASSWORD, or SNOWFLAKE_PRIVATE_KEY_PATH/,
      3,
    ],
    [
      "snowflake://acct/DB/S/T/X",
      { SNOWFLAKE_USER: "u" },
      /expected snowflake:\/\/account\/database\/schema\/table/,
      2,
    ],
    ["snowflake:///DB/S/T", { SNOWFLAKE_USER: "u" }, /the account is missing/, 2],
    [`snowflake://u:${SECRET}@acct/DB/S/T?colour=1&token=x`, {}, /unknown parameter "colour"/, 2],
  ];
  for (const [uri, env, problem, exitCode] of cases) {
    try {
      snowflakeConfig(uri, env);
      assert.fail(`accepted ${uri}`);
    } catch (error) {
      assert.ok(error instanceof DataSourceError, String(error));
      assert.match(error.message, problem);
      assertEquals(error.exitCode, exitCode);
      assert.ok(!error.message.includes(SECRET));
    }
  }
});

Deno.test("Snowflake: tables and their types through the catalog; names fold to upper case", async () => {
  await withSnowflake(async (sf) => {
    await sf.server.db.run(`CREATE TABLE "KONTRA"."PUBLIC"."EVENTS" AS SELECT * FROM (VALUES
      (1::BIGINT, 1.5::DOUBLE, 'x', true, DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00',
       12.34::DECIMAL(10, 2), TIME '10:00:00'),
      (2, NULL, NULL, false, NULL, NULL, NULL, NULL)) t(id, score, label, flag, day, ts, amount, clock)`);
    const source = await openSource(`snowflake://${sf.server.account}/kontra/public/events`, {
      baseDir: Deno.cwd(),
      env: sf.env,
    });
    try {
      assertEquals(
        (await source.schema()).columns.map((column) => [column.name, column.dtype]),
        [
          ["id", "Int64"],
          ["score", "Float64"],
          ["label", "String"],
          ["flag", "Bool"],
          ["day", "Date"],
          ["ts", "Datetime"],
          ["amount", "Decimal"],
          ["clock", "Time"],
        ],
      );
      assertEquals(source.sql?.relation, `"KONTRA"."PUBLIC"."EVENTS"`);
    } finally {
      await source.close?.();
    }
    const result = await validate({
      name: "events",
      datasource: sf.tableUri("EVENTS"),
      rules: [
        { name: "not_null", params: { column: "score" } },
        { name: "allowed_values", params: { column: "day", values: ["2024-01-01", 3] } },
        { name: "allowed_values", params: { column: "amount", values: [12.34, "x"] } },
        { name: "dtype", params: { column: "amount", type: "numeric" } },
      ],
    }, { env: sf.env });
    assertEquals(result.results.map((r) => r.failed_count), [1, 0, 0, 0]);
    await assertRejectsWith(
      validate({ name: "m", datasource: sf.tableUri("MISSING"), rules: [] }, { env: sf.env }),
      DataSourceError,
      /table not found/,
      2,
    );
  });
});

Deno.test("Snowflake: hostile column names and values stay inside their quotes", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(hostileFrame(), dir.path, "hostile");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("hostile", parquet);
    await sf.server.db.run(`CREATE TABLE "KONTRA"."PUBLIC"."canary" AS SELECT 1 AS alive`);
    for (const failFast of [false, true]) {
      const result = await validate(
        { name: "hostile", datasource: sf.tableUri("hostile"), rules: hostileRules() },
        { env: sf.env, failFast },
      );
      assertEquals(
        result.results.map((r) => r.failed_count),
        hostileCounts(failFast),
      );
    }
    const alive = await sf.server.db.runAndReadAll(`SELECT alive FROM "KONTRA"."PUBLIC"."canary"`);
    assertEquals(alive.getRows(), [[1]]);
  });
});

Deno.test("Snowflake: a query: datasource, and Snowflake SQL in custom_sql_check", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    const result = await validate({
      name: "adults",
      datasource: {
        connection: sf.schemaUri,
        // Quoted: Snowflake would return unquoted names upper-cased.
        query: `SELECT "id", "email", "age" FROM "people" WHERE "age" IS NOT NULL`,
      },
      rules: [
        { name: "unique", params: { column: "email" } },
        { name: "not_null", params: { column: "country" } },
        {
          name: "custom_sql_check",
          params: {
            sql:
              'SELECT * FROM {table} QUALIFY ROW_NUMBER() OVER (PARTITION BY "email" ORDER BY "id") > 1',
          },
        },
        {
          name: "custom_sql_check",
          params: {
            sql: `SELECT IFF("age" > 50, 'old', 'young') AS band FROM {table} WHERE "age" > 50`,
          },
          id: "old",
        },
      ],
    }, { env: sf.env });
    assertEquals(result.results.map((r) => r.failed_count), [2, 8, 2, 1]);
    assert.match(result.results[1].message, /column "country" not found/);
    assertEquals(result.document.dataset.rows, 8);
    assert.match(
      result.document.dataset.uri,
      /^snowflake:\/\/kontra_test\/KONTRA\/PUBLIC\?.* \(query\)$/,
    );
    for (
      const [sql, problem] of [
        ["SELECT * FROM @my_stage", /may not read stages/],
        [
          "SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))",
          /function result_scan is not allowed/,
        ],
        ["SELECT SYSTEM$WAIT(10) AS w", /names with \$ are not allowed outside quotes/],
      ] as const
    ) {
      await assertRejectsWith(
        validate({
          name: "bad",
          datasource: sf.tableUri("people"),
          rules: [{ name: "custom_sql_check", params: { sql } }],
        }, { env: sf.env }),
        KontractError,
        problem,
        2,
      );
    }
  });
});

Deno.test("Snowflake: login and connection failures exit 3 in one line, without the password", async () => {
  await withSnowflake(async (sf) => {
    await using dir = await tempDir();
    const kontract = join(dir.path, "k.yml");
    await Deno.writeTextFile(
      kontract,
      `name: k\ndatasource: ${
        sf.tableUri("people")
      }\nrules: [{ name: min_rows, params: { threshold: 1 } }]\n`,
    );
    const cli = (env: Record<string, string>) =>
      runCliProcess(["validate", kontract], { env: { ...BASE_ENV, ...env }, cwd: dir.path });
    const wrong = await cli({ ...sf.env, SNOWFLAKE_PASSWORD: SECRET });
    assertEquals(wrong.code, 3, wrong.stderr);
    assertEquals(wrong.stdout, "");
    assertEquals(wrong.stderr.trimEnd().split("\n").length, 1, wrong.stderr);
    assert.match(wrong.stderr, /cannot connect: Incorrect username or password was specified/);
    assert.ok(!wrong.stderr.includes(SECRET));
    const started = performance.now();
    const refused = await cli({
      ...sf.env,
      SNOWFLAKE_PASSWORD: SECRET,
      SNOWFLAKE_ACCESS_URL: "http://127.0.0.1:1",
    });
    assertEquals(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /cannot connect: .*ECONNREFUSED/);
    assert.ok(!refused.stderr.includes(SECRET));
    assert.ok(performance.now() - started < 60_000, "gives up in seconds");
    // The driver wrote no snowflake.log into the working directory.
    const names = [...Deno.readDirSync(dir.path)].map((entry) => entry.name).sort();
    assertEquals(names, ["k.yml"]);
  });
});

Deno.test("snowflake-sdk is loaded only for snowflake:// sources", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  const script = `
    import { validate } from ${JSON.stringify(join(REPO, "mod.ts"))};
    await validate({ name: "p", datasource: ${JSON.stringify(parquet)},
      rules: [{ name: "not_null", params: { column: "id" } }] });
    console.log(Deno.env.get("SNOWFLAKE_DISABLE_PLATFORM_DETECTION") ?? "not loaded");`;
  const run = await runDeno(["eval", "--ext=ts", script], { env: { ...BASE_ENV, NO_COLOR: "1" } });
  assertEquals(run.stdout.trim(), "not loaded");
});

Deno.test("Snowflake: violating rows stream from the server, the same rows as Parquet's", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    const rules = [
      { name: "not_null", params: { column: "age" } },
      { name: "unique", params: { column: "score" } },
      { name: "allowed_values", params: { column: "active", values: [true] } },
      { name: "regex", params: { column: "country", pattern: "^[A-Z]{2}$" } },
      // Quoted: the test server upper-cases result names written unquoted anywhere in the
      // SQL, and rows trace back only when every column comes back under its own name.
      { name: "custom_sql_check", params: { sql: 'SELECT * FROM {table} WHERE "age" > 50' } },
    ];
    const fromServer = (await collectViolatingRows(sf.tableUri("people"), rules, sf.env)).rows;
    const fromFile = (await collectViolatingRows(parquet, rules, sf.env)).rows;
    // Snowflake integers are NUMBER: Int64 where the file has Int32.
    assertEquals(fromServer.types, [
      "Int64",
      "String",
      "String",
      "Int64",
      "Float64",
      "Bool",
      "String",
      "String",
    ]);
    const sorted = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
    assertEquals(sorted(fromServer.rows), sorted(fromFile.rows));
    assertEquals(fromServer.rows.length, 2 + 4 + 2 + 3 + 1);
  });
});

Deno.test("Snowflake errors: the SQL state picks the exit code; messages stay one line", () => {
  const config = { redacted: "snowflake://a/DB/S/T", secrets: [SECRET], statementTimeoutS: 30 };
  const error = (props: Record<string, unknown>, message = "SQL compilation error:\nline 1") =>
    Object.assign(new Error(message), props);
  const cases: [Error, string, number, RegExp][] = [
    [error({ code: "000630", sqlState: "57014" }), "DataSourceError", 3, /timed out after 30s/],
    [
      error({ code: "003001", sqlState: "42501" }),
      "DataSourceError",
      3,
      /SQL compilation error: line 1/,
    ],
    [
      error({ code: "000904", sqlState: "42000" }),
      "KontractError",
      2,
      /query failed: SQL compilation error: line 1$/,
    ],
    [error({ code: "100048", sqlState: "2201B" }), "KontractError", 2, /query failed/],
    [
      error({ code: "401001" }, `network ${SECRET}`),
      "DataSourceError",
      3,
      /cannot reach Snowflake: network \*\*\*/,
    ],
    [error({ code: "390114", sqlState: "08001" }), "DataSourceError", 3, /query failed/],
  ];
  for (const [input, type, exitCode, message] of cases) {
    const mapped = snowflakeError(input, config);
    assertEquals([mapped.name, mapped.exitCode], [type, exitCode]);
    assert.match(mapped.message, message);
    assert.ok(!mapped.message.includes("\n") && !mapped.message.includes(SECRET));
  }
});

Deno.test("Snowflake: SQL errors in process, named by rule; a wrong password is exit 3", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(peopleFrame(), dir.path, "people");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("people", parquet);
    await assertRejectsWith(
      validate({
        name: "bad",
        datasource: sf.tableUri("people"),
        rules: [
          { name: "not_null", params: { column: "email" } },
          {
            name: "custom_sql_check",
            params: { sql: "SELECT * FROM {table} WHERE nope > 1" },
            id: "mine",
          },
        ],
      }, { env: sf.env }),
      KontractError,
      /^<kontract>: mine: .*query failed: SQL compilation error/,
      2,
    );
    for (
      const [query, problem] of [
        ["SELECT nope FROM people", /^datasource\.query: .*query failed/],
        ["DELETE FROM people", /^datasource\.query: /],
      ] as const
    ) {
      await assertRejectsWith(
        validate({ name: "q", datasource: { connection: sf.schemaUri, query }, rules: [] }, {
          env: sf.env,
        }),
        KontractError,
        problem,
        2,
      );
    }
    for (
      const [datasource, problem] of [
        [sf.schemaUri, /name a table/],
        [
          `snowflake://${sf.server.account}/NO_SUCH_DB/PUBLIC/people`,
          /database not found|table not found/,
        ], // the test server: the latter
      ] as const
    ) {
      await assertRejectsWith(
        validate({ name: "t", datasource, rules: [] }, { env: sf.env }),
        DataSourceError,
        problem,
        2,
      );
    }
    await assertRejectsWith(
      validate({
        name: "q",
        datasource: { connection: sf.tableUri("people"), query: "SELECT 1 AS a" },
        rules: [],
      }, { env: sf.env }),
      DataSourceError,
      /names the database only \(snowflake:\/\/account\/database\[\/schema\]\)/,
      2,
    );
    await assertRejectsWith(
      validate({ name: "p", datasource: sf.tableUri("people"), rules: [] }, {
        env: { ...sf.env, SNOWFLAKE_PASSWORD: SECRET },
      }),
      DataSourceError,
      /cannot connect: Incorrect username or password was specified/,
      3,
    );
  });
});

Deno.test("Snowflake: many violating rows arrive in cursor batches", async () => {
  await withSnowflake(async (sf) => {
    await sf.server.db.run(`CREATE TABLE "KONTRA"."PUBLIC"."big" AS
      SELECT range AS id, CASE WHEN range % 2 = 0 THEN NULL ELSE 'x' END AS label
      FROM range(25000)`);
    const datasource = sf.tableUri("big");
    const rules = [{ name: "not_null", params: { column: "label" } }];
    const kontract = await loadKontract({ name: "big", datasource, rules }, { env: sf.env });
    const source = await openSource(datasource, { baseDir: Deno.cwd(), env: sf.env });
    try {
      const schema = await source.schema();
      const rows = await frameRows(await violatingRowsOf(source, kontract, schema, 25000));
      assertEquals(rows.rows.length, 12500);
      assertEquals(rows.rows[0], [0, null, "COL:label:not_null", "label is NULL"]);
      assertEquals(rows.rows.at(-1), [24998, null, "COL:label:not_null", "label is NULL"]);
      // Nothing to trace: no statement at all.
      const none = await violatingRows(source, { rules: [], schema, rows: 25000 });
      assertEquals((await frameRows(none)).rows, []);
    } finally {
      await source.close?.();
    }
  });
});
