/**
 * Every channel that leaves the process, driven with sentinel secrets through the real CLI
 * in a child process (its own registry: nothing registered by this test helps it): rich,
 * JSON and github output on stdout and stderr, the job-summary file, Dagster Pipes
 * messages (file and stdio channels, the `closed` exception), the Slack POST body as a
 * real local server receives it, quarantine manifests, `--explain` and `--timings`. Each
 * output is grepped for the raw value and its URL-encoded and base64 forms.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { encodeParam } from "../../src/integrations/dagster_pipes.ts";
import { writeShop } from "../actions/fixtures.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { type Run, runCliProcess } from "../support/cli.ts";
import { tempDir, writeText } from "../support/fixtures.ts";
import {
  refusedUrl,
  type ScriptedResponse,
  startWebhookServer,
  type WebhookServer,
} from "../support/webhook_server.ts";
import { ALL_SENTINELS, assertNoLeak, BASE_ENV, SENTINEL } from "./secret_sentinels.ts";

/**
 * The sentinel password is a rule id, a regex pattern (echoed in the rule's message, the
 * explain plan, annotations and the summary) and a context value; the API token is a
 * context value; the webhook URL holds the sentinel token.
 */
const LEAKY_KONTRACT = `name: leaky
datasource: data/
actions:
  quarantine:
    location: dlq/
  alert:
    slack:
      webhook_url: \${SLACK_WEBHOOK_URL}
      on: always
rules:
  - name: regex
    id: leak-\${KONTRA_SENTINEL_PW}
    params: { column: email, pattern: "\${KONTRA_SENTINEL_PW}" }
    context: { db_password: "\${KONTRA_SENTINEL_PW}", api_token: "\${KONTRA_API_TOKEN}" }
  - name: not_null
    params: { column: email }
`;

interface Leaky extends AsyncDisposable {
  dir: string;
  kontract: string;
  server: WebhookServer;
  env: Record<string, string>;
  /** Runs the CLI on the Kontract with `args` and the sentinel environment. */
  run(args: string[], env?: Record<string, string>): Promise<Run>;
}

async function leaky(script: ScriptedResponse[] = []): Promise<Leaky> {
  const temp = await tempDir();
  await writeShop(join(temp.path, "data"));
  const kontract = await writeText(temp.path, "leaky.yml", LEAKY_KONTRACT);
  const server = startWebhookServer(script);
  const webhook = server.url.replace("SECRETTOKEN", SENTINEL.webhookToken);
  const env = {
    ...BASE_ENV,
    KONTRA_SENTINEL_PW: SENTINEL.password,
    KONTRA_API_TOKEN: SENTINEL.apiToken,
    SLACK_WEBHOOK_URL: webhook,
  };
  return {
    dir: temp.path,
    kontract,
    server,
    env,
    run: (args, extra = {}) =>
      runCliProcess(["validate", kontract, ...args], { env: { ...env, ...extra } }),
    [Symbol.asyncDispose]: async () => {
      await server.close();
      await temp[Symbol.asyncDispose]();
    },
  };
}

/** Every `_manifest.json` under `dir`, as text. */
async function manifests(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else if (entry.name === "_manifest.json") found.push(await Deno.readTextFile(child));
    }
  };
  await walk(dir);
  return found;
}

/** The Slack bodies the local server received. */
function slackBodies(server: WebhookServer): Record<string, string> {
  return Object.fromEntries(server.requests.map((request, i) => [`slack#${i}`, request.body]));
}

Deno.test("channels: rich output (stdout, stderr) holds no form of any secret", async () => {
  await using l = await leaky();
  const run = await l.run([]);
  assertEquals(run.code, 1, run.stderr);
  assert.match(run.stdout, /leak-\*\*\*/);
  assert.match(run.stdout, /do not match \*\*\*/);
  assertNoLeak({ stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
});

Deno.test("channels: JSON output holds no form of any secret", async () => {
  await using l = await leaky();
  const run = await l.run(["-o", "json"]);
  assertEquals(run.code, 1, run.stderr);
  const document = JSON.parse(run.stdout);
  assertEquals(document.results[0].rule_id, "leak-***");
  assertEquals(document.results[0].context, { api_token: "***", db_password: "***" });
  assert.match(document.results[0].message, /do not match \*\*\*$/);
  assertNoLeak({ stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
});

Deno.test("channels: github annotations and the job-summary file hold no secret", async () => {
  await using l = await leaky();
  const summaryFile = join(l.dir, "summary.md");
  const run = await l.run(["-o", "github"], { GITHUB_STEP_SUMMARY: summaryFile });
  assertEquals(run.code, 1, run.stderr);
  const summary = await Deno.readTextFile(summaryFile);
  assert.match(run.stdout, /::error file=.*title=Kontra%3A leak-\*\*\*::/);
  assert.match(summary, /leak-\\\*\\\*\\\*|leak-\*\*\*/);
  assertNoLeak({ stdout: run.stdout, stderr: run.stderr, summary }, ALL_SENTINELS);
});

Deno.test("channels: Dagster Pipes file channel messages hold no secret", async () => {
  await using l = await leaky();
  const messagesFile = join(l.dir, "messages.jsonl");
  const run = await l.run([], {
    DAGSTER_PIPES_CONTEXT: encodeParam({ data: { asset_keys: ["lake/users"] } }),
    DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
  });
  assertEquals(run.code, 1, run.stderr);
  const messages = await Deno.readTextFile(messagesFile);
  const checks = messages.trim().split("\n").map((line) => JSON.parse(line))
    .filter((message) => message.method === "report_asset_check");
  assertEquals(checks[0].params.metadata.rule_id.raw_value, "leak-***");
  assertEquals(checks[0].params.metadata.context.raw_value.db_password, "***");
  assertNoLeak({ messages, stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
});

Deno.test("channels: Dagster Pipes stdio channel (stdout) holds no secret", async () => {
  await using l = await leaky();
  const run = await l.run(["-o", "json"], {
    DAGSTER_PIPES_CONTEXT: encodeParam({ data: { asset_keys: ["lake/users"] } }),
    DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stdout" }),
  });
  assertEquals(run.code, 1, run.stderr);
  assert.match(run.stdout, /"report_asset_check"/);
  assertNoLeak({ stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
});

Deno.test("channels: --explain, rich and JSON, holds no secret", async () => {
  await using l = await leaky();
  for (const format of ["rich", "json"]) {
    const run = await l.run(["--explain", "-o", format]);
    assertEquals(run.code, 0, run.stderr);
    assert.match(run.stdout, /\*\*\*/, run.stdout);
    assertNoLeak({ [`explain ${format}`]: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
  }
  assertEquals(l.server.requests.length, 0, "--explain runs nothing");
});

Deno.test("channels: --timings (rich and JSON) holds no secret", async () => {
  await using l = await leaky();
  for (const format of ["rich", "json"]) {
    const run = await l.run(["--timings", "-o", format]);
    assertEquals(run.code, 1, run.stderr);
    assert.match(run.stdout, format === "rich" ? /^Timings$/m : /"stats"/);
    assertNoLeak({ [`timings ${format}`]: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
  }
});

Deno.test("channels: the Slack POST body, as the server receives it, holds no secret", async () => {
  await using l = await leaky();
  const run = await l.run(["-o", "json"]);
  assertEquals(run.code, 1, run.stderr);
  assertEquals(l.server.requests.length, 1);
  const [request] = l.server.requests;
  assertEquals(request.path, `/services/T000/B000/${SENTINEL.webhookToken}`, "posted for real");
  assert.match(request.body, /leak-\*\*\*/);
  assertNoLeak(slackBodies(l.server), ALL_SENTINELS);
});

Deno.test("channels: quarantine manifests hold no secret", async () => {
  await using l = await leaky();
  const run = await l.run(["-o", "json"]);
  assertEquals(run.code, 1, run.stderr);
  const quarantine = JSON.parse(run.stdout).actions[0];
  assertEquals(quarantine.status, "succeeded", JSON.stringify(quarantine));
  const found = await manifests(join(l.dir, "dlq"));
  assertEquals(found.length, 1);
  assert.match(found[0], /"leak-\*\*\*"/);
  // The quarantined rows carry the same scrubbed id and reason, so the run verifies.
  const rows = pl.readParquet(quarantine.location + "part-00000.parquet");
  const ids = rows.getColumn("_violated_rule_id").toArray() as string[];
  const reasons = rows.getColumn("_error_reason").toArray() as string[];
  assert.ok(ids.includes("leak-***"), ids.join());
  assert.ok(reasons.includes("email does not match ***"), reasons.join());
  const verify = await runCliProcess(["quarantine", "verify", quarantine.location], {
    env: l.env,
  });
  assertEquals(verify.code, 0, verify.stdout + verify.stderr);
  assertNoLeak({
    manifest: found[0],
    stdout: run.stdout,
    rows: JSON.stringify([ids, reasons]),
    verify: verify.stdout + verify.stderr,
  }, ALL_SENTINELS);
});

Deno.test("channels: a Slack error body echoing the webhook token is not printed", async () => {
  await using l = await leaky();
  const echo = [{
    status: 400,
    body: `invalid_token ${SENTINEL.webhookToken}\n${l.env.SLACK_WEBHOOK_URL}`,
  }];
  await using failing = startWebhookServer(echo);
  const url = failing.url.replace("SECRETTOKEN", SENTINEL.webhookToken);
  for (const format of ["rich", "json", "github"]) {
    const run = await l.run(["-o", format], { SLACK_WEBHOOK_URL: url });
    assertEquals(run.code, 1, run.stderr);
    assert.match(run.stderr, /alert failed: Slack answered HTTP 400/);
    assertNoLeak({ stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
  }
  assertEquals(failing.requests.length, 3);
});

Deno.test("channels: a refused webhook (network error) names no URL", async () => {
  await using l = await leaky();
  const url = (await refusedUrl()).replace("SECRETTOKEN", SENTINEL.webhookToken);
  const run = await l.run(["-o", "json"], { SLACK_WEBHOOK_URL: url });
  assertEquals(run.code, 1, run.stderr);
  const alert = JSON.parse(run.stdout).actions[1];
  assertEquals([alert.action, alert.status], ["alert", "failed"]);
  assertNoLeak({ stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
});

/** A Kontract on a refused PostgreSQL port whose URI holds the sentinel password. */
async function refusedKontract(dir: string): Promise<string> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return await writeText(
    dir,
    "refused.yml",
    `name: refused
datasource: postgres://reader:\${KONTRA_SENTINEL_PW}@127.0.0.1:${port}/db/public.t?connect_timeout=3
rules:
  - { name: not_null, params: { column: a } }
`,
  );
}

Deno.test("channels: a connection error, in every output mode, holds no secret", async () => {
  await using l = await leaky();
  const kontract = await refusedKontract(l.dir);
  const summaryFile = join(l.dir, "summary.md");
  for (const format of ["rich", "json", "github"]) {
    const run = await runCliProcess(["validate", kontract, "-o", format], {
      env: { ...l.env, GITHUB_STEP_SUMMARY: summaryFile },
    });
    assertEquals(run.code, 3, run.stderr);
    assert.match(run.stderr, /^kontra: postgres:\/\/reader@127\.0\.0\.1:\d+\/db\/public\.t/);
    assertNoLeak({ stdout: run.stdout, stderr: run.stderr }, ALL_SENTINELS);
  }
  const debug = await runCliProcess(["validate", kontract, "--debug"], { env: l.env });
  assertNoLeak({ "stderr --debug": debug.stderr }, ALL_SENTINELS);
});

Deno.test("channels: the Pipes `closed` exception of a failed run holds no secret", async () => {
  await using l = await leaky();
  const kontract = await refusedKontract(l.dir);
  const messagesFile = join(l.dir, "messages.jsonl");
  const run = await runCliProcess(["validate", kontract], {
    env: {
      ...l.env,
      DAGSTER_PIPES_CONTEXT: encodeParam({ data: { asset_keys: ["lake/users"] } }),
      DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
    },
  });
  assertEquals(run.code, 3, run.stderr);
  const messages = await Deno.readTextFile(messagesFile);
  const closed = JSON.parse(messages.trim().split("\n").at(-1)!);
  assertEquals(closed.method, "closed");
  assert.match(closed.params.exception.message, /DataSourceError: postgres:\/\/reader@/);
  assertNoLeak({ messages, stderr: run.stderr }, ALL_SENTINELS);
});

Deno.test("channels: a --data URI with a password is scrubbed from usage errors too", async () => {
  await using l = await leaky();
  const data = `postgres://reader:${SENTINEL.password}@127.0.0.1:1/db/public.t`;
  const bad = await l.run(["--data", data, "-o", "xml"]);
  assertEquals(bad.code, 2);
  const refused = await l.run(["--data", data, "--no-actions"]);
  assertEquals(refused.code, 3, refused.stderr);
  assertNoLeak({
    "usage stderr": bad.stderr,
    "refused stderr": refused.stderr,
    "refused stdout": refused.stdout,
  }, [SENTINEL.password]);
});
