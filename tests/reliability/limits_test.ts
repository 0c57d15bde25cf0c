/**
 * Every read has a size limit and only reads regular files; every wait ends in time:
 * Kontracts and `extends:` bases (10 MB), `.env` files (1 MB), `/dev/zero`, `/dev/null`,
 * named pipes and directories where a file belongs, `--data ""`, names holding a line
 * break, `quarantine verify` on what is not a quarantine location, and Slack's retry
 * bound held in total against a slow or failing webhook on 127.0.0.1.
 *
 * Cases that would hang or exhaust memory before the fix run the CLI as a child process
 * killed after 20 s, so a regression fails the test instead of hanging it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { postToSlack } from "../../src/actions/slack.ts";
import type { SlackPayload } from "../../src/actions/slack_message.ts";
import { REPO, type Run, STACK_LINE } from "../support/cli.ts";
import { tempDir, writeText } from "../support/fixtures.ts";

const KONTRACT = "name: limits\ndatasource: d.csv\nrules:\n" +
  "  - { name: not_null, params: { column: id } }\n";
const DATA = "id\n1\n2\n";

/** `kontra …args` as a child process in `cwd`, killed after 20 s. */
async function kontra(args: string[], cwd: string, env: Record<string, string> = {}) {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(REPO, "deno.json"), join(REPO, "cli.ts"), ...args],
    cwd,
    env: { NO_COLOR: "1", TMPDIR: cwd, ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    ms: performance.now() - started,
  };
}

/** Exit `code` with one `kontra:` line matching `message`, quickly, no stack. */
function assertOneLine(run: Run & { ms: number }, code: number, message: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^kontra: [^\n]+\n$/, `one line expected, got: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.match(run.stderr, message);
  assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
}

async function mkfifo(path: string): Promise<void> {
  const { code } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(code, 0, "mkfifo");
}

/** A directory with the Kontract and its data; the working directory of the run. */
async function project(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir();
  await writeText(dir.path, "k.yml", KONTRACT);
  await writeText(dir.path, "d.csv", DATA);
  return dir;
}

Deno.test("a Kontract that is a device, a pipe, a directory or over 10 MB: exit 2", async () => {
  await using dir = await project();
  await mkfifo(join(dir.path, "pipe.yml"));
  await Deno.mkdir(join(dir.path, "folder.yml"));
  // 10 MB + 1 byte of comment after a valid Kontract.
  const big = KONTRACT + "#" + "x".repeat(10 * 1024 * 1024 - KONTRACT.length - 1) + "\n";
  await writeText(dir.path, "big.yml", big);
  const cases: [string, RegExp][] = [
    ["/dev/zero", /\/dev\/zero: is not a regular file \(a character device\)/],
    ["/dev/null", /\/dev\/null: is not a regular file \(a character device\)/],
    ["pipe.yml", /pipe\.yml: is not a regular file \(a named pipe\)/],
    ["folder.yml", /folder\.yml: is a directory, not a file/],
    ["big.yml", /big\.yml: is larger than 10 MB/],
  ];
  for (const [path, message] of cases) {
    assertOneLine(await kontra(["validate", path], dir.path), 2, message);
  }
});

Deno.test("a Kontract just under 10 MB is read", async () => {
  await using dir = await project();
  const padding = "#" + "x".repeat(10 * 1024 * 1024 - KONTRACT.length - 3) + "\n";
  await writeText(dir.path, "near.yml", KONTRACT + padding);
  assert.equal((await Deno.stat(join(dir.path, "near.yml"))).size, 10 * 1024 * 1024 - 1);
  const run = await kontra(["validate", "near.yml", "-o", "json"], dir.path);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).summary.passed, 1);
});

Deno.test(".env files: a directory, a pipe or over 1 MB is exit 2 naming it", async () => {
  await using dir = await project();
  const cases: [(env: string) => Promise<void>, RegExp][] = [
    [(env) => Deno.mkdir(env), /\.env: env file is a directory, not a file/],
    [(env) => mkfifo(env), /\.env: env file is not a regular file \(a named pipe\)/],
    [
      (env) => Deno.writeTextFile(env, `A=${"x".repeat(1024 * 1024)}\n`),
      /\.env: env file is larger than 1 MB/,
    ],
  ];
  for (const [make, message] of cases) {
    // The default .env next to the Kontract, and the same file through --env-file.
    const env = join(dir.path, ".env");
    await make(env);
    assertOneLine(await kontra(["validate", "k.yml"], dir.path), 2, message);
    assertOneLine(await kontra(["validate", "k.yml", "--env-file", env], dir.path), 2, message);
    await Deno.remove(env, { recursive: true });
  }
  // A 1 MB .env file (the limit) is read.
  await Deno.writeTextFile(join(dir.path, ".env"), `A=${"x".repeat(1024 * 1024 - 3)}\n`);
  assert.equal((await kontra(["validate", "k.yml", "-o", "json"], dir.path)).code, 0);
});

Deno.test("--data empty, a device, a pipe or with a line break: one clear line", async () => {
  await using dir = await project();
  await mkfifo(join(dir.path, "pipe.csv"));
  const cases: [string, RegExp][] = [
    ["", /^kontra: "": the datasource is empty; name a file or URI$/m],
    ["   ", /the datasource is empty/],
    ["/dev/null", /^kontra: \/dev\/null: not a regular file or directory$/m],
    ["/dev/zero", /^kontra: \/dev\/zero: not a regular file or directory$/m],
    ["pipe.csv", /^kontra: pipe\.csv: not a regular file or directory$/m],
    ["pip*.csv", /^kontra: pip\*\.csv: matches something that is not a regular file$/m],
    ["a\nb.csv", /^kontra: "a\\nb\.csv": file not found$/m],
    ["s3://lake/a\nb/", /^kontra: s3:\/\/ datasource URI holds a control character/m],
    [
      "postgres://u:pg-limits-secret@127.0.0.1/db/t\n",
      /^kontra: postgres:\/\/ datasource URI holds a control character \(a line break\?\)$/m,
    ],
  ];
  for (const [data, message] of cases) {
    assertOneLine(await kontra(["validate", "k.yml", "--data", data], dir.path), 2, message);
  }
});

Deno.test("a Kontract path holding a line break stays one line, escaped", async () => {
  await using dir = await project();
  const weird = "we\nird.yml";
  assertOneLine(
    await kontra(["validate", weird], dir.path),
    2,
    /^kontra: "we\\nird\.yml": file not found$/m,
  );
  await writeText(dir.path, weird, "name: x\nrules: [\n");
  assertOneLine(
    await kontra(["validate", weird], dir.path),
    2,
    /^kontra: "we\\nird\.yml":\d+:\d+: invalid YAML/m,
  );
});

Deno.test("quarantine verify: a missing location, a file or a device is exit 2", async () => {
  await using dir = await project();
  await mkfifo(join(dir.path, "pipe"));
  const cases: [string, RegExp][] = [
    ["nowhere/", /^kontra: nowhere\/: no such quarantine location$/m],
    ["d.csv", /^kontra: d\.csv: not a directory; name a quarantine location/m],
    ["/dev/null", /^kontra: \/dev\/null: not a directory/m],
    ["pipe", /^kontra: pipe: not a directory/m],
  ];
  for (const [location, message] of cases) {
    assertOneLine(await kontra(["quarantine", "verify", location], dir.path), 2, message);
  }
  assertOneLine(
    await kontra(["quarantine", "verify", ".", "--env-file", "missing.env"], dir.path),
    2,
    /missing\.env: env file not found/,
  );
});

Deno.test("quarantine verify: a pipe in place of a run's file is reported, not read", async () => {
  await using dir = await project();
  // A real run first, then its part file replaced by a named pipe, and a pipe manifest.
  await writeText(
    dir.path,
    "q.yml",
    KONTRACT.replace("not_null, params: { column: id }", "min_rows, params: { threshold: 9 }") +
      "  - { name: not_null, params: { column: v } }\n" +
      "actions:\n  quarantine: { location: dlq/, format: csv }\n",
  );
  await writeText(dir.path, "d.csv", "id,v\n1,\n2,x\n");
  const made = await kontra(["validate", "q.yml", "-o", "json"], dir.path);
  assert.equal(made.code, 1, made.stderr);
  const runs = [...Deno.readDirSync(join(dir.path, "dlq", "limits"))].map((entry) => entry.name);
  assert.equal(runs.length, 1);
  const runDir = join(dir.path, "dlq", "limits", runs[0]);
  const part = [...Deno.readDirSync(runDir)].find((entry) => entry.name.endsWith(".csv"))!;
  await Deno.remove(join(runDir, part.name));
  await mkfifo(join(runDir, part.name));
  const pipePart = await kontra(["quarantine", "verify", "dlq/"], dir.path);
  assert.equal(pipePart.code, 1, pipePart.stderr);
  assert.match(pipePart.stdout, new RegExp(`${part.name}: not a regular file`));
  await Deno.remove(join(runDir, "_manifest.json"));
  await mkfifo(join(runDir, "_manifest.json"));
  const pipeManifest = await kontra(["quarantine", "verify", "dlq/"], dir.path);
  assert.equal(pipeManifest.code, 1, pipeManifest.stderr);
  assert.match(pipeManifest.stdout, /_manifest\.json is not a valid manifest: it is not a regular/);
  assert.ok(pipeManifest.ms < 15_000);
});

/** A webhook on 127.0.0.1 that answers each request after `delayMs` with `status`. */
function slowWebhook(delayMs: number, status: number, headers: Record<string, string> = {}) {
  const pending = new Set<() => void>();
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    requests++;
    await request.text();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      pending.add(done);
    });
    return new Response(status === 200 ? "ok" : "busy", { status, headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/services/T0/B0/limits-webhook-token`,
    requests: () => requests,
    async close() {
      for (const done of [...pending]) done();
      await server.shutdown();
    },
  };
}

const PAYLOAD: SlackPayload = { text: "limits test", blocks: [] };

Deno.test("Slack: the retry bound holds in total, slow requests included", async () => {
  // Each request would take 2 s; the bound is 1.5 s, a request 1 s at most.
  const hook = slowWebhook(2_000, 503);
  try {
    const started = performance.now();
    await assert.rejects(
      () =>
        postToSlack(hook.url, PAYLOAD, {
          retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 400, maxTotalMs: 1_500 },
          requestTimeoutMs: 1_000,
        }),
      /Slack did not answer in time/,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1_500 + 400, `took ${elapsed} ms for a 1.5 s bound`);
    assert.ok(hook.requests() >= 2, `${hook.requests()} requests`);
  } finally {
    await hook.close();
  }
});

Deno.test("Slack: 5xx retried within the bound; a Retry-After past it stops", async () => {
  const failing = slowWebhook(50, 503);
  try {
    const started = performance.now();
    await assert.rejects(
      () =>
        postToSlack(failing.url, PAYLOAD, {
          retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 200, maxTotalMs: 1_000 },
        }),
      /HTTP 503.*\(gave up after \d+ attempts, 1 s bound\)/,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1_000 + 400, `took ${elapsed} ms for a 1 s bound`);
    assert.ok(failing.requests() >= 3 && failing.requests() < 50, `${failing.requests()}`);
  } finally {
    await failing.close();
  }
  const throttled = slowWebhook(0, 429, { "retry-after": "30" });
  try {
    const started = performance.now();
    await assert.rejects(
      () => postToSlack(throttled.url, PAYLOAD, { retry: { maxTotalMs: 2_000 } }),
      /HTTP 429.*gave up after 1 attempt, 2 s bound/,
    );
    assert.equal(throttled.requests(), 1);
    assert.ok(performance.now() - started < 1_000);
  } finally {
    await throttled.close();
  }
});
