/**
 * Databases that misbehave, and user SQL that runs too long: a "PostgreSQL" server on
 * 127.0.0.1 that answers with bytes that are not the protocol (postgres.js 3.4.9 would
 * reconnect in a tight loop) or never answers; a "Snowflake" endpoint that accepts the
 * login and never answers; a DuckDB `custom_sql_check` whose cross join would run for
 * minutes. Each runs the CLI as a child process with a short deadline and asserts the exit
 * code, the one line, how many connections the server saw, and how long it took.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAX_CONNECT_ATTEMPTS } from "../../src/databases/postgres/client.ts";
import { type Run, runCliProcess, STACK_LINE } from "../support/cli.ts";
import { tempDir, writeText } from "../support/fixtures.ts";

/** A TCP server that answers every connection with `reply` (or nothing) and counts them. */
function fakeServer(reply?: Uint8Array, closeAfterReply = true) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open: Deno.Conn[] = [];
  let connections = 0;
  (async () => {
    for await (const connection of listener) {
      connections++;
      open.push(connection);
      if (reply === undefined) continue; // silent: accept, never answer
      (async () => {
        const buffer = new Uint8Array(1024);
        await connection.read(buffer).catch(() => null); // the client's startup message
        await connection.write(reply).catch(() => 0);
        if (closeAfterReply) connection.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => connections,
    close() {
      listener.close();
      for (const connection of open) {
        try {
          connection.close();
        } catch { /* closed already */ }
      }
    },
  };
}

const KONTRACT = "name: db_faults\nrules:\n  - { name: not_null, params: { column: id } }\n";

/** Runs `kontra validate` with `data` and `env`, timing it. */
async function validate(
  data: string,
  env: Record<string, string> = {},
  kontractText = KONTRACT,
  files: Record<string, string> = {},
): Promise<Run & { ms: number; leftInTmp: string[] }> {
  await using dir = await tempDir();
  const tmp = join(dir.path, "tmp");
  await Deno.mkdir(tmp);
  const kontract = await writeText(dir.path, "k.yml", kontractText);
  for (const [name, text] of Object.entries(files)) await writeText(dir.path, name, text);
  const started = performance.now();
  const run = await runCliProcess(
    ["validate", kontract, ...(data ? ["--data", data] : []), "-o", "json"],
    { env: { TMPDIR: tmp, ...env }, cwd: dir.path },
  );
  const leftInTmp: string[] = [];
  for await (const entry of Deno.readDir(tmp)) leftInTmp.push(entry.name);
  return { ...run, ms: performance.now() - started, leftInTmp };
}

function assertOneLine(run: Run, code: number, message: RegExp): void {
  assert.equal(run.code, code, run.stderr);
  assert.match(run.stderr, /^kontra: [^\n]+\n$/, run.stderr);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.match(run.stderr, message);
}

Deno.test("PostgreSQL: a non-PostgreSQL peer gets a handful of connections", async () => {
  // An HTTP server's answer: postgres.js reads a message length of "TTP/" and waits.
  const server = fakeServer(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
  try {
    const run = await validate(
      `postgres://kontra@127.0.0.1:${server.port}/db/public.t?connect_timeout=5`,
      { PGPASSWORD: "pg-fault-secret-value" },
    );
    assertOneLine(run, 3, /cannot connect: the server did not answer as PostgreSQL/);
    assert.equal(run.stdout, "");
    assert.ok(!run.stderr.includes("pg-fault-secret-value"));
    assert.ok(
      server.connections() <= MAX_CONNECT_ATTEMPTS,
      `${server.connections()} connections`,
    );
    assert.ok(run.ms < 8_000, `took ${run.ms} ms`);
  } finally {
    server.close();
  }
});

for (
  const [name, reply] of [
    ["garbage on an open connection", new Uint8Array([0x52, 0xff, 0xff, 0xff, 0x00, 1, 2, 3])],
    ["a silent server", undefined],
  ] as const
) {
  Deno.test(`PostgreSQL: ${name} ends at connect_timeout`, async () => {
    const server = fakeServer(reply, false);
    try {
      const run = await validate(
        `postgres://kontra@127.0.0.1:${server.port}/db/public.t?connect_timeout=1`,
      );
      assertOneLine(run, 3, /cannot connect/);
      assert.ok(server.connections() <= MAX_CONNECT_ATTEMPTS, `${server.connections()}`);
      assert.ok(run.ms < 6_000, `took ${run.ms} ms`);
    } finally {
      server.close();
    }
  });
}

Deno.test("Snowflake: a login that is never answered ends at login_timeout", async () => {
  const server = fakeServer();
  try {
    const run = await validate(
      `snowflake://xy12345/DB/PUBLIC/T?access_url=http%3A%2F%2F127.0.0.1%3A${server.port}` +
        "&login_timeout=2",
      { SNOWFLAKE_USER: "kontra", SNOWFLAKE_PASSWORD: "sf-fault-secret-value" },
    );
    assertOneLine(run, 3, /cannot connect: no answer within 2 s \(raise it with \?login_timeout/);
    assert.ok(!run.stderr.includes("sf-fault-secret-value"));
    assert.ok(run.ms < 7_000, `took ${run.ms} ms (login_timeout=2)`);
    assert.ok(server.connections() >= 1);
  } finally {
    server.close();
  }
});

Deno.test("DuckDB: user SQL past KONTRA_SQL_TIMEOUT is interrupted; others report", async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => `${i},u${i}@x.io`).join("\n");
  // 3,000³ combinations: minutes without the deadline.
  const kontract = "name: slow\ndatasource: big.csv\nrules:\n" +
    "  - { name: not_null, params: { column: id } }\n" +
    "  - name: custom_sql_check\n" +
    '    params: { sql: "SELECT a.id FROM {table} a, {table} b, {table} c ' +
    'WHERE a.id + b.id * c.id = -1" }\n' +
    "  - { name: min_rows, params: { threshold: 3000 } }\n";
  const run = await validate("", { KONTRA_SQL_TIMEOUT: "1.5" }, kontract, {
    "big.csv": `id,email\n${rows}\n`,
  });
  assertOneLine(
    run,
    3,
    /k\.yml:5:5: DATASET:custom_sql_check: .*timed out after 1\.5 s \(raise KONTRA_SQL_TIMEOUT/,
  );
  assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
  const document = JSON.parse(run.stdout);
  const byId = Object.fromEntries(
    document.results.map((result: { rule_id: string }) => [result.rule_id, result]),
  );
  assert.equal(byId["COL:id:not_null"].status, "passed");
  assert.equal(byId["COL:id:not_null"].failed_count, 0);
  assert.equal(byId["DATASET:min_rows"].status, "passed");
  assert.equal(byId["DATASET:custom_sql_check"].status, "error");
  assert.match(byId["DATASET:custom_sql_check"].error, /timed out after 1\.5 s/);
  assert.deepEqual(run.leftInTmp, []);
});

Deno.test("DuckDB: a KONTRA_SQL_TIMEOUT that is not a number is a usage error", async () => {
  const kontract = "name: t\ndatasource: d.csv\nrules:\n" +
    '  - { name: custom_sql_check, params: { sql: "SELECT * FROM {table} WHERE id < 0" } }\n';
  const run = await validate("", { KONTRA_SQL_TIMEOUT: "soon" }, kontract, {
    "d.csv": "id\n1\n",
  });
  assertOneLine(run, 2, /KONTRA_SQL_TIMEOUT="soon": expected a number of seconds above 0/);
});

Deno.test("Snowflake: a private key path naming a device is refused unread", async () => {
  const run = await validate(
    "snowflake://xy12345/DB/PUBLIC/T?access_url=http%3A%2F%2F127.0.0.1%3A9",
    {
      SNOWFLAKE_USER: "kontra",
      SNOWFLAKE_PRIVATE_KEY_PATH: "/dev/zero",
    },
  );
  assertOneLine(run, 2, /SNOWFLAKE_PRIVATE_KEY_PATH must name a key file/);
  assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
});
