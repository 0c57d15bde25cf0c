/**
 * The Slack alert against a real local HTTP server: payload, retries on 429 (with
 * Retry-After) and 5xx, no retry on other 4xx, refused connections, timeouts, and the
 * webhook URL never leaking.
 */
import { type ActionOptions, validate } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { refusedUrl, startWebhookServer } from "../support/webhook_server.ts";
import { shopKontract, writeShop } from "./fixtures.ts";

/** Small bounds so that the suite stays fast; the real clock still waits. */
const FAST: ActionOptions = {
  slack: {
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 5_000 },
    requestTimeoutMs: 2_000,
  },
};

/** The alert block; the URL comes from the environment, as a Kontract should have it. */
function alertOnly(on: "failure" | "always" = "failure") {
  return { alert: { slack: { webhook_url: "${SLACK_WEBHOOK_URL}", on } } };
}

/** The environment the Kontract sees: just the webhook URL. */
function env(url: string) {
  return { SLACK_WEBHOOK_URL: url };
}

Deno.test("the alert posts a Block Kit message with the DLQ link", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer();
  const data = await writeShop(`${tmp.path}/data`);
  const actions = { quarantine: { location: `${tmp.path}/dlq` }, ...alertOnly() };
  const result = await validate(shopKontract(actions), {
    data,
    env: env(server.url),
    actions: FAST,
  });
  assertEquals(result.actions.map((a) => [a.action, a.status]), [
    ["quarantine", "succeeded"],
    ["alert", "succeeded"],
  ]);
  assertEquals(server.requests.length, 1);
  const [request] = server.requests;
  assertEquals(request.method, "POST");
  assertEquals(request.path, "/services/T000/B000/SECRETTOKEN");
  assertEquals(request.contentType, "application/json; charset=utf-8");
  const payload = JSON.parse(request.body);
  assertEquals(Object.keys(payload), ["text", "blocks"]);
  assert(payload.text.startsWith("Kontra: shop FAILED on "), payload.text);
  const body = JSON.stringify(payload.blocks);
  for (
    const part of [
      "❌ Kontra: shop FAILED",
      "7 of 8 rules failed (5 blocking, 1 warning, 1 info)",
      "• `COL:email:regex` · blocking · 1 failed",
      "*Quarantine (DLQ):*",
      result.actions[0].location!,
    ]
  ) assert(body.includes(part), `${part} in ${body}`);
  // Blocking rules come first, the largest count first among them.
  const order = ["COL:country:allowed_values", "COL:email:regex", "COL:email:unique"]
    .map((id) => body.indexOf(id));
  assertEquals(order, [...order].sort((a, b) => a - b));
  assert(!result.toJsonText().includes("SECRETTOKEN"));
});

Deno.test("on: failure stays quiet on a passing run; on: always posts", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer();
  const data = await writeShop(`${tmp.path}/data`);
  const passing = (on: "failure" | "always") => ({
    name: "shop",
    rules: [{ name: "not_null", params: { column: "id" } }],
    actions: alertOnly(on),
  });
  const quiet = await validate(passing("failure"), { data, env: env(server.url), actions: FAST });
  assertEquals(quiet.actions, [{
    action: "alert",
    status: "skipped",
    message: "the run passed (alert on: failure)",
  }]);
  assertEquals(server.requests.length, 0);
  const loud = await validate(passing("always"), { data, env: env(server.url), actions: FAST });
  assertEquals(loud.actions[0].status, "succeeded");
  assertEquals(server.requests.length, 1);
  assert(JSON.parse(server.requests[0].body).text.startsWith("Kontra: shop passed"));
  // On demand, `on` can be overridden.
  assertEquals((await quiet.alert({ on: "always" })).status, "succeeded");
  assertEquals(server.requests.length, 2);
});

Deno.test("429 with Retry-After is retried after the wait Slack asked for", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer([
    { status: 429, body: "rate_limited", headers: { "retry-after": "1" } },
    { status: 200, body: "ok" },
  ]);
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(alertOnly()), {
    data,
    env: env(server.url),
    actions: FAST,
  });
  assertEquals(result.actions, [{
    action: "alert",
    status: "succeeded",
    message: "sent to Slack",
  }]);
  assertEquals(server.requests.length, 2);
  const waited = server.requests[1].at - server.requests[0].at;
  assert(waited >= 950, `waited only ${waited} ms`);
});

Deno.test("5xx forever gives up after the bound and reports failed", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer([{ status: 500, body: "internal_error" }]);
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(alertOnly()), {
    data,
    env: env(server.url),
    actions: FAST,
  });
  assertEquals(result.passed, false, "the validation result stands");
  assertEquals(result.actions, [{
    action: "alert",
    status: "failed",
    error: "Slack answered HTTP 500 (internal_error) (gave up after 4 attempts)",
  }]);
  assertEquals(server.requests.length, 4);
});

Deno.test("the total time bound ends retries before the attempts run out", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer([{ status: 503 }]);
  const data = await writeShop(`${tmp.path}/data`);
  const options: ActionOptions = {
    slack: { retry: { maxAttempts: 50, baseDelayMs: 40, maxDelayMs: 40, maxTotalMs: 150 } },
  };
  const started = performance.now();
  const result = await validate(shopKontract(alertOnly()), {
    data,
    env: env(server.url),
    actions: options,
  });
  assertEquals(result.actions[0].status, "failed");
  assert(
    result.actions[0].error!.includes("0.2 s bound") ||
      result.actions[0].error!.includes("0.1 s bound"),
  );
  assert(server.requests.length >= 2 && server.requests.length <= 6, `${server.requests.length}`);
  assert(performance.now() - started < 3_000);
});

Deno.test("other 4xx are not retried", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer([{ status: 404, body: "no_service" }]);
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(alertOnly()), {
    data,
    env: env(server.url),
    actions: FAST,
  });
  assertEquals(result.actions[0].error, "Slack answered HTTP 404 (no_service)");
  assertEquals(server.requests.length, 1);
});

Deno.test("a refused connection is retried, then reported without the URL", async () => {
  await using tmp = await tempDir();
  const url = await refusedUrl();
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(alertOnly()), { data, env: env(url), actions: FAST });
  assertEquals(result.actions, [{
    action: "alert",
    status: "failed",
    error: "cannot connect to Slack: connection refused (gave up after 4 attempts)",
  }]);
  const text = result.toJsonText();
  assert(!text.includes("SECRETTOKEN") && !text.includes(url));
});

Deno.test("a webhook that never answers times out per request", async () => {
  await using tmp = await tempDir();
  const hanging = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    // Answers long after the client's 100 ms timeout (late enough, and shutdown can finish).
    () =>
      new Promise<Response>((resolve) => setTimeout(() => resolve(new Response("late")), 1_000)),
  );
  try {
    const url = `http://127.0.0.1:${hanging.addr.port}/services/SECRETTOKEN`;
    const data = await writeShop(`${tmp.path}/data`);
    const result = await validate(shopKontract(alertOnly()), {
      env: env(url),
      data,
      actions: { slack: { retry: { maxAttempts: 2, baseDelayMs: 5 }, requestTimeoutMs: 100 } },
    });
    assertEquals(
      result.actions[0].error,
      "Slack did not answer in time (gave up after 2 attempts)",
    );
  } finally {
    await hanging.shutdown();
  }
});

Deno.test("the whole alert is bounded by its action timeout", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer([{ status: 503 }]);
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(alertOnly()), {
    env: env(server.url),
    data,
    actions: {
      alertTimeoutMs: 100,
      slack: { retry: { maxAttempts: 100, baseDelayMs: 30, maxTotalMs: 60_000 } },
    },
  });
  assertEquals(result.actions[0], {
    action: "alert",
    status: "failed",
    error: "timed out after 0.1 s",
  });
  const count = server.requests.length;
  await new Promise((resolve) => setTimeout(resolve, 150));
  assertEquals(server.requests.length, count, "no request after the timeout");
});

Deno.test("actions: false sends and writes nothing; alert() and quarantine() run on demand", async () => {
  await using tmp = await tempDir();
  await using server = startWebhookServer();
  const data = await writeShop(`${tmp.path}/data`);
  const actions = { quarantine: { location: `${tmp.path}/dlq` }, ...alertOnly() };
  const result = await validate(shopKontract(actions), {
    data,
    env: env(server.url),
    actions: false,
  });
  assertEquals(result.actions, []);
  assertEquals(JSON.parse(result.toJsonText()).actions, undefined);
  assertEquals(server.requests.length, 0);
  await Deno.stat(`${tmp.path}/dlq`).then(() => assert.fail("nothing written"), () => {});
  const quarantine = await result.quarantine();
  assertEquals(quarantine.status, "succeeded");
  const alert = await result.alert();
  assertEquals(alert.status, "succeeded");
  assert(server.requests[0].body.includes(quarantine.location!), "the alert links the DLQ");
  assertEquals(result.actions.map((a) => a.action), ["quarantine", "alert"]);
});
