/**
 * Actions never break validation: an unwritable or read-only location, a sink that
 * throws or hangs, an unknown scheme all become `status: "failed"` with a one-line
 * error; the validation result stands and nothing half-written is left behind.
 */
import { validate } from "../../mod.ts";
import { LocalDirSink, type QuarantineSink } from "../../src/actions/quarantine_sink.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { listFiles, shopKontract, writeShop } from "./fixtures.ts";

/** Validates the shop data with a quarantine into `location`. */
async function quarantineInto(data: string, location: string, options = {}) {
  return await validate(shopKontract({ quarantine: { location } }), { data, actions: options });
}

function assertValidationStands(result: Awaited<ReturnType<typeof validate>>) {
  assertEquals(result.passed, false);
  assertEquals(result.summary.failed, 7);
  assertEquals(result.results.length, 8);
}

Deno.test("an unwritable location fails the action, not the validation", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  await Deno.writeTextFile(`${tmp.path}/a-file`, "");
  const result = await quarantineInto(data, `${tmp.path}/a-file/dlq`);
  assertValidationStands(result);
  assertEquals(result.actions.length, 1);
  const [action] = result.actions;
  assertEquals(action.status, "failed");
  assert(/Not a directory/i.test(action.error!), action.error);
  assert(!action.error!.includes("\n"));
  assertEquals(
    await listFiles(tmp.path).then((files) => files.filter((f) => !f.startsWith("data/"))),
    [
      "a-file",
    ],
  );
});

Deno.test("a directory without write permission fails the action", async () => {
  if (Deno.uid() === 0) return; // root writes anyway; the other fault tests cover this path
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  await Deno.mkdir(`${tmp.path}/locked`, { mode: 0o555 });
  const result = await quarantineInto(data, `${tmp.path}/locked`);
  assertValidationStands(result);
  assertEquals(result.actions[0].status, "failed");
  await Deno.chmod(`${tmp.path}/locked`, 0o755);
});

Deno.test("a read-only path fails the action", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const readOnly = "/sys/kontra-dlq-test";
  const result = await quarantineInto(data, readOnly);
  assertValidationStands(result);
  const [action] = result.actions;
  assertEquals(action.status, "failed", JSON.stringify(action));
  assert(action.error && !action.error.includes("\n"));
});

/** A local sink whose commit is replaced. */
function sinkWith(
  commit: (inner: QuarantineSink, ...args: Parameters<QuarantineSink["commit"]>) => Promise<void>,
) {
  return (config: { location: string }, kontract: { baseDir: string; name: string }) => {
    const inner = new LocalDirSink(config.location, kontract.baseDir, kontract.name);
    const sink: QuarantineSink = {
      locationOf: (run) => inner.locationOf(run),
      stage: () => inner.stage(),
      commit: (...args) => commit(inner, ...args),
      discard: (staged) => inner.discard(staged),
    };
    return Promise.resolve(sink);
  };
}

Deno.test("a sink that throws while publishing leaves nothing behind", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const result = await quarantineInto(data, `${tmp.path}/dlq`, {
    openSink: sinkWith(() => Promise.reject(new Error("disk full\nat somewhere"))),
  });
  assertValidationStands(result);
  assertEquals(result.actions, [{ action: "quarantine", status: "failed", error: "disk full" }]);
  assertEquals(await listFiles(`${tmp.path}/dlq`), [], "no staging directory, no run");
});

Deno.test("a quarantine that times out publishes nothing, even later", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  let finished!: () => void;
  const done = new Promise<void>((resolve) => finished = resolve);
  const result = await quarantineInto(data, `${tmp.path}/dlq`, {
    quarantineTimeoutMs: 100,
    openSink: sinkWith(async (inner, staged, run, names, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      try {
        await inner.commit(staged, run, names, signal);
      } finally {
        finished();
      }
    }),
  });
  assertValidationStands(result);
  assertEquals(result.actions, [{
    action: "quarantine",
    status: "failed",
    error: "timed out after 0.1 s",
  }]);
  // On a slow machine the timeout can fire before the sink is even reached; either way
  // wait for the delayed commit (if it started) and then for the discard to run.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([done, new Promise((resolve) => timer = setTimeout(resolve, 1_000))]);
  clearTimeout(timer);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(await listFiles(`${tmp.path}/dlq`), []);
});

Deno.test("an unsupported location scheme fails the action with a clear error", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const result = await quarantineInto(data, "gs://bucket/dlq/");
  assertValidationStands(result);
  assertEquals(result.actions[0], {
    action: "quarantine",
    status: "failed",
    error: 'actions.quarantine.location: unsupported scheme "gs://" (a directory or s3://)',
  });
});

Deno.test("a data source that disappeared before an on-demand quarantine fails the action", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(), { data, actions: false });
  await Deno.remove(data, { recursive: true });
  const action = await result.quarantine({ location: `${tmp.path}/dlq` });
  assertEquals(action.status, "failed");
  assert(action.error?.includes("file not found"), action.error);
  assertValidationStands(result);
});

Deno.test("without a location or an alert, on-demand actions are skipped", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const result = await validate(shopKontract(), { data });
  assertEquals(result.actions, []);
  assertEquals(await result.quarantine(), {
    action: "quarantine",
    status: "skipped",
    message: "no quarantine location (actions.quarantine.location)",
  });
  assertEquals(await result.alert(), {
    action: "alert",
    status: "skipped",
    message: "no alert configured (actions.alert.slack)",
  });
});
