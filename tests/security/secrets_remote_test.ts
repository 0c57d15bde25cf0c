/**
 * Secrets against real remote parts, through the real CLI in a child process: a failing
 * S3 endpoint on loopback that echoes the request (Authorization header with the access
 * key id, and the session token) in its 403 body, an AWS_ENDPOINT_URL with userinfo, the
 * real PostgreSQL server (a SCRAM role whose password holds `/ # ? @ :`, login failures, a
 * driver error quoting a secret) and the Snowflake test server with the real snowflake-sdk
 * (a login that only works when the awkward password is parsed right, and login failures).
 */
import { join } from "node:path";
import { encodeParam } from "../../src/integrations/dagster_pipes.ts";
import { postgresConfig } from "../../src/databases/postgres/config.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { type Run, runCliProcess } from "../support/cli.ts";
import { peopleFrame, tempDir, writeText } from "../support/fixtures.ts";
import { loadFrame, pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";
import { startSnowflakeServer } from "../support/snowflake_server.ts";
import { ALL_SENTINELS, assertNoLeak, BASE_ENV, SENTINEL } from "./secret_sentinels.ts";

const AWS_ENV = {
  AWS_ACCESS_KEY_ID: SENTINEL.awsKeyId,
  AWS_SECRET_ACCESS_KEY: SENTINEL.awsSecret,
  AWS_SESSION_TOKEN: SENTINEL.awsToken,
  AWS_REGION: "us-east-1",
};

/** Every output of a run, for {@linkcode assertNoLeak}. */
function outputs(run: Run, label = ""): Record<string, string> {
  return { [`stdout${label}`]: run.stdout, [`stderr${label}`]: run.stderr };
}

// ------------------------------------------------------------ S3

/**
 * A loopback S3 endpoint that lists one object (`data.csv` or `data.parquet`), answers
 * HEAD, serves a CSV object's bytes to Kontra's own reads (the AWS SDK reads the header
 * for the schema), and answers every other request (Polars' scan), or every request with
 * `denyAll`, with 403 and an XML body echoing the Authorization header and the
 * x-amz-security-token, as S3 does for signature errors.
 */
/** The 64-byte CSV object the listing announces. */
const CSV_OBJECT = "a\n" + "1\n".repeat(31);

function startEchoingS3(key: string, denyAll = false) {
  const echoed: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    const authorization = req.headers.get("authorization") ?? "";
    const token = req.headers.get("x-amz-security-token") ?? "";
    if (!denyAll && url.searchParams.get("list-type") === "2") {
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>lake</Name>` +
          `<IsTruncated>false</IsTruncated><Contents><Key>${key}</Key><Size>64</Size>` +
          `<ETag>"e1"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents>` +
          `</ListBucketResult>`,
        { headers: { "content-type": "application/xml" } },
      );
    }
    const fromSdk = (req.headers.get("user-agent") ?? "").includes("aws-sdk");
    if (!denyAll && req.method === "GET" && fromSdk && key.endsWith(".csv")) {
      return new Response(CSV_OBJECT, { headers: { "content-type": "text/csv" } });
    }
    if (!denyAll && req.method === "HEAD") {
      return new Response(null, {
        headers: {
          "content-length": "64",
          etag: '"e1"',
          "last-modified": new Date(0).toUTCString(),
        },
      });
    }
    echoed.push(authorization, token);
    return new Response(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code>` +
        `<Message>The request signature we calculated does not match. ${authorization}</Message>` +
        `<AWSAccessKeyId>${SENTINEL.awsKeyId}</AWSAccessKeyId>` +
        `<SecurityToken>${token}</SecurityToken><RequestId>r1</RequestId></Error>`,
      { status: 403, headers: { "content-type": "application/xml" } },
    );
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    /** What the server echoed (proof that the secrets were sent, then hidden). */
    echoed,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function s3Kontract(dir: string, data: string): Promise<string> {
  return await writeText(
    dir,
    "s3.yml",
    `name: s3\ndatasource: ${data}\nrules:\n  - { name: not_null, params: { column: a } }\n`,
  );
}

Deno.test("S3: a 403 body echoing Authorization and the session token (Polars path)", async () => {
  await using dir = await tempDir();
  await using s3 = startEchoingS3("data.csv");
  const kontract = await s3Kontract(dir.path, "s3://lake/");
  const env = { ...BASE_ENV, ...AWS_ENV, AWS_ENDPOINT_URL: s3.endpoint };
  const messagesFile = join(dir.path, "messages.jsonl");
  const runs = {
    rich: await runCliProcess(["validate", kontract], { env }),
    json: await runCliProcess(["validate", kontract, "-o", "json"], { env }),
    github: await runCliProcess(["validate", kontract, "-o", "github"], { env }),
    pipes: await runCliProcess(["validate", kontract], {
      env: {
        ...env,
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: { asset_keys: ["lake/s3"] } }),
        DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
      },
    }),
  };
  assert.ok(s3.echoed.some((text) => text.includes(SENTINEL.awsKeyId)), "the key id was sent");
  assert.ok(s3.echoed.includes(SENTINEL.awsToken), "the session token was sent");
  for (const [mode, run] of Object.entries(runs)) {
    assertEquals(run.code, 3, run.stderr);
    // The body reached the message, scrubbed: the key id and the token became ***.
    assert.match(run.stderr, /lake\/data\.csv.*Credential=\*\*\*\//, run.stderr);
    assertNoLeak(outputs(run, ` (${mode})`), ALL_SENTINELS);
  }
  assertNoLeak({ messages: await Deno.readTextFile(messagesFile) }, ALL_SENTINELS);
});

Deno.test("S3: a 403 on a Parquet footer read (AWS SDK path) holds no secret", async () => {
  await using dir = await tempDir();
  await using s3 = startEchoingS3("data.parquet");
  const kontract = await s3Kontract(dir.path, "s3://lake/");
  const env = { ...BASE_ENV, ...AWS_ENV, AWS_ENDPOINT_URL: s3.endpoint };
  for (const format of ["rich", "json"]) {
    const run = await runCliProcess(["validate", kontract, "-o", format], { env });
    assertEquals(run.code, 3, run.stderr);
    assert.match(run.stderr, /access denied/);
    assertNoLeak(outputs(run, ` (${format})`), ALL_SENTINELS);
  }
  assert.ok(s3.echoed.includes(SENTINEL.awsToken));
});

Deno.test("S3: a 403 on listing holds no secret", async () => {
  await using dir = await tempDir();
  await using s3 = startEchoingS3("data.csv", true);
  const kontract = await s3Kontract(dir.path, "s3://lake/users/");
  const run = await runCliProcess(["validate", kontract, "-o", "github"], {
    env: { ...BASE_ENV, ...AWS_ENV, AWS_ENDPOINT_URL: s3.endpoint },
  });
  assertEquals(run.code, 3, run.stderr);
  assert.match(run.stderr, /s3:\/\/lake\/users\/: access denied/);
  assertNoLeak(outputs(run), ALL_SENTINELS);
});

Deno.test("S3: an AWS_ENDPOINT_URL with userinfo is printed without it", async () => {
  await using dir = await tempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const kontract = await s3Kontract(dir.path, "s3://lake/x.parquet");
  const userinfo = `${SENTINEL.awsKeyId}:${encodeURIComponent(SENTINEL.awsSecret)}`;
  const run = await runCliProcess(["validate", kontract], {
    env: { ...BASE_ENV, ...AWS_ENV, AWS_ENDPOINT_URL: `http://${userinfo}@127.0.0.1:${port}` },
  });
  assertEquals(run.code, 3, run.stderr);
  assert.match(run.stderr, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/ `));
  assertNoLeak(outputs(run), ALL_SENTINELS);
});

// ------------------------------------------------------------ PostgreSQL

/** A LOGIN (or NOLOGIN) role with a SCRAM password; dropped on dispose. */
async function scramRole(password: string, login = true) {
  const pg = requirePostgres();
  const name = `kontra_sec_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  await pg.sql.begin(async (sql) => {
    await sql.unsafe("SET LOCAL password_encryption = 'scram-sha-256'");
    await sql.unsafe(
      `CREATE ROLE ${name} ${login ? "LOGIN" : "NOLOGIN"} PASSWORD '${password}'`,
    );
  });
  const [{ hash }] = await pg
    .sql`SELECT rolpassword AS hash FROM pg_authid WHERE rolname = ${name}`;
  assert.ok(String(hash).startsWith("SCRAM-SHA-256$"), "stored as SCRAM");
  return {
    name,
    [Symbol.asyncDispose]: async () => {
      await pg.sql.unsafe(`DROP OWNED BY ${name}`);
      await pg.sql.unsafe(`DROP ROLE ${name}`);
    },
  };
}

/** `127.0.0.1:5432` of the test server. */
function pgHostPort(): string {
  return new URL(requirePostgres().url).host;
}

Deno.test(
  pgTest("PostgreSQL: a SCRAM role whose password holds / # ? @ : logs in; outputs are clean"),
  async () => {
    const pg = requirePostgres();
    await using dir = await tempDir();
    await using schema = await tempSchema(pg);
    await loadFrame(pg, schema.name, "people", peopleFrame());
    await using role = await scramRole(SENTINEL.password);
    await pg.sql.unsafe(`GRANT USAGE ON SCHEMA "${schema.name}" TO ${role.name}`);
    await pg.sql.unsafe(`GRANT SELECT ON "${schema.name}".people TO ${role.name}`);
    const datasource = `postgres://${role.name}:\${KONTRA_PG_PW}@${pgHostPort()}/test/` +
      `${schema.name}.people`;
    // The URI after interpolation, parsed as Kontra parses it.
    const config = postgresConfig(datasource.replace("${KONTRA_PG_PW}", SENTINEL.password), {});
    assertEquals(
      [config.user, config.password, config.database, config.table],
      [role.name, SENTINEL.password, "test", [schema.name, "people"]],
    );
    const kontract = await writeText(
      dir.path,
      "pg.yml",
      `name: pg
datasource: "${datasource}"
rules:
  - name: regex
    params: { column: email, pattern: "\${KONTRA_PG_PW}" }
  - { name: not_null, params: { column: email } }
`,
    );
    const env = { ...BASE_ENV, KONTRA_PG_PW: SENTINEL.password };
    const summaryFile = join(dir.path, "summary.md");
    const runs = {
      rich: await runCliProcess(["validate", kontract, "--timings"], { env }),
      json: await runCliProcess(["validate", kontract, "-o", "json", "--timings"], { env }),
      github: await runCliProcess(["validate", kontract, "-o", "github"], {
        env: { ...env, GITHUB_STEP_SUMMARY: summaryFile },
      }),
      explain: await runCliProcess(["validate", kontract, "--explain"], { env }),
    };
    for (const [mode, run] of Object.entries(runs)) {
      assertEquals(run.code, mode === "explain" ? 0 : 1, `${mode}: ${run.stderr}`);
      assertNoLeak(outputs(run, ` (${mode})`), ALL_SENTINELS);
    }
    const document = JSON.parse(runs.json.stdout);
    assertEquals(
      document.dataset.uri,
      `postgres://${role.name}@${pgHostPort()}/test/${schema.name}.people`,
    );
    assertEquals(document.results.map((r: { failed_count: number }) => r.failed_count), [8, 2]);
    // The pushed-down SQL (in --timings) held the pattern: it is there, scrubbed.
    assert.ok(document.stats.sql.some((sql: string) => sql.includes("'***'")), runs.json.stdout);
    assertNoLeak({ summary: await Deno.readTextFile(summaryFile) }, ALL_SENTINELS);
  },
);

Deno.test(
  pgTest("PostgreSQL: a login failure (NOLOGIN role) prints no password, in any mode"),
  async () => {
    await using dir = await tempDir();
    await using role = await scramRole(SENTINEL.password, false);
    await Deno.writeTextFile(join(dir.path, ".env"), `KONTRA_PG_PW=${SENTINEL.password}\n`);
    const kontract = await writeText(
      dir.path,
      "pg.yml",
      `name: pg\ndatasource: "postgres://${role.name}:\${KONTRA_PG_PW}@${pgHostPort()}/test/` +
        `public.t"\nrules: [{ name: min_rows, params: { threshold: 1 } }]\n`,
    );
    const messagesFile = join(dir.path, "messages.jsonl");
    for (const format of ["rich", "json", "github"]) {
      const run = await runCliProcess(["validate", kontract, "-o", format], {
        env: {
          ...BASE_ENV,
          DAGSTER_PIPES_CONTEXT: encodeParam({ data: { asset_keys: ["pg"] } }),
          DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
        },
      });
      assertEquals(run.code, 3, run.stderr);
      assert.match(run.stderr, /cannot connect: role .* is not permitted to log in/);
      assertNoLeak(outputs(run, ` (${format})`), ALL_SENTINELS);
    }
    const messages = await Deno.readTextFile(messagesFile);
    assert.match(messages, /"closed".*is not permitted to log in/);
    assertNoLeak({ messages }, ALL_SENTINELS);
  },
);

Deno.test(
  pgTest("PostgreSQL: a driver error quoting a secret (PGPASSWORD from .env) is scrubbed"),
  async () => {
    await using dir = await tempDir();
    const secret = "Echo-Db-Secret-7Qx";
    await Deno.writeTextFile(join(dir.path, ".env"), `PGPASSWORD=${secret}\n`);
    const kontract = await writeText(
      dir.path,
      "pg.yml",
      `name: pg\ndatasource: postgres://postgres@${pgHostPort()}/${secret}/public.t\n` +
        `rules: [{ name: min_rows, params: { threshold: 1 } }]\n`,
    );
    const run = await runCliProcess(["validate", kontract, "-o", "json"], { env: BASE_ENV });
    assertEquals(run.code, 3, run.stderr);
    assert.match(run.stderr, /cannot connect: database "\*\*\*" does not exist/);
    assertNoLeak(outputs(run), [secret]);
  },
);

// ------------------------------------------------------------ Snowflake

Deno.test("Snowflake: a URI password with / # ? @ : logs in; outputs are clean", async () => {
  await using dir = await tempDir();
  const server = await startSnowflakeServer({ password: SENTINEL.snowflakePassword });
  try {
    await server.createDatabase("KONTRA", "PUBLIC");
    await server.db.run(
      `CREATE TABLE "KONTRA"."PUBLIC"."PEOPLE" AS SELECT * FROM (VALUES (1, 'a@x.io'),
        (2, NULL), (3, 'bad')) t("id", "email")`,
    );
    const kontract = await writeText(
      dir.path,
      "sf.yml",
      `name: sf
datasource: snowflake://\${SF_USER}:\${SF_PW}@${server.account}/KONTRA/PUBLIC/PEOPLE?warehouse=WH
rules:
  - name: regex
    params: { column: email, pattern: "\${SF_PW}" }
  - { name: not_null, params: { column: email } }
`,
    );
    const env = {
      ...BASE_ENV,
      SF_USER: server.user,
      SF_PW: SENTINEL.snowflakePassword,
      SNOWFLAKE_ACCESS_URL: server.accessUrl,
    };
    for (const format of ["rich", "json", "github"]) {
      const run = await runCliProcess(
        ["validate", kontract, "-o", format, "--timings", "--no-actions"],
        { env, cwd: dir.path },
      );
      assertEquals(run.code, 1, `${format}: ${run.stderr}`);
      assertNoLeak(outputs(run, ` (${format})`), ALL_SENTINELS);
      if (format === "json") {
        const document = JSON.parse(run.stdout);
        assertEquals(document.results.map((r: { failed_count: number }) => r.failed_count), [
          2,
          1,
        ]);
      }
    }
  } finally {
    await server.close();
  }
});

Deno.test("Snowflake: a failed login prints no password, Pipes included", async () => {
  await using dir = await tempDir();
  const server = await startSnowflakeServer();
  try {
    const kontract = await writeText(
      dir.path,
      "sf.yml",
      `name: sf\ndatasource: snowflake://${server.account}/KONTRA/PUBLIC/T?login_timeout=10\n` +
        `rules: [{ name: min_rows, params: { threshold: 1 } }]\n`,
    );
    const messagesFile = join(dir.path, "messages.jsonl");
    const base = {
      ...BASE_ENV,
      SNOWFLAKE_USER: server.user,
      SNOWFLAKE_ACCESS_URL: server.accessUrl,
      DAGSTER_PIPES_CONTEXT: encodeParam({ data: { asset_keys: ["sf"] } }),
      DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
    };
    const uriKontract = await writeText(
      dir.path,
      "sf_uri.yml",
      `name: sf\ndatasource: snowflake://\${SNOWFLAKE_USER}:\${SF_PW}@${server.account}/` +
        `KONTRA/PUBLIC/T\nrules: [{ name: min_rows, params: { threshold: 1 } }]\n`,
    );
    const runs = {
      env: await runCliProcess(["validate", kontract, "-o", "json"], {
        env: { ...base, SNOWFLAKE_PASSWORD: SENTINEL.snowflakePassword },
        cwd: dir.path,
      }),
      uri: await runCliProcess(["validate", uriKontract, "-o", "github"], {
        env: { ...base, SF_PW: SENTINEL.snowflakePassword },
        cwd: dir.path,
      }),
    };
    for (const [mode, run] of Object.entries(runs)) {
      assertEquals(run.code, 3, run.stderr);
      assert.match(run.stderr, /cannot connect: Incorrect username or password/);
      assertNoLeak(outputs(run, ` (${mode})`), ALL_SENTINELS);
    }
    const messages = await Deno.readTextFile(messagesFile);
    assert.match(messages, /"closed".*Incorrect username or password/);
    assertNoLeak({ messages }, ALL_SENTINELS);
  } finally {
    await server.close();
  }
});
