/**
 * S3 sources against a real S3 API server (s3rver, in-process): the same counts as
 * local files, few bytes for metadata answers, and clean errors without secrets.
 */
import pl from "nodejs-polars";
import { assert, assertEquals } from "../support/assert.ts";
import { explain, validate } from "../../mod.ts";
import { REPO, runCliProcess } from "../support/cli.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";
import { expectedCounts, kontractOf, RULE_CASES } from "../support/rule_cases.ts";
import { type S3TestServer, startS3Server } from "../support/s3_server.ts";
import { usersFrame } from "../../scripts/users_data.ts";
import { parseS3Uri } from "../../src/storage/s3_location.ts";

const BUCKET = "lake";

/** Starts a server holding the people data as one Parquet, one CSV, a 3-file prefix and a big file. */
async function lakeServer(dir: string): Promise<S3TestServer> {
  const server = await startS3Server();
  await server.createBucket(BUCKET);
  const files = writeBoth(peopleFrame(), dir, "people");
  await server.putFile(BUCKET, "people.parquet", files.parquet);
  await server.putFile(BUCKET, "people.csv", files.csv);
  const frame = peopleFrame();
  for (const [part, [offset, length]] of [[0, 4], [4, 3], [7, 3]].entries()) {
    const path = `${dir}/part${part}.parquet`;
    frame.slice(offset, length).writeParquet(path);
    await server.putFile(BUCKET, `parts/part-${part}.parquet`, path);
  }
  await server.putBytes(BUCKET, "parts/_SUCCESS", new Uint8Array());
  const big = `${dir}/users.parquet`;
  usersFrame(0, 500_000).writeParquet(big, { compression: "zstd" });
  await server.putFile(BUCKET, "users/users.parquet", big);
  return server;
}

Deno.test("S3 sources count every rule exactly as the local files do", async (t) => {
  await using dir = await tempDir();
  const server = await lakeServer(dir.path);
  try {
    {
      // The server's variables reach only these runs, not the shared process environment.
      const env = server.env();
      for (
        const uri of [
          `s3://${BUCKET}/people.parquet`,
          `s3://${BUCKET}/people.csv`,
          `s3://${BUCKET}/parts/`,
          `s3://${BUCKET}/parts/*.parquet`,
        ]
      ) {
        await t.step(uri, async () => {
          for (const metadata of [true, false]) {
            const result = await validate(kontractOf(RULE_CASES, uri), { metadata, env });
            assertEquals(
              result.results.map((r) => [r.rule, r.column ?? "", r.failed_count]),
              expectedCounts(RULE_CASES),
            );
            assertEquals(result.document.dataset, { uri, rows: 10 });
          }
        });
      }
    }
  } finally {
    await server.close();
  }
});

Deno.test("bytes: metadata answers read ≤ 1% of the object; one column reads a fraction", async () => {
  await using dir = await tempDir();
  const server = await lakeServer(dir.path);
  try {
    {
      // The server's variables reach only these runs, not the shared process environment.
      const env = server.env();
      const uri = `s3://${BUCKET}/users/users.parquet`;
      const size = (await Deno.stat(`${dir.path}/users.parquet`)).size;
      server.resetBytes();
      const metadataOnly = await validate({
        name: "meta",
        datasource: uri,
        rules: [
          { name: "not_null", params: { column: "user_id" } },
          { name: "min_rows", params: { threshold: 1000 } },
          { name: "max_rows", params: { threshold: 1_000_000 } },
          { name: "dtype", params: { column: "email", type: "string" } },
        ],
      }, { timings: true, env });
      assert.ok(metadataOnly.results.every((r) => r.execution_source === "metadata"));
      assertEquals(metadataOnly.document.dataset.rows, 500_000);
      const metadataBytes = server.bytesSent();
      assert.ok(metadataBytes <= size / 100, `${metadataBytes} bytes of ${size}`);
      assertEquals(metadataOnly.document.stats?.bytes_total, size);
      assertEquals(metadataOnly.document.stats?.files, 1);

      server.resetBytes();
      const oneColumn = await validate({
        name: "one",
        datasource: uri,
        rules: [{ name: "regex", params: { column: "email", pattern: "@" } }],
      }, { env });
      assertEquals(oneColumn.results[0].failed_count, malformedEmails(500_000));
      const columnBytes = server.bytesSent();
      assert.ok(columnBytes < size / 2, `${columnBytes} bytes of ${size}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("custom_sql_check on S3 streams objects to a temporary file that is removed", async () => {
  await using dir = await tempDir();
  const server = await lakeServer(dir.path);
  const before = [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")]
    .filter((entry) => entry.name.startsWith("kontra-s3-")).length;
  try {
    {
      // The server's variables reach only these runs, not the shared process environment.
      const env = server.env();
      const result = await validate({
        name: "sql",
        datasource: `s3://${BUCKET}/parts/*.parquet`,
        rules: [{
          name: "custom_sql_check",
          params: { sql: "SELECT * FROM {table} WHERE age > 25" },
        }],
      }, { env });
      assertEquals(result.results[0].failed_count, 5);
      assertEquals(result.results[0].execution_source, "sql");
      const plan = await explain(`${REPO}examples/users.yml`, {
        data: `s3://${BUCKET}/parts/*.parquet`,
        env,
      });
      assert.match(
        plan.reads.find((read) => /DuckDB table/.test(read.what))!.what,
        /private temporary directory, then DuckDB/,
      );
    }
  } finally {
    await server.close();
  }
  const after = [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")]
    .filter((entry) => entry.name.startsWith("kontra-s3-")).length;
  assertEquals(after, before);
});

Deno.test("S3 failures: exit 3 with one clear line and no secret; exit 2 for a malformed URI", async () => {
  await using dir = await tempDir();
  const server = await lakeServer(dir.path);
  const kontract = `${dir.path}/k.yml`;
  await Deno.writeTextFile(
    kontract,
    "name: k\nrules:\n  - { name: not_null, params: { column: id } }\n",
  );
  const secret = "not-the-secret-Zx9Q";
  const good = server.env();
  try {
    const cases: [string, Record<string, string>, number, RegExp][] = [
      [
        `s3://${BUCKET}/people.parquet`,
        { ...good, AWS_SECRET_ACCESS_KEY: secret },
        3,
        /access denied/,
      ],
      [`s3://no-such-bucket/people.parquet`, good, 3, /bucket does not exist|not found|no such/],
      [`s3://${BUCKET}/missing.parquet`, good, 3, /no such object|not found/],
      [
        `s3://${BUCKET}/people.parquet`,
        { ...good, AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
        3,
        /cannot reach/,
      ],
      ["s3://Bad_Bucket!/x.parquet", good, 2, /not a valid S3 URI/],
    ];
    for (const [uri, env, code, message] of cases) {
      const run = await runCliProcess(["validate", kontract, "--data", uri], {
        env,
        cwd: dir.path,
      });
      assertEquals(run.code, code, `${uri}: ${run.stderr}`);
      const lines = run.stderr.trim().split("\n");
      assertEquals(lines.length, 1, run.stderr);
      assert.match(lines[0], message);
      assert.ok(lines[0].startsWith("kontra: "));
      assert.ok(!(run.stderr + run.stdout).includes(secret), "the secret leaked");
      assert.ok(!(run.stderr + run.stdout).includes(good.AWS_SECRET_ACCESS_KEY + "@"));
    }
  } finally {
    await server.close();
  }
});

Deno.test("credentials from .env and ${VAR}; the process environment wins over .env", async () => {
  await using dir = await tempDir();
  const server = await lakeServer(dir.path);
  const env = server.env();
  try {
    // Credentials only in .env next to the Kontract; the bucket through ${VAR}.
    await Deno.writeTextFile(
      `${dir.path}/.env`,
      Object.entries({ ...env, LAKE_BUCKET: BUCKET }).map(([k, v]) => `${k}=${v}`).join("\n"),
    );
    await Deno.writeTextFile(
      `${dir.path}/k.yml`,
      "name: k\ndatasource: s3://${LAKE_BUCKET}/people.parquet\nrules:\n" +
        "  - { name: not_null, params: { column: email } }\n",
    );
    const fromDotEnv = await runCliProcess(["validate", "k.yml", "-o", "json"], { cwd: dir.path });
    assertEquals(fromDotEnv.code, 1, fromDotEnv.stderr);
    assertEquals(JSON.parse(fromDotEnv.stdout).results[0].failed_count, 2);
    const processWins = await runCliProcess(["validate", "k.yml"], {
      env: { AWS_SECRET_ACCESS_KEY: "wrong-from-process" },
      cwd: dir.path,
    });
    assertEquals(processWins.code, 3, processWins.stderr);
    assert.match(processWins.stderr, /access denied/);
  } finally {
    await server.close();
  }
});

Deno.test("S3 URIs: objects, prefixes and globs", () => {
  assertEquals(parseS3Uri("s3://b12/a/x.parquet").kind, "object");
  assertEquals(parseS3Uri("s3://b12/a/").kind, "prefix");
  assertEquals(parseS3Uri("s3://b12").kind, "prefix");
  const glob = parseS3Uri("s3://b12/a/b/*.parquet");
  assertEquals([glob.kind, glob.listPrefix], ["glob", "a/b/"]);
});

/** Malformed emails in the first `rows` users: multiples of 89 that are not multiples of 97 (NULL). */
function malformedEmails(rows: number): number {
  let count = 0;
  for (let i = 0; i < rows; i += 89) if (i % 97 !== 0) count++;
  return count;
}

Deno.test("the users dataset's malformed emails are known by construction", () => {
  const frame = usersFrame(0, 200_000);
  const malformed = frame.filter(pl.col("email").str.contains("@").not()).height;
  assertEquals(malformed, malformedEmails(200_000));
});
