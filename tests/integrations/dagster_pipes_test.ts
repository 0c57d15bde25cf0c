/**
 * Dagster Pipes from the orchestrator's side: encode a context the way Dagster does,
 * run the real CLI with DAGSTER_PIPES_CONTEXT / DAGSTER_PIPES_MESSAGES, read the
 * messages back from the file or stdio channel, and hold every message to the
 * protocol's JSON shapes (dagster-pipes 0.1). In-process runs through `main(args, io)`
 * and unit tests of the protocol pieces follow.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { z } from "zod";
import {
  assetCheckMessages,
  checkNames,
  closedMessage,
  DagsterPipes,
  decodeParam,
  encodeParam,
  loadContext,
  openChannel,
  pipesException,
  type PipesMessage,
  pipesVariables,
  resolveAssetKey,
} from "../../src/integrations/dagster_pipes.ts";
import type { ResultDocument, RuleResult } from "../../src/report/result.ts";
import { runCli, runCliProcess } from "../support/cli.ts";
import { fiveUsers, withTempDir, writeText } from "../support/fixtures.ts";

// ------------------------------------------------------- the protocol's shapes

const METADATA_TYPES = [
  "__infer__",
  "text",
  "url",
  "path",
  "notebook",
  "json",
  "md",
  "float",
  "int",
  "bool",
  "dagster_run",
  "asset",
  "null",
  "table",
  "table_schema",
  "table_column_lineage",
  "timestamp",
] as const;

const MetadataValue = z.strictObject({ raw_value: z.unknown(), type: z.enum(METADATA_TYPES) })
  .refine(({ raw_value, type }) => {
    if (type === "int") return Number.isInteger(raw_value);
    if (type === "bool") return typeof raw_value === "boolean";
    if (["text", "url", "path"].includes(type)) return typeof raw_value === "string";
    return true;
  }, "raw_value does not fit its type");

interface Exception {
  name: string | null;
  message: string;
  stack: string[];
  cause: Exception | null;
  context: Exception | null;
}
const Exception: z.ZodType<Exception> = z.lazy(() =>
  z.strictObject({
    name: z.string().nullable(),
    message: z.string(),
    stack: z.array(z.string()),
    cause: Exception.nullable(),
    context: Exception.nullable(),
  })
);

const version = z.literal("0.1");
const Message = z.discriminatedUnion("method", [
  z.strictObject({
    __dagster_pipes_version: version,
    method: z.literal("opened"),
    params: z.strictObject({ extras: z.record(z.string(), z.unknown()) }),
  }),
  z.strictObject({
    __dagster_pipes_version: version,
    method: z.literal("closed"),
    params: z.strictObject({ exception: Exception.optional() }),
  }),
  z.strictObject({
    __dagster_pipes_version: version,
    method: z.literal("report_asset_check"),
    params: z.strictObject({
      asset_key: z.string().min(1),
      // Dagster check names become op output names: ^[A-Za-z0-9_]+$.
      check_name: z.string().regex(/^[A-Za-z0-9_]+$/),
      passed: z.boolean(),
      metadata: z.record(z.string(), MetadataValue).nullable(),
      severity: z.enum(["WARN", "ERROR"]),
    }),
  }),
]);
type Message = z.infer<typeof Message>;
type CheckParams = Extract<Message, { method: "report_asset_check" }>["params"];
type ClosedParams = Extract<Message, { method: "closed" }>["params"];

/** Parses the channel's text: one JSON message per line, every line a valid message. */
function parseMessages(text: string): Message[] {
  assert.ok(text.endsWith("\n"), "the channel ends with a newline");
  const messages = text.slice(0, -1).split("\n").map((line) => {
    const message = Message.parse(JSON.parse(line));
    // Same key order as the Python writer (a reader need not care; a diff of logs does).
    assert.deepEqual(Object.keys(message), ["__dagster_pipes_version", "method", "params"]);
    if (message.method === "report_asset_check") {
      assert.deepEqual(Object.keys(JSON.parse(line).params), [
        "asset_key",
        "check_name",
        "passed",
        "metadata",
        "severity",
      ]);
    }
    return message;
  });
  assert.equal(messages[0].method, "opened", "the first message is opened");
  assert.equal(messages.at(-1)!.method, "closed", "the last message is closed");
  assert.equal(messages.filter((m) => m.method === "opened" || m.method === "closed").length, 2);
  return messages;
}

function checks(messages: Message[]): CheckParams[] {
  return messages.flatMap((m) => m.method === "report_asset_check" ? [m.params] : []);
}

function closing(messages: Message[]): ClosedParams {
  const last = messages.at(-1)!;
  assert.equal(last.method, "closed");
  return last.params as ClosedParams;
}

/** The metadata of one check as plain values. */
function rawMetadata(check: CheckParams): Record<string, unknown> {
  return Object.fromEntries(Object.entries(check.metadata ?? {}).map(([k, v]) => [k, v.raw_value]));
}

// ------------------------------------------------------- the orchestrator side

/** Dagster's encoding, written independently of the code under test. */
function dagsterEncode(value: unknown): string {
  return Buffer.from(deflateSync(new TextEncoder().encode(JSON.stringify(value)))).toString(
    "base64",
  );
}

/** Context data as Dagster's `build_external_execution_context_data` fills it. */
function contextData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    asset_keys: ["warehouse/users"],
    code_version_by_asset_key: { "warehouse/users": null },
    provenance_by_asset_key: { "warehouse/users": null },
    partition_key: "2024-01-02",
    partition_key_range: { start: "2024-01-02", end: "2024-01-02" },
    partition_time_window: { start: "2024-01-02T00:00:00+00:00", end: "2024-01-03T00:00:00+00:00" },
    run_id: "5f0c6a4e-run",
    job_name: "__ASSET_JOB",
    retry_number: 0,
    extras: { country: "DE", owner: { team: "growth" } },
    ...overrides,
  };
}

/**
 * Writes `2024-01-02.parquet` (the partition's file) and a Kontract. By construction:
 * email has 1 NULL and 1 duplicate; country has 2 values other than DE.
 */
async function setUp(dir: string, kontract: string): Promise<string> {
  fiveUsers({ country: ["DE", "DE", "US", "DE", "FR"] })
    .writeParquet(join(dir, "2024-01-02.parquet"));
  return await writeText(dir, "kontract.yml", kontract);
}

/** Passes on every partition: the datasource is the partition's file. */
const PASSING = `name: users
datasource: \${DAGSTER_PARTITION_KEY}.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: unique
    params: { column: id }
  - name: min_rows
    params: { threshold: 5 }
`;

/** A blocking failure, a warning, an info; the allowed country comes from the extras. */
const FAILING = `name: users
datasource: \${DAGSTER_PARTITION_KEY}.parquet
rules:
  - name: not_null
    params: { column: id }
  - name: not_null
    params: { column: email }
  - name: unique
    params: { column: email }
    severity: warning
  - name: allowed_values
    params: { column: country, values: ["\${extras.country}"] }
    severity: info
    context: { owner: "\${extras.owner}" }
`;

/** Unknown rule: a Kontract error, exit 2. */
const BROKEN = `name: users
datasource: \${DAGSTER_PARTITION_KEY}.parquet
rules:
  - name: not_nul
    params: { column: id }
`;

// ------------------------------------------------------- the real CLI

Deno.test("pipes (process): a passing run reports every rule to the messages file", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING);
    const messagesFile = join(dir, "messages.jsonl");
    const run = await runCliProcess(["validate", kontract], {
      env: {
        DAGSTER_PIPES_CONTEXT: dagsterEncode({ data: contextData() }),
        DAGSTER_PIPES_MESSAGES: dagsterEncode({ path: messagesFile }),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /✔ PASSED {2}3\/3 rules passed/, "the report stays on stdout");
    const messages = parseMessages(await Deno.readTextFile(messagesFile));
    assert.deepEqual(messages[0].params, { extras: {} });
    assert.deepEqual(closing(messages), {});
    assert.deepEqual(
      checks(messages).map((c) => [c.asset_key, c.check_name, c.passed, c.severity]),
      [
        ["warehouse/users", "COL_id_not_null", true, "ERROR"],
        ["warehouse/users", "COL_id_unique", true, "ERROR"],
        ["warehouse/users", "DATASET_min_rows", true, "ERROR"],
      ],
    );
    assert.deepEqual(checks(messages)[2].metadata, {
      rule_id: { raw_value: "DATASET:min_rows", type: "text" },
      rule: { raw_value: "min_rows", type: "text" },
      failed_count: { raw_value: 0, type: "int" },
      failed_count_exact: { raw_value: true, type: "bool" },
      message: { raw_value: "5 rows, at least 5", type: "text" },
      execution_source: { raw_value: "metadata", type: "text" },
      kontra_severity: { raw_value: "blocking", type: "text" },
    });
  });
});

Deno.test("pipes (process): a failing run on the stdout channel, context from a file", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, FAILING);
    const contextFile = join(dir, "context.json");
    await Deno.writeTextFile(contextFile, JSON.stringify(contextData()));
    const run = await runCliProcess(["validate", kontract, "--output-format", "json"], {
      env: {
        DAGSTER_PIPES_CONTEXT: dagsterEncode({ path: contextFile }),
        DAGSTER_PIPES_MESSAGES: dagsterEncode({ stdio: "stdout" }),
      },
    });
    assert.equal(run.code, 1, run.stderr);
    // stdout carries only protocol lines; the JSON report moved to stderr.
    const messages = parseMessages(run.stdout);
    const document = JSON.parse(run.stderr) as ResultDocument;
    assert.equal(document.passed, false);
    assert.deepEqual(
      checks(messages).map((
        c,
      ) => [c.check_name, c.passed, c.severity, rawMetadata(c).failed_count]),
      [
        ["COL_id_not_null", true, "ERROR", 0],
        ["COL_email_not_null", false, "ERROR", 1],
        ["COL_email_unique", false, "WARN", 1],
        ["COL_country_allowed_values", false, "WARN", 2],
      ],
    );
    const info = checks(messages)[3];
    assert.deepEqual(rawMetadata(info), {
      rule_id: "COL:country:allowed_values",
      rule: "allowed_values",
      column: "country",
      failed_count: 2,
      failed_count_exact: true,
      message: document.results[3].message,
      execution_source: "scan",
      kontra_severity: "info",
      context: { owner: '{"team":"growth"}' },
    });
    assert.equal(info.metadata!.context.type, "json");
    assert.deepEqual(closing(messages), {});
  });
});

Deno.test("pipes (process): a bad Kontract closes with the exception and exits 2", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, BROKEN);
    const messagesFile = join(dir, "messages.jsonl");
    const run = await runCliProcess(["validate", kontract], {
      env: {
        DAGSTER_PIPES_CONTEXT: dagsterEncode({ data: contextData() }),
        DAGSTER_PIPES_MESSAGES: dagsterEncode({ path: messagesFile }),
      },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^kontra: .*unknown rule "not_nul"/);
    const messages = parseMessages(await Deno.readTextFile(messagesFile));
    assert.equal(messages.length, 2, "opened, then closed: no checks");
    const { exception } = closing(messages);
    assert.ok(exception);
    assert.equal(exception.name, "KontractError");
    assert.match(
      exception.message,
      /^KontractError: .*kontract\.yml:4:\d+: .*unknown rule "not_nul".*\n$/,
    );
    assert.ok(exception.stack.length > 0 && exception.stack.every((f) => /^ {2}at .+\n$/.test(f)));
    assert.equal(exception.cause, null);
    assert.equal(exception.context, null);
  });
});

Deno.test("pipes (process): stderr channel, --fail-on never and --asset-key", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, FAILING);
    const run = await runCliProcess(
      ["validate", kontract, "--fail-on", "never", "--asset-key", "lake/raw/users", "-q"],
      {
        env: {
          DAGSTER_PIPES_CONTEXT: dagsterEncode({ data: contextData({ asset_keys: [] }) }),
          DAGSTER_PIPES_MESSAGES: dagsterEncode({ stdio: "stderr" }),
        },
      },
    );
    assert.equal(run.code, 0, "--fail-on never: the blocking failure does not fail the process");
    assert.match(run.stdout, /✘ FAILED/);
    const messages = parseMessages(run.stderr);
    assert.ok(checks(messages).every((c) => c.asset_key === "lake/raw/users"));
  });
});

Deno.test("pipes (process): --dagster-pipes without the variables is a usage error", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING);
    const run = await runCliProcess(["validate", kontract, "--dagster-pipes"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "kontra: dagster pipes: --dagster-pipes: DAGSTER_PIPES_CONTEXT and DAGSTER_PIPES_MESSAGES must be set\n",
    );
  });
});

// ------------------------------------------------------- in process, through main()

Deno.test("pipes (main): failing run, partition variables and extras", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, FAILING);
    const messagesFile = join(dir, "messages.jsonl");
    const run = await runCli(["validate", kontract, "-o", "json"], {
      env: {
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData() }),
        DAGSTER_PIPES_MESSAGES: encodeParam({ path: messagesFile }),
      },
    });
    assert.equal(run.code, 1, run.stderr);
    const document = JSON.parse(run.stdout) as ResultDocument;
    assert.equal(document.dataset.uri, "2024-01-02.parquet");
    const messages = parseMessages(await Deno.readTextFile(messagesFile));
    assert.equal(checks(messages).length, 4);
    assert.deepEqual(closing(messages), {});
  });
});

Deno.test("pipes (main): buffered stdout holds messages until closed", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING);
    const run = await runCli(["validate", kontract, "--dagster-pipes"], {
      env: {
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData() }),
        DAGSTER_PIPES_MESSAGES: encodeParam({ buffered_stdio: "stdout" }),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(checks(parseMessages(run.stdout)).length, 3);
    assert.match(run.stderr, /✔ PASSED/, "the report moved to stderr");
  });
});

Deno.test("pipes (main): a Kontract error after opening closes with the exception", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, BROKEN);
    const run = await runCli(["validate", kontract], {
      env: {
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData() }),
        DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stdout" }),
      },
    });
    assert.equal(run.code, 2);
    const { exception } = closing(parseMessages(run.stdout));
    assert.equal(exception?.name, "KontractError");
  });
});

Deno.test("pipes (main): an unset partition key is a Kontract error naming it", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING);
    const run = await runCli(["validate", kontract], {
      env: {
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData({ partition_key: null }) }),
        DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stdout" }),
      },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /DAGSTER_PARTITION_KEY is not set/);
    assert.match(closing(parseMessages(run.stdout)).exception!.message, /DAGSTER_PARTITION_KEY/);
  });
});

Deno.test("pipes (main): no asset key in the context and none given", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING);
    const env = (keys: unknown) => ({
      DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData({ asset_keys: keys }) }),
      DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stdout" }),
    });
    const none = await runCli(["validate", kontract], { env: env(null) });
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^kontra: dagster pipes: the context names no asset: pass --asset-key\n$/,
    );
    const messages = parseMessages(none.stdout);
    assert.equal(messages.length, 2);
    assert.equal(closing(messages).exception?.name, "DagsterPipesError");

    const two = await runCli(["validate", kontract], { env: env(["a", "b/c"]) });
    assert.equal(two.code, 2);
    assert.match(two.stderr, /names 2 assets \(a, b\/c\): pass --asset-key/);
  });
});

Deno.test("pipes (main): bad bootstrap params are usage errors without messages", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING);
    const context = encodeParam({ data: contextData() });
    const cases: [Record<string, string>, RegExp][] = [
      [
        { DAGSTER_PIPES_CONTEXT: context, DAGSTER_PIPES_MESSAGES: "not base64 zlib" },
        /DAGSTER_PIPES_MESSAGES: not base64 of zlib-compressed JSON/,
      ],
      [
        { DAGSTER_PIPES_CONTEXT: context, DAGSTER_PIPES_MESSAGES: encodeParam([1]) },
        /DAGSTER_PIPES_MESSAGES: expected a JSON object/,
      ],
      [
        { DAGSTER_PIPES_CONTEXT: context, DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "tty" }) },
        /expected "path", or "stdio" set to "stdout" or "stderr"/,
      ],
    ];
    for (const [env, message] of cases) {
      const run = await runCli(["validate", kontract], { env });
      assert.equal(run.code, 2);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
    }
  });
});

Deno.test("pipes (main): only one variable set is not Pipes mode", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING.replace("${DAGSTER_PARTITION_KEY}", "2024-01-02"));
    const run = await runCli(["validate", kontract], {
      env: {
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData() }),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /✔ PASSED/);
  });
});

Deno.test("pipes (main): --no-dagster-pipes ignores inherited variables", async () => {
  await withTempDir(async (dir) => {
    const kontract = await setUp(dir, PASSING.replace("${DAGSTER_PARTITION_KEY}", "2024-01-02"));
    const run = await runCli(["validate", kontract, "--no-dagster-pipes"], {
      env: {
        DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData() }),
        DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stdout" }),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /__dagster_pipes_version/);
    assert.match(run.stdout, /✔ PASSED/);
  });
});

// ------------------------------------------------------- protocol pieces

Deno.test("pipes: params round-trip, and decode what Python's encode_param wrote", () => {
  const value = { path: "/tmp/dagster-pipes/messages", extra: ["ü", 1, null] };
  assert.deepEqual(decodeParam(encodeParam(value), "X"), value);
  // base64.b64encode(zlib.compress(json.dumps({"stdio": "stderr"}).encode())) in Python 3.11.
  assert.deepEqual(
    decodeParam("eJyrViouScnMV7JSADFSi4qUagFBNAaS", "X"),
    { stdio: "stderr" },
  );
});

Deno.test("pipes: loadContext reads a file or inline data, and refuses the rest", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "context.json");
    await Deno.writeTextFile(file, JSON.stringify(contextData()));
    assert.equal((await loadContext({ path: file })).run_id, "5f0c6a4e-run");
    assert.deepEqual(await loadContext({ data: { extras: {} } }), { extras: {} });
    await assert.rejects(loadContext({ path: join(dir, "missing.json") }), /cannot read context/);
    await assert.rejects(loadContext({ bucket: "b" }), /expected "path" or "data"/);
    await assert.rejects(loadContext({ data: [1] }), /the context is not a JSON object/);
  });
});

Deno.test("pipes: the file channel appends, the stdio channels write or hold", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "m.jsonl");
    await Deno.writeTextFile(path, "");
    const io = { stdout: (_: string) => {}, stderr: (_: string) => {}, env: () => undefined };
    const file = openChannel({ path }, io);
    await file.write(closedMessage());
    await file.write(closedMessage());
    file.flush();
    assert.equal(file.onStdout, false);
    assert.equal((await Deno.readTextFile(path)).split("\n").length, 3);

    let out = "";
    const held = openChannel({ buffered_stdio: "stderr" }, { ...io, stderr: (t) => out += t });
    await held.write(closedMessage());
    assert.equal(out, "", "held until flushed");
    held.flush();
    assert.equal(out, JSON.stringify(closedMessage()) + "\n");
    // "stdio" wins over "buffered_stdio", as in the reference writer.
    assert.equal(openChannel({ stdio: "stdout", buffered_stdio: "stderr" }, io).onStdout, true);
  });
});

Deno.test("pipes: exceptions follow their cause; non-errors become messages", () => {
  const root = new TypeError("socket closed");
  const error = new Error("cannot read data", { cause: root });
  const exception = pipesException(error);
  assert.equal(Exception.safeParse(exception).success, true);
  assert.equal(exception.name, "Error");
  assert.equal(exception.message, "Error: cannot read data\n");
  assert.equal(exception.cause?.name, "TypeError");
  assert.equal(exception.cause?.message, "TypeError: socket closed\n");
  assert.equal(exception.cause?.cause, null);
  assert.deepEqual(pipesException("boom"), {
    name: null,
    message: "boom\n",
    stack: [],
    cause: null,
    context: null,
  });
  // A cycle of causes stays finite.
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  let depth = 0;
  for (let e: Exception | null = pipesException(a); e; e = e.cause) depth++;
  assert.equal(depth, 9);
});

Deno.test("pipes: check names are Dagster names, unique in rule order", () => {
  assert.deepEqual(
    checkNames([
      "COL:email:unique",
      "DATASET:min_rows",
      "orders-fresh",
      "COL:e-mail:unique",
      "COL:e_mail:unique",
      "COL:日本:unique",
    ]),
    [
      "COL_email_unique",
      "DATASET_min_rows",
      "orders_fresh",
      "COL_e_mail_unique",
      "COL_e_mail_unique_2",
      "COL_unique",
    ],
  );
});

Deno.test("pipes: variables from the context; the asset key override wins", () => {
  const variables = pipesVariables(contextData() as never, "warehouse/users");
  assert.deepEqual(variables, {
    DAGSTER_ASSET_KEY: "warehouse/users",
    DAGSTER_PARTITION_KEY: "2024-01-02",
    DAGSTER_PARTITION_KEY_RANGE_START: "2024-01-02",
    DAGSTER_PARTITION_KEY_RANGE_END: "2024-01-02",
    DAGSTER_PARTITION_TIME_WINDOW_START: "2024-01-02T00:00:00+00:00",
    DAGSTER_PARTITION_TIME_WINDOW_END: "2024-01-03T00:00:00+00:00",
    DAGSTER_RUN_ID: "5f0c6a4e-run",
    "extras.country": "DE",
    "extras.owner": '{"team":"growth"}',
  });
  assert.deepEqual(pipesVariables({}, "a"), { DAGSTER_ASSET_KEY: "a" });
  assert.equal(resolveAssetKey({ asset_keys: ["a"] }), "a");
  assert.equal(resolveAssetKey({ asset_keys: ["a", "b"] }, "b"), "b");
});

function ruleResult(overrides: Partial<RuleResult>): RuleResult {
  return {
    rule_id: "COL:id:not_null",
    rule: "not_null",
    column: "id",
    severity: "blocking",
    passed: false,
    failed_count: 3,
    failed_count_exact: false,
    message: "3 NULL values in id",
    execution_source: "scan",
    ...overrides,
  };
}

function documentWith(results: RuleResult[], actions?: ResultDocument["actions"]): ResultDocument {
  return {
    schema_version: "1.0",
    kontract: { name: "users", fingerprint: "f" },
    dataset: { uri: "users.parquet", rows: 10 },
    passed: false,
    summary: {
      rules: results.length,
      passed: 0,
      failed: results.length,
      blocking_failures: 0,
      warning_failures: 0,
      info_failures: 0,
    },
    results,
    ...(actions ? { actions } : {}),
  };
}

Deno.test("pipes: the quarantine location goes on failing checks as a url or a path", () => {
  const document = documentWith(
    [ruleResult({}), ruleResult({ rule_id: "DATASET:min_rows", column: undefined, passed: true })],
    [
      { action: "slack", status: "succeeded" },
      { action: "quarantine", status: "succeeded", location: "s3://dlq/users/run-1/", rows: 3 },
      { action: "quarantine", status: "succeeded", location: "quarantine/users.parquet" },
      { action: "quarantine", status: "failed", location: "s3://nope/", error: "denied" },
    ],
  );
  const [failing, passing] = assetCheckMessages(document, "users") as PipesMessage[];
  const metadata = failing.params!.metadata as Record<string, { raw_value: unknown; type: string }>;
  assert.deepEqual(metadata.quarantine_location, {
    raw_value: "s3://dlq/users/run-1/",
    type: "url",
  });
  assert.deepEqual(metadata.quarantine_location_2, {
    raw_value: "quarantine/users.parquet",
    type: "path",
  });
  assert.equal(metadata.quarantine_location_3, undefined, "a failed quarantine is not a location");
  assert.deepEqual(metadata.failed_count_exact, { raw_value: false, type: "bool" });
  const passed = passing.params!.metadata as Record<string, unknown>;
  assert.equal(passed.quarantine_location, undefined);
  assert.equal(passed.column, undefined);
  for (const message of [failing, passing]) assert.equal(Message.safeParse(message).success, true);
});

Deno.test("pipes: DagsterPipes.open is undefined outside Dagster; close writes once", async () => {
  const none = await DagsterPipes.open({
    stdout: () => {},
    stderr: () => {},
    env: () => undefined,
  });
  assert.equal(none, undefined);
  await assert.rejects(
    DagsterPipes.open({ stdout: () => {}, stderr: () => {}, env: () => undefined }, {
      enabled: true,
    }),
    /--dagster-pipes: DAGSTER_PIPES_CONTEXT and DAGSTER_PIPES_MESSAGES must be set/,
  );
  let out = "";
  const env: Record<string, string> = {
    DAGSTER_PIPES_CONTEXT: encodeParam({ data: contextData() }),
    DAGSTER_PIPES_MESSAGES: encodeParam({ stdio: "stdout" }),
  };
  const pipes = await DagsterPipes.open({
    stdout: (t) => out += t,
    stderr: () => {},
    env: (name) => env[name],
  });
  assert.ok(pipes?.ownsStdout);
  await pipes.close(new Error("first"));
  await pipes.close();
  const messages = parseMessages(out);
  assert.equal(messages.length, 2);
  assert.equal(closing(messages).exception?.message, "Error: first\n");
});
