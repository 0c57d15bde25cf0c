/**
 * The harness the user-SQL attack corpora (tests/security/*_attacks_test.ts) share: the
 * Kontract file each way user SQL reaches an engine (a `custom_sql_check` rule or a
 * `query:` datasource), the patterns a refusal must match, the assertions on a refusal
 * from `validate` and from the CLI, sentinels read before and after, the runner for
 * legitimate checks, and the tests a list of cases becomes (one step per case).
 *
 * Each engine's file keeps what is its own: the world the cases run in, its sentinels,
 * its corpus, and the checks only that engine can make.
 * @module
 */
import { join } from "node:path";
import { KontractError, validate, type ValidateOptions } from "../../mod.ts";
import { assert, assertEquals } from "./assert.ts";
import type { Run } from "./cli.ts";

// --- the two ways, and the Kontract for each ---------------------------------------------

/** The two ways user SQL reaches an engine. */
export type Via = "custom_sql_check" | "query";

/** Both ways, in the order every case runs them. */
export const VIAS: readonly Via[] = ["custom_sql_check", "query"];

/** Where attack Kontracts are written, and the dataset they point at. */
export interface KontractPlace {
  /** The directory the Kontract files go to. */
  dir: string;
  /** The `custom_sql_check` Kontract's datasource: the dataset's URI. */
  datasource: string;
  /** The `query:` datasource's connection. */
  connection: string;
  /** The dataset's table: what `{table}` means in a `query:` datasource. */
  table: string;
}

/**
 * Writes a Kontract running `sql` one way: as the rule with id `attack` (line 4, column 5)
 * or as the `query:` datasource; returns its path, `<dir>/<via>-<uuid>.yml`.
 */
export async function writeKontract(
  place: KontractPlace,
  via: Via,
  sql: string,
): Promise<string> {
  const lines = via === "custom_sql_check"
    ? [
      "name: attack",
      `datasource: ${place.datasource}`,
      "rules:",
      "  - name: custom_sql_check",
      "    id: attack",
      "    params:",
      `      sql: ${JSON.stringify(sql)}`,
    ]
    : [
      "name: attack",
      "datasource:",
      `  connection: ${place.connection}`,
      // A query: datasource IS the dataset: `{table}` there means the dataset's table.
      `  query: ${JSON.stringify(sql.replaceAll("{table}", place.table))}`,
      "rules: []",
    ];
  const path = join(place.dir, `${via}-${crypto.randomUUID()}.yml`);
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

// --- what a refusal says -------------------------------------------------------------------

/**
 * Where each way names the SQL in a refusal from `validate`: the rule's file:line:col (or,
 * when loading refused it, the field's), or the datasource.
 */
export const WHERE: Readonly<Record<Via, RegExp>> = {
  custom_sql_check: /custom_sql_check-[\w-]+\.yml:(4:5: attack|\d+:\d+: rules\[0\]\.params\.sql): /,
  query: /(^|\.yml:\d+:\d+: )datasource\.query: /,
};

/** Where each way names the SQL in the CLI's refusal line. */
export const CLI_WHERE: Readonly<Record<Via, RegExp>> = {
  custom_sql_check: /\.yml:4:5: attack: /,
  query: /datasource\.query: /,
};

/** How each way ends a refusal. */
export const PURPOSE: Readonly<Record<Via, string>> = {
  custom_sql_check: " in custom_sql_check",
  query: " in a query: datasource",
};

/** `text` with every character a regular expression gives a meaning to escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A refusal's reason: `: <text><tail>`, all literal (`tail`: what must follow it). */
export function refusedFor(text: string, tail = ""): RegExp {
  return new RegExp(`: ${escapeRegExp(text + tail)}`);
}

/** The reason a call of the function `name` is refused. */
export function refusedFunction(name: string, tail = ""): RegExp {
  return refusedFor(`function ${name} is not allowed`, tail);
}

/** The reason a statement other than a SELECT (`what`) is refused. */
export function notSelect(what: string, tail = ""): RegExp {
  return refusedFor(`must be a SELECT, not ${what}`, tail);
}

/** The reason SQL that is not exactly one statement is refused. */
export const ONE_STATEMENT: RegExp = refusedFor("must be exactly one statement");

/** An attack, the reason it must be refused for, and whether loading may refuse it. */
export type Attack = readonly [sql: string, reason: RegExp, atLoad?: boolean];

// --- asserting refusals --------------------------------------------------------------------

/** How failures name a case: the way and the start of its SQL. */
export function caseLabel(via: Via, sql: string): string {
  return `${via}: ${JSON.stringify(sql.slice(0, 200))}`;
}

/** What `run` threw, or undefined when it finished. */
export async function failureOf(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Asserts `refusal` (what `validate` threw for the case `what`, written `via`) is a
 * one-line Kontract error, exit 2, naming where the SQL was written and `reason`, and
 * ending with the way's purpose unless loading the Kontract refused it (`atLoad`).
 */
export function assertRefusal(
  refusal: unknown,
  via: Via,
  what: string,
  reason: RegExp,
  atLoad = false,
): void {
  assert.ok(refusal instanceof KontractError, `${what} was not refused: ${refusal}`);
  const message = refusal.message;
  const said = `${what}: ${message.slice(0, 400)}`;
  assertEquals(refusal.exitCode, 2, said);
  assert.ok(!message.includes("\n"), `${said}: one line`);
  assert.match(message, WHERE[via], said);
  assert.match(message, reason, said);
  if (!atLoad) assert.ok(message.endsWith(PURPOSE[via]), said);
}

/**
 * Asserts the CLI refused a Kontract written `via` (by `writeKontract`): exit 2, nothing
 * on stdout, `reason` and the position on the last line of stderr. Returns the lines
 * before that one, for the engine to judge.
 */
export function assertCliRefusal(run: Run, via: Via, reason: RegExp): string[] {
  assertEquals(run.code, 2, run.stderr);
  assertEquals(run.stdout, "");
  const lines = run.stderr.trimEnd().split("\n");
  assert.match(lines.at(-1)!, reason);
  assert.match(lines.at(-1)!, CLI_WHERE[via]);
  return lines.slice(0, -1);
}

/** How an engine's file runs Kontra on a case and what it checks besides the refusal. */
export interface RefusalRunner {
  /** Reads every sentinel, from outside Kontra. */
  sentinels: Sentinels;
  /** Runs Kontra on the Kontract at `path` (`validate` with the engine's options). */
  validate: (path: string) => Promise<unknown>;
  /** The engine's own checks after each refusal of the case `what`. */
  check?: (what: string) => void;
}

/**
 * Runs `sql` both ways and asserts each is refused for `reason` (see `assertRefusal`),
 * passes the runner's own checks, and leaves every sentinel as it was.
 */
export async function assertRefusedBothWays(
  place: KontractPlace,
  sql: string,
  reason: RegExp,
  atLoad: boolean | undefined,
  runner: RefusalRunner,
): Promise<void> {
  for (const via of VIAS) {
    const what = caseLabel(via, sql);
    await keepingSentinels(runner.sentinels, async () => {
      const path = await writeKontract(place, via, sql);
      assertRefusal(await failureOf(runner.validate(path)), via, what, reason, atLoad);
      runner.check?.(what);
    }, `${what}: a sentinel changed`);
  }
}

// --- sentinels -----------------------------------------------------------------------------

/** Reads everything an attack could change, from outside Kontra. */
export type Sentinels = () => Promise<Record<string, unknown>>;

/** Runs `action`, then asserts every sentinel reads as it did before it. */
export async function keepingSentinels(
  sentinels: Sentinels,
  action: () => Promise<void>,
  message?: string,
): Promise<void> {
  const before = await sentinels();
  await action();
  assertEquals(await sentinels(), before, message);
}

/** The one sentinel a change must show in, the change, and how to undo it. */
export type SentinelProbe = readonly [
  sentinel: string,
  effect: () => Promise<unknown>,
  undo: () => Promise<unknown>,
];

/**
 * Asserts each probe's effect changes its sentinel and no other, and that its undo puts
 * every sentinel back. `settleMs`: how long to wait after an effect before reading.
 */
export async function assertSentinelsNotice(
  sentinels: Sentinels,
  probes: readonly SentinelProbe[],
  settleMs = 0,
): Promise<void> {
  for (const [sentinel, effect, undo] of probes) {
    const before = await sentinels();
    await effect();
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    const after = await sentinels();
    await undo();
    assertEquals(await sentinels(), before, "undone");
    assertEquals(Object.keys(before).filter((key) => before[key] !== after[key]), [sentinel]);
  }
}

// --- what must still work ------------------------------------------------------------------

/** A legitimate check and the rows it returns on the engine's fixture. */
export type Legitimate = readonly [sql: string, rows: number];

/** The failed count of each rule of the Kontract at `path`. */
export async function failedCounts(path: string, options: ValidateOptions): Promise<number[]> {
  const result = await validate(path, options);
  return result.results.map((rule) => rule.failed_count);
}

/**
 * Asserts `sql` fails `rows` rows as a `custom_sql_check` and makes a dataset of `rows`
 * rows as a `query:` datasource. `afterCheck` runs between the two.
 */
export async function assertCountsBothWays(
  place: KontractPlace,
  [sql, rows]: Legitimate,
  options: ValidateOptions,
  afterCheck?: () => void,
): Promise<void> {
  const check = await failedCounts(await writeKontract(place, "custom_sql_check", sql), options);
  assertEquals(check, [rows], sql);
  afterCheck?.();
  const query = await validate(await writeKontract(place, "query", sql), options);
  assertEquals(query.document.dataset.rows, rows, sql);
}

// --- the tests the cases become ------------------------------------------------------------

/** How an engine's tests are declared and the world they run in. */
export interface EngineTests<World> {
  /** The engine, as test names start: `<engine> attacks: …`. */
  engine: string;
  /** The options of a test named `name` (e.g. pgTest's skip); default: the name only. */
  options?: (name: string) => { name: string; ignore?: boolean };
  /** Runs `body` in the world the cases run in. */
  inWorld: (body: (world: World) => Promise<void>) => Promise<void>;
}

/** A step's title: the start of the case's SQL on one line, or "(empty)". */
export function stepTitle(sql: string): string {
  return sql.slice(0, 120).replace(/[\r\n]/g, "\\n") || "(empty)";
}

/** One test named `name`, one step per case (titled by its SQL), all in one world. */
export function testEachCase<World, Case extends readonly [string, ...unknown[]]>(
  tests: EngineTests<World>,
  name: string,
  cases: readonly Case[],
  run: (world: World, one: Case) => Promise<void>,
): void {
  const options = tests.options ?? ((name: string) => ({ name }));
  Deno.test(options(name), async (t) => {
    await tests.inWorld(async (world) => {
      for (const one of cases) await t.step(stepTitle(one[0]), () => run(world, one));
    });
  });
}

/**
 * The function an engine's file declares its classes of attack with: one test per class,
 * `<engine> attacks: <name> (<n> cases)`, one step per case, each run by `refuse`.
 */
export function attackClasses<World, Case extends readonly [string, ...unknown[]]>(
  tests: EngineTests<World>,
  refuse: (world: World, attack: Case) => Promise<void>,
): (name: string, cases: readonly Case[]) => void {
  return (name, cases) =>
    testEachCase(tests, `${tests.engine} attacks: ${name} (${cases.length} cases)`, cases, refuse);
}
