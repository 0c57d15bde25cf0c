/**
 * Actions through the CLI: `--no-actions`, `--strict-actions`, the actions lines of
 * the rich output, failed actions on stderr, and the `actions:` Kontract errors.
 */
import { relative } from "node:path";
import { loadKontract } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { tempDir } from "../support/fixtures.ts";
import { startWebhookServer } from "../support/webhook_server.ts";
import { listFiles, writeShop } from "./fixtures.ts";

/** A Kontract file with both actions; the webhook URL comes from a `.env` beside it. */
async function writeKontract(dir: string, webhookUrl: string): Promise<string> {
  await writeShop(`${dir}/data`);
  await Deno.writeTextFile(`${dir}/.env`, `SLACK_WEBHOOK_URL=${webhookUrl}\n`);
  const yaml = `name: shop
datasource: data/
actions:
  quarantine:
    location: dlq/
  alert:
    slack:
      webhook_url: \${SLACK_WEBHOOK_URL}
rules:
  - { name: not_null, params: { column: email } }
  - { name: allowed_values, params: { column: country, values: [US] }, severity: warning }
`;
  await Deno.writeTextFile(`${dir}/shop.yml`, yaml);
  return `${dir}/shop.yml`;
}

Deno.test("--no-actions sends and writes nothing", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer();
  const kontract = await writeKontract(tmp.path, server.url);
  const run = await runCli(["validate", kontract, "--no-actions", "-o", "json"]);
  assertEquals(run.code, 1);
  assertEquals(JSON.parse(run.stdout).actions, undefined);
  assertEquals(server.requests.length, 0);
  assert(!(await listFiles(tmp.path)).some((path) => path.startsWith("dlq/")));
});

Deno.test("actions run by default: rich output lists them, JSON holds them", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer();
  const kontract = await writeKontract(tmp.path, server.url);
  const rich = await runCli(["validate", kontract]);
  assertEquals(rich.code, 1);
  assertEquals(rich.stderr, "");
  const location = (await listFiles(`${tmp.path}/dlq`))[0].split("/").slice(0, 2).join("/");
  assert(
    rich.stdout.endsWith(
      "actions:\n" +
        `  quarantine  succeeded  4 rows  → ${tmp.path}/dlq/${location}/\n` +
        "  alert       succeeded  (sent to Slack)\n",
    ),
    rich.stdout,
  );
  const json = await runCli(["validate", kontract, "-o", "json"]);
  assertEquals(JSON.parse(json.stdout).actions, [
    {
      action: "quarantine",
      status: "succeeded",
      location: `${tmp.path}/dlq/${location}/`,
      rows: 4,
    },
    { action: "alert", status: "succeeded", message: "sent to Slack" },
  ]);
  assertEquals(server.requests.length, 2);
  assert(!rich.stdout.includes("SECRETTOKEN") && !json.stdout.includes("SECRETTOKEN"));
});

Deno.test("a failed action is one stderr line; the exit code stands unless --strict-actions", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer([{ status: 403, body: "invalid_token" }]);
  const kontract = await writeKontract(tmp.path, server.url);
  const plain = await runCli(["validate", kontract, "-o", "json"]);
  assertEquals(plain.code, 1);
  assertEquals(
    plain.stderr,
    "kontra: action alert failed: Slack answered HTTP 403 (invalid_token)\n",
  );
  assertEquals(JSON.parse(plain.stdout).actions[1], {
    action: "alert",
    status: "failed",
    error: "Slack answered HTTP 403 (invalid_token)",
  });
  const strict = await runCli(["validate", kontract, "-o", "json", "--strict-actions"]);
  assertEquals(strict.code, 3);
  assert(!`${plain.stdout}${plain.stderr}${strict.stderr}`.includes("SECRETTOKEN"));
});

Deno.test("--strict-actions exits as usual when every action succeeded", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer();
  const kontract = await writeKontract(tmp.path, server.url);
  assertEquals((await runCli(["validate", kontract, "--strict-actions", "-q"])).code, 1);
});

/** Loads a Kontract file with this actions block; returns the error message. */
async function actionsError(dir: string, actions: string): Promise<string> {
  const path = `${dir}/k.yml`;
  await Deno.writeTextFile(path, `name: k\nrules: []\nactions:\n${actions}`);
  return await loadKontract(path, { env: {} }).then(
    () => assert.fail("expected a Kontract error"),
    (error) => error.message,
  );
}

Deno.test("mistakes in the actions block are Kontract errors naming file:line:col", async () => {
  await using tmp = await tempDir();
  const at = (rest: string) => `${relative(Deno.cwd(), `${tmp.path}/k.yml`)}:${rest}`;
  assertEquals(
    await actionsError(tmp.path, "  quarantine:\n    location: dlq/\n    fromat: csv\n"),
    at("6:5: actions.quarantine.fromat: unknown field"),
  );
  assertEquals(
    await actionsError(tmp.path, "  quarantine:\n    location: dlq/\n    format: xml\n"),
    at('6:13: actions.quarantine.format: Invalid option: expected one of "parquet"|"csv"'),
  );
  assertEquals(
    await actionsError(tmp.path, "  quarantine:\n    format: csv\n"),
    at("5:5: actions.quarantine.location: required"),
  );
  const secret = "not-a-url-but-secret";
  const bad = await actionsError(
    tmp.path,
    `  alert:\n    slack:\n      webhook_url: ${secret}\n`,
  );
  assertEquals(bad, at("6:20: actions.alert.slack.webhook_url: must be an http(s) URL"));
  // An unset variable inside actions: fails that action only (see unset_variable_test.ts).
  await Deno.writeTextFile(
    `${tmp.path}/k.yml`,
    "name: k\nrules: []\nactions:\n  alert:\n    slack:\n      webhook_url: ${SLACK}\n",
  );
  assertEquals(
    (await loadKontract(`${tmp.path}/k.yml`, { env: {} })).actionProblems,
    { alert: at("6:20: environment variable SLACK is not set") },
  );
  assertEquals(
    await actionsError(
      tmp.path,
      "  alert:\n    slack:\n      webhook_url: https://hooks.example/x\n      on: sometimes\n",
    ),
    at('7:11: actions.alert.slack.on: Invalid option: expected one of "failure"|"always"'),
  );
});
