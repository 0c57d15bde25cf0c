/**
 * The `kontra` CLI under test: as a child Deno process (`runCliProcess`, `runDeno`), or
 * in this process through `main(args, io)` with a fake `io` that records what the CLI
 * writes (`runCli`, `captureIo`).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliIo, main } from "../../cli.ts";

/** The repository root, with a trailing slash. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** What a run of the CLI (or of any Deno process) left: its exit code and output. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A line of a stack trace, which only `--debug` prints. */
export const STACK_LINE = /^\s+at /m;

/** Asserts the run failed with exactly one `kontra: ` line on stderr and nothing on stdout. */
export function assertOneLineError(run: Run, code: number, message: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^kontra: [^\n]+\n$/, `one line expected, got: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  assert.match(run.stderr, message);
}

/** Where a child process runs and what it sees. */
export interface ProcessOptions {
  /** The child's whole environment: it inherits none of this process's variables. */
  env?: Record<string, string>;
  /** The working directory (default: the repository root). */
  cwd?: string;
}

/** Runs the Deno binary with `args` and collects its exit code and decoded output. */
export async function runDeno(
  args: string[],
  { env = {}, cwd = REPO }: ProcessOptions = {},
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), { args, cwd, env, clearEnv: true })
    .output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Runs `deno run -A cli.ts …args` (the repository's deno.json and cli.ts, from any working
 * directory) with `NO_COLOR=1` and the variables of `env`, and nothing else.
 */
export function runCliProcess(
  args: string[],
  { env = {}, cwd }: ProcessOptions = {},
): Promise<Run> {
  return runDeno(
    ["run", "-A", "--config", join(REPO, "deno.json"), join(REPO, "cli.ts"), ...args],
    { env: { NO_COLOR: "1", ...env }, cwd },
  );
}

/** What the fake `io` shows the CLI. */
export interface FakeTerminal {
  /** Whether stdout and stderr are terminals (default: neither). */
  tty?: { stdout: boolean; stderr: boolean };
  /** The variables `io.env` sees (default: none). */
  env?: Record<string, string>;
}

/** A `CliIo` that records what is written into `written`. */
export function captureIo(
  terminal: FakeTerminal = {},
): CliIo & { written: { stdout: string; stderr: string } } {
  const written = { stdout: "", stderr: "" };
  return {
    written,
    stdout: (text) => void (written.stdout += text),
    stderr: (text) => void (written.stderr += text),
    isTerminal: terminal.tty ?? { stdout: false, stderr: false },
    env: (name) => terminal.env?.[name],
  };
}

/** Runs `main(args)` in this process with a recording `io`. */
export async function runCli(args: string[], terminal: FakeTerminal = {}): Promise<Run> {
  const io = captureIo(terminal);
  const code = await main(args, io);
  return { code, ...io.written };
}

/**
 * Runs the CLI as a process in `dir` with a TMPDIR of its own (HOME, DENO_DIR and PATH as
 * this process has them, so the child finds Deno's module cache), then asserts it left
 * nothing in that TMPDIR and printed no Rust panic and no stack.
 */
export async function runCliHermetic(dir: string, args: string[]): Promise<Run> {
  const tmp = join(dir, "tmp");
  await Deno.mkdir(tmp, { recursive: true });
  const inherited = ["HOME", "DENO_DIR", "PATH"].flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value]];
  });
  const run = await runCliProcess(args, {
    cwd: dir,
    env: { TMPDIR: tmp, ...Object.fromEntries(inherited) },
  });
  assert.deepEqual([...Deno.readDirSync(tmp)].map((entry) => entry.name), [], "TMPDIR is empty");
  assert.doesNotMatch(run.stderr, /panicked|RUST_BACKTRACE|not yet implemented/, run.stderr);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  return run;
}
