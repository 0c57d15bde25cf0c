/**
 * Dagster Pipes, the external-process side (protocol 0.1, as spoken by the
 * `dagster-pipes` Python package): decode the bootstrap params Dagster passes in
 * `DAGSTER_PIPES_CONTEXT` / `DAGSTER_PIPES_MESSAGES`, load the context, and write
 * protocol messages, one JSON object per line, to the file or stdio channel the
 * orchestrator reads. A Kontra run reports one asset check per rule. Every message is
 * scrubbed of registered secrets as it is written (the `closed` exception carries raw
 * error text and its causes), on both channels.
 * @module
 */
import { Buffer } from "node:buffer";
import { deflateSync, inflateSync } from "node:zlib";
import { scrubSecrets, scrubSecretsDeep } from "../core/secrets.ts";
import { KontraError } from "../core/errors.ts";
import { type ResultDocument, type RuleResult, statusOf } from "../report/result.ts";

/** The protocol version every message carries. */
export const PIPES_PROTOCOL_VERSION = "0.1";
/** Environment variable with the encoded context-loader params. */
export const CONTEXT_ENV = "DAGSTER_PIPES_CONTEXT";
/** Environment variable with the encoded message-writer params. */
export const MESSAGES_ENV = "DAGSTER_PIPES_MESSAGES";

/** One protocol message. `params` key order follows the Python reference writer. */
export interface PipesMessage {
  __dagster_pipes_version: typeof PIPES_PROTOCOL_VERSION;
  method: "opened" | "closed" | "report_asset_check";
  params: Record<string, unknown> | null;
}

/** A metadata entry with an explicit type, so Dagster does not have to guess. */
export interface PipesMetadataValue {
  raw_value: unknown;
  type: "text" | "int" | "bool" | "json" | "url" | "path";
}

/** An error as the protocol's `closed` message carries it (Python's traceback shape). */
export interface PipesException {
  /** The error's class name. */
  name: string | null;
  /** `Name: message` and a newline, as Python's `format_exception_only` gives it. */
  message: string;
  /** Stack frames, one string each, newline-terminated. */
  stack: string[];
  /** The error that explicitly caused this one. */
  cause: PipesException | null;
  /** Python's implicit context; JavaScript has none, so always null. */
  context: PipesException | null;
}

/** The part of Dagster's context data Kontra uses; other fields pass through unread. */
export interface PipesContextData {
  asset_keys?: string[] | null;
  partition_key?: string | null;
  partition_key_range?: { start: string; end: string } | null;
  partition_time_window?: { start: string; end: string } | null;
  run_id?: string;
  extras?: Record<string, unknown> | null;
}

/** Pipes could not be set up: bad bootstrap params, context or asset key. Exit code 2. */
export class DagsterPipesError extends KontraError {
  constructor(message: string) {
    super(`dagster pipes: ${message}`, 2);
  }
}

/** Where the CLI writes, and what it can see of the environment. */
export interface PipesIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env(name: string): string | undefined;
}

/** `base64(zlib(json(value)))`: how Dagster encodes bootstrap params. */
export function encodeParam(value: unknown): string {
  return Buffer.from(deflateSync(JSON.stringify(value))).toString("base64");
}

/** The inverse of {@linkcode encodeParam}; `name` labels errors. */
export function decodeParam(text: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(inflateSync(Buffer.from(text, "base64")).toString("utf8"));
  } catch {
    throw new DagsterPipesError(`${name}: not base64 of zlib-compressed JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DagsterPipesError(`${name}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Loads the context from `{"path": file}` or `{"data": object}`. */
export async function loadContext(params: Record<string, unknown>): Promise<PipesContextData> {
  let data: unknown;
  if (typeof params.path === "string") {
    let text: string;
    try {
      text = await Deno.readTextFile(params.path);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "no such file" : errorName(error);
      throw new DagsterPipesError(`cannot read context file ${params.path}: ${reason}`);
    }
    try {
      data = JSON.parse(text);
    } catch {
      // JSON.parse quotes the text it choked on: never echo the file's content.
      throw new DagsterPipesError(`context file ${params.path} is not valid JSON`);
    }
  } else if ("data" in params) {
    data = params.data;
  } else {
    throw new DagsterPipesError(`${CONTEXT_ENV}: expected "path" or "data"`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new DagsterPipesError("the context is not a JSON object");
  }
  return data as PipesContextData;
}

/** An error's class name only (its message may quote what it read). */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unreadable";
}

/** Where messages go. */
export interface MessageChannel {
  /** True when messages go to stdout, which then carries nothing else. */
  readonly onStdout: boolean;
  write(message: PipesMessage): Promise<void>;
  /** Writes what a buffered channel held back. */
  flush(): void;
}

/**
 * Opens the channel that `{"path": file}`, `{"stdio": "stdout"|"stderr"}` or
 * `{"buffered_stdio": …}` names, as the reference `PipesDefaultMessageWriter` does.
 */
export function openChannel(params: Record<string, unknown>, io: PipesIo): MessageChannel {
  const line = (message: PipesMessage) =>
    scrubSecrets(JSON.stringify(scrubSecretsDeep(message))) + "\n";
  if (typeof params.path === "string") {
    const path = params.path;
    return {
      onStdout: false,
      // Appended message by message, so the orchestrator can tail the file while we run.
      write: (message) => Deno.writeTextFile(path, line(message), { append: true }),
      flush: () => {},
    };
  }
  const buffered = !("stdio" in params) && "buffered_stdio" in params;
  const stream = buffered ? params.buffered_stdio : params.stdio;
  if (stream !== "stdout" && stream !== "stderr") {
    throw new DagsterPipesError(
      `${MESSAGES_ENV}: expected "path", or "stdio" set to "stdout" or "stderr"`,
    );
  }
  const target = stream === "stdout" ? io.stdout : io.stderr;
  const held: string[] = [];
  return {
    onStdout: stream === "stdout",
    write: (message) => {
      if (buffered) held.push(line(message));
      else target(line(message));
      return Promise.resolve();
    },
    flush: () => target(held.splice(0).join("")),
  };
}

/** A protocol message. */
export function pipesMessage(
  method: PipesMessage["method"],
  params: Record<string, unknown> | null,
): PipesMessage {
  return { __dagster_pipes_version: PIPES_PROTOCOL_VERSION, method, params };
}

/** The first message: the writer is open. Kontra has no opened extras. */
export function openedMessage(): PipesMessage {
  return pipesMessage("opened", { extras: {} });
}

/** The last message; with the error that ended the run, if any. */
export function closedMessage(error?: unknown): PipesMessage {
  return pipesMessage("closed", error === undefined ? {} : { exception: pipesException(error) });
}

/** An error in the protocol's exception shape, following `cause` (bounded, in case of cycles). */
export function pipesException(error: unknown, depth = 0): PipesException {
  if (!(error instanceof Error)) {
    return { name: null, message: `${String(error)}\n`, stack: [], cause: null, context: null };
  }
  const stack = (error.stack ?? "").split("\n")
    .filter((line) => /^\s+at /.test(line))
    .map((line) => `  ${line.trim()}\n`);
  const cause = error.cause !== undefined && depth < 8
    ? pipesException(error.cause, depth + 1)
    : null;
  return {
    name: error.name,
    message: `${error.name}: ${error.message}\n`,
    stack,
    cause,
    context: null,
  };
}

/**
 * Dagster check names must match `^[A-Za-z0-9_]+$` (they become op output names), so
 * each run of other characters becomes `_` (`COL:email:unique` → `COL_email_unique`);
 * clashes get `_2`, `_3`… in rule order. The exact rule id travels in the metadata.
 */
export function checkNames(ruleIds: readonly string[]): string[] {
  const used = new Set<string>();
  return ruleIds.map((id) => {
    const base = id.replace(/[^A-Za-z0-9_]+/g, "_");
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}

/**
 * One `report_asset_check` per rule: blocking → `ERROR`, warning and info → `WARN`; a
 * rule that could not be checked fails its check with severity `ERROR` and carries
 * `status: error` and the reason in `error`.
 */
export function assetCheckMessages(document: ResultDocument, assetKey: string): PipesMessage[] {
  const names = checkNames(document.results.map((result) => result.rule_id));
  const quarantine = quarantineMetadata(document);
  return document.results.map((result, index) =>
    pipesMessage("report_asset_check", {
      asset_key: assetKey,
      check_name: names[index],
      passed: result.passed,
      metadata: {
        ...ruleMetadata(result),
        ...(statusOf(result) === "failed" ? quarantine : {}),
      },
      severity: result.severity === "blocking" || statusOf(result) === "error" ? "ERROR" : "WARN",
    })
  );
}

function ruleMetadata(result: RuleResult): Record<string, PipesMetadataValue> {
  const text = (raw_value: string): PipesMetadataValue => ({ raw_value, type: "text" });
  return {
    rule_id: text(result.rule_id),
    rule: text(result.rule),
    ...(result.column === undefined ? {} : { column: text(result.column) }),
    failed_count: { raw_value: result.failed_count, type: "int" },
    failed_count_exact: { raw_value: result.failed_count_exact, type: "bool" },
    message: text(result.message),
    execution_source: text(result.execution_source),
    kontra_severity: text(result.severity),
    ...(statusOf(result) === "error"
      ? { status: text("error"), error: text(result.error ?? result.message) }
      : {}),
    ...(result.context === undefined
      ? {}
      : { context: { raw_value: result.context, type: "json" } }),
  };
}

/** Where the quarantine action put failing rows: a `url` when it has a scheme, else a `path`. */
function quarantineMetadata(document: ResultDocument): Record<string, PipesMetadataValue> {
  const locations = (document.actions ?? [])
    .filter((action) => action.action === "quarantine" && action.status !== "failed")
    .flatMap((action) => action.location === undefined ? [] : [action.location]);
  return Object.fromEntries(locations.map((location, index) => [
    index === 0 ? "quarantine_location" : `quarantine_location_${index + 1}`,
    { raw_value: location, type: /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? "url" : "path" },
  ]));
}

/**
 * Kontract variables from the context, so one Kontract serves every partition:
 * `${DAGSTER_PARTITION_KEY}`, `${extras.NAME}` (non-strings as JSON) and friends.
 */
export function pipesVariables(
  context: PipesContextData,
  assetKey: string,
): Record<string, string> {
  const variables: Record<string, string> = { DAGSTER_ASSET_KEY: assetKey };
  const set = (name: string, value: string | null | undefined) => {
    if (typeof value === "string") variables[name] = value;
  };
  set("DAGSTER_PARTITION_KEY", context.partition_key);
  set("DAGSTER_PARTITION_KEY_RANGE_START", context.partition_key_range?.start);
  set("DAGSTER_PARTITION_KEY_RANGE_END", context.partition_key_range?.end);
  set("DAGSTER_PARTITION_TIME_WINDOW_START", context.partition_time_window?.start);
  set("DAGSTER_PARTITION_TIME_WINDOW_END", context.partition_time_window?.end);
  set("DAGSTER_RUN_ID", context.run_id);
  for (const [name, value] of Object.entries(context.extras ?? {})) {
    variables[`extras.${name}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return variables;
}

/** `--asset-key` wins; otherwise the context must name exactly one asset. */
export function resolveAssetKey(context: PipesContextData, override?: string): string {
  if (override !== undefined) return override;
  const keys = context.asset_keys ?? [];
  if (keys.length === 1) return keys[0];
  throw new DagsterPipesError(
    keys.length === 0
      ? "the context names no asset: pass --asset-key"
      : `the context names ${keys.length} assets (${keys.join(", ")}): pass --asset-key`,
  );
}

/** Options of {@linkcode DagsterPipes.open}. */
export interface PipesOptions {
  /**
   * `--dagster-pipes` (true): Pipes mode, the variables must be set. `--no-dagster-pipes`
   * (false): never, e.g. when Kontra runs inside another Pipes process and inherits its
   * variables. Undefined: Pipes mode exactly when both variables are set.
   */
  enabled?: boolean;
  /** `--asset-key`: the asset the checks belong to, as a `/`-separated key. */
  assetKey?: string;
}

/** A Pipes session for one `kontra validate` run: opened → checks → closed. */
export class DagsterPipes {
  /** Variables for the Kontract (see {@linkcode pipesVariables}). */
  readonly variables: Record<string, string>;
  readonly #channel: MessageChannel;
  readonly #assetKey: string;
  #closed = false;

  private constructor(
    channel: MessageChannel,
    assetKey: string,
    variables: Record<string, string>,
  ) {
    this.#channel = channel;
    this.#assetKey = assetKey;
    this.variables = variables;
  }

  /**
   * Starts a session when Pipes mode is on (see {@linkcode PipesOptions.enabled}), else
   * returns undefined.
   * Once the channel is open, a context that cannot be loaded is reported in `closed`.
   */
  static async open(io: PipesIo, options: PipesOptions = {}): Promise<DagsterPipes | undefined> {
    if (options.enabled === false) return undefined;
    const contextParam = io.env(CONTEXT_ENV);
    const messagesParam = io.env(MESSAGES_ENV);
    if (contextParam === undefined || messagesParam === undefined) {
      if (!options.enabled) return undefined;
      throw new DagsterPipesError(
        `--dagster-pipes: ${CONTEXT_ENV} and ${MESSAGES_ENV} must be set`,
      );
    }
    const channel = openChannel(decodeParam(messagesParam, MESSAGES_ENV), io);
    await channel.write(openedMessage());
    try {
      const context = await loadContext(decodeParam(contextParam, CONTEXT_ENV));
      const assetKey = resolveAssetKey(context, options.assetKey);
      return new DagsterPipes(channel, assetKey, pipesVariables(context, assetKey));
    } catch (error) {
      await channel.write(closedMessage(error));
      channel.flush();
      throw error;
    }
  }

  /** True when stdout is the message channel: the report must go elsewhere. */
  get ownsStdout(): boolean {
    return this.#channel.onStdout;
  }

  /** Reports every rule as an asset check. */
  async report(document: ResultDocument): Promise<void> {
    for (const message of assetCheckMessages(document, this.#assetKey)) {
      await this.#channel.write(message);
    }
  }

  /** Writes `closed` (with the error, if any) once; later calls do nothing. */
  async close(error?: unknown): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#channel.write(closedMessage(error));
    this.#channel.flush();
  }
}
