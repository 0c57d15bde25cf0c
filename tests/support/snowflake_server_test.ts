/**
 * The test Snowflake server against the real snowflake-sdk, over loopback only.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type SnowflakeTestServer,
  startSnowflakeServer,
  translateSql,
} from "./snowflake_server.ts";

// Must be set before the sdk loads: it otherwise probes cloud metadata endpoints at import.
Deno.env.set("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true");

type Snowflake = typeof import("snowflake-sdk");
type Connection = import("snowflake-sdk").Connection;
type Row = Record<string, unknown>;

let sdk: Snowflake | undefined;
const cwdLog = join(Deno.cwd(), "snowflake.log");
const cwdLogBefore = await Deno.stat(cwdLog).catch(() => null);

/**
 * Loads the sdk once. Its logger defaults to INFO into ./snowflake.log, created on the first
 * message (createConnection logs one): turn it off and point any file at the temp directory.
 */
async function loadSdk(): Promise<Snowflake> {
  if (!sdk) {
    const mod = await import("snowflake-sdk");
    sdk = (mod.default ?? mod) as Snowflake;
    sdk.configure({
      logLevel: "OFF",
      logFilePath: join(tmpdir(), "kontra-snowflake-sdk.log"),
      additionalLogToConsole: false,
    });
  }
  return sdk;
}

function connectionOptions(server: SnowflakeTestServer, password = server.password) {
  return {
    accessUrl: server.accessUrl,
    account: server.account,
    username: server.user,
    password,
    database: "KONTRA",
    schema: "PUBLIC",
    warehouse: "TEST_WH",
  };
}

async function connect(server: SnowflakeTestServer, password?: string): Promise<Connection> {
  const snowflake = await loadSdk();
  const connection = snowflake.createConnection(connectionOptions(server, password));
  await new Promise<void>((resolve, reject) =>
    connection.connect((err) => err ? reject(err) : resolve())
  );
  return connection;
}

function destroy(connection: Connection): Promise<void> {
  return new Promise((resolve, reject) =>
    connection.destroy((err) => err ? reject(err) : resolve())
  );
}

function query(connection: Connection, sqlText: string, binds?: (string | number)[]) {
  return new Promise<Row[]>((resolve, reject) =>
    connection.execute({
      sqlText,
      binds,
      complete: (err, _stmt, rows) => err ? reject(err) : resolve(rows as Row[]),
    })
  );
}

/** Runs a query with streamResult and collects rows from statement.streamRows(). */
function streamQuery(connection: Connection, sqlText: string): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const statement = connection.execute({ sqlText, streamResult: true });
    const rows: Row[] = [];
    statement.streamRows()
      .on("data", (row: Row) => rows.push(row))
      .on("error", reject)
      .on("end", () => resolve(rows));
  });
}

async function withServer(fn: (server: SnowflakeTestServer) => Promise<void>): Promise<void> {
  const server = await startSnowflakeServer();
  try {
    await server.createDatabase("KONTRA", "PUBLIC");
    await server.db.run(`
      CREATE TABLE "KONTRA"."PUBLIC"."USERS" AS
      SELECT i AS id, 'user' || i || '@example.com' AS email,
        CASE WHEN i % 4 = 0 THEN NULL ELSE i * 1.5 END AS score,
        i % 2 = 0 AS active, DATE '2024-01-01' + i::INTEGER AS signup_date
      FROM range(1, 11) t(i)`);
    await fn(server);
  } finally {
    await server.close();
  }
}

Deno.test("snowflake-sdk runs queries against the test server", async (t) => {
  await withServer(async (server) => {
    const connection = await connect(server);

    await t.step("aggregate", async () => {
      const rows = await query(
        connection,
        `SELECT COUNT(*) AS n, COUNT(score) AS scored, SUM(id) AS total, MAX(email) AS last_email
         FROM "KONTRA"."PUBLIC"."USERS"`,
      );
      assert.deepEqual(rows, [{ N: 10, SCORED: 8, TOTAL: 55, LAST_EMAIL: "user9@example.com" }]);
    });

    await t.step("bindings, and values decoded per type", async () => {
      const rows = await query(
        connection,
        `SELECT id, email, score, active, signup_date FROM USERS WHERE id = ? OR email = :2
         ORDER BY id`,
        [3, "user6@example.com"],
      );
      assert.equal(rows.length, 2);
      assert.deepEqual(
        rows.map((r) => [r.ID, r.EMAIL, r.SCORE, r.ACTIVE]),
        [[3, "user3@example.com", 4.5, false], [6, "user6@example.com", 9, true]],
      );
      const signup = rows[0].SIGNUP_DATE as Date;
      assert.equal(signup.toISOString(), "2024-01-04T00:00:00.000Z");
    });

    await t.step("5000 rows streamed (inline rows plus downloaded chunks)", async () => {
      const rows = await streamQuery(
        connection,
        `SELECT range AS i, 'row-' || range AS label FROM range(5000) ORDER BY i`,
      );
      assert.equal(rows.length, 5000);
      assert.deepEqual(rows[0], { I: 0, LABEL: "row-0" });
      assert.deepEqual(rows[4999], { I: 4999, LABEL: "row-4999" });
      assert.ok(rows.every((row, i) => row.I === i));
      assert.ok(server.requests.some((r) => r.path.startsWith("/_test/chunks/")));
    });

    await t.step("REGEXP_LIKE matches the whole string, like Snowflake", async () => {
      // Snowflake string literals take backslash escapes: the SQL text '\\.' is the regex \.
      const rows = await query(
        connection,
        `SELECT REGEXP_LIKE('user1@example.com', '[a-z0-9]+@example\\\\.com') AS full_match,
           REGEXP_LIKE('user1@example.com', 'example') AS partial,
           REGEXP_INSTR('hello world', 'o') AS first_o,
           IFF(REGEXP_COUNT('banana', 'an') = 2, 'two', 'other') AS count_an`,
      );
      assert.deepEqual(rows, [{ FULL_MATCH: true, PARTIAL: false, FIRST_O: 5, COUNT_AN: "two" }]);
    });

    await t.step("information_schema.columns of a three-part name", async () => {
      const rows = await query(
        connection,
        `SELECT column_name, data_type FROM "KONTRA".information_schema.columns
         WHERE table_schema = 'PUBLIC' AND table_name = 'USERS' ORDER BY ordinal_position`,
      );
      assert.deepEqual(rows, [
        { COLUMN_NAME: "id", DATA_TYPE: "NUMBER" },
        { COLUMN_NAME: "email", DATA_TYPE: "TEXT" },
        { COLUMN_NAME: "score", DATA_TYPE: "NUMBER" },
        { COLUMN_NAME: "active", DATA_TYPE: "BOOLEAN" },
        { COLUMN_NAME: "signup_date", DATA_TYPE: "DATE" },
      ]);
    });

    await t.step("SQL errors are typed Snowflake errors", async () => {
      await assert.rejects(
        query(connection, `SELECT * FROM "KONTRA"."PUBLIC"."MISSING"`),
        (err: Error & { code?: string; sqlState?: string }) => {
          assert.equal(err.name, "OperationFailedError");
          assert.equal(err.code, "002003");
          assert.equal(err.sqlState, "42S02");
          assert.match(err.message, /SQL compilation error/);
          return true;
        },
      );
    });

    await t.step("heartbeat", async () => {
      assert.equal(await connection.isValidAsync(), true);
      assert.ok(server.requests.some((r) => r.path === "/session/heartbeat"));
    });

    await destroy(connection);
    const paths = new Set(server.requests.map((r) => r.path));
    for (const path of ["/session/v1/login-request", "/queries/v1/query-request", "/session"]) {
      assert.ok(paths.has(path), `the sdk called ${path}`);
    }
  });
});

Deno.test("wrong password is rejected without echoing the password", async () => {
  await withServer(async (server) => {
    const badPassword = "not-the-password-123";
    await assert.rejects(connect(server, badPassword), (err: Error & { code?: string }) => {
      assert.equal(err.code, "390100");
      assert.match(err.message, /Incorrect username or password/);
      assert.ok(!JSON.stringify(err).includes(badPassword));
      assert.ok(!String(err.stack).includes(badPassword));
      return true;
    });
    assert.ok(!JSON.stringify(server.requests).includes(badPassword));
  });
});

Deno.test("gzipped bodies are accepted and queries need the session token", async () => {
  await withServer(async (server) => {
    const post = async (path: string, body: unknown, token?: string) => {
      const gzipped = new Blob([JSON.stringify(body)]).stream()
        .pipeThrough(new CompressionStream("gzip"));
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "content-encoding": "gzip",
      };
      if (token) headers.authorization = `Snowflake Token="${token}"`;
      const response = await fetch(server.accessUrl + path, {
        method: "POST",
        headers,
        body: gzipped,
      });
      return await response.json();
    };
    const login = await post("/session/v1/login-request", {
      data: { LOGIN_NAME: server.user, PASSWORD: server.password },
    });
    assert.equal(login.success, true);

    const sqlText = "SELECT COUNT(*) AS n FROM KONTRA.PUBLIC.USERS";
    const anonymous = await post("/queries/v1/query-request", { sqlText });
    assert.equal(anonymous.code, "390104");

    const result = await post("/queries/v1/query-request", { sqlText }, login.data.token);
    assert.equal(result.success, true);
    assert.deepEqual(result.data.rowtype.map((c: { name: string }) => c.name), ["N"]);
    assert.deepEqual(result.data.rowset, [["10"]]);
  });
});

Deno.test("translateSql applies Snowflake's lexical rules", () => {
  const { sql } = translateSql(
    "SELECT 'a\\\\d+\\n' AS s, x::NUMBER(10, 2), CAST(y AS FLOAT), :1 // note\n" +
      "FROM db.INFORMATION_SCHEMA.COLUMNS",
  );
  assert.equal(
    sql,
    "SELECT 'a\\d+\n' AS s, x::DECIMAL(10, 2), CAST(y AS DOUBLE), $1 -- note\n" +
      "FROM sf_information_schema_columns('DB')",
  );
});

Deno.test("the sdk wrote no snowflake.log into the working directory", async () => {
  await loadSdk();
  const after = await Deno.stat(cwdLog).catch(() => null);
  assert.equal(after?.size, cwdLogBefore?.size);
  assert.equal(after?.mtime?.getTime(), cwdLogBefore?.mtime?.getTime());
});
