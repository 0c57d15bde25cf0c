/**
 * The `kontra` command line: parse arguments → SDK → render → exit code.
 * Exit codes: 0 passed, 1 a blocking rule failed (`--fail-on` moves the bar), 2 usage or
 * Kontract error, 3 runtime or connection error, or a rule that could not be checked.
 *
 * Everything the CLI writes passes through the secret scrubber (`src/core/secrets.ts`):
 * reports, `--explain`, `--timings`, warnings, progress, errors and stacks.
 * @module
 */
import { Command, CommanderError, Option } from "npm:commander@15.1.0";
import { scrubSecrets } from "./src/core/secrets.ts";
import { installSignalCleanup } from "./src/core/signal_cleanup.ts";
import { registerUriSecrets } from "./src/core/connection_uri.ts";
import { describeError, KontraError } from "./src/core/errors.ts";
import { DagsterPipes } from "./src/integrations/dagster_pipes.ts";
import { reportToGithub } from "./src/integrations/github.ts";
import { exitCodeFor, FAIL_ON_LEVELS, type FailOn } from "./src/report/fail_on.ts";
import { renderTerminal } from "./src/report/terminal.ts";
import { renderTimings } from "./src/report/timings_text.ts";
import { failedActionLines, renderActions } from "./src/actions/actions_text.ts";
import { ruleErrorLines } from "./src/report/rule_errors_text.ts";
import { verifyCommand } from "./src/actions/verify_command.ts";
import { validate } from "./src/validate.ts";
import { explain } from "./src/explain.ts";
import { renderExplanation } from "./src/engine/explain.ts";
import { VERSION } from "./src/core/version.ts";

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout/stderr are terminals (colour and progress). */
  isTerminal: { stdout: boolean; stderr: boolean };
  env(name: string): string | undefined;
}

const denoIo: CliIo = {
  stdout: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
  stderr: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  isTerminal: { stdout: Deno.stdout.isTerminal(), stderr: Deno.stderr.isTerminal() },
  env: (name) => Deno.env.get(name),
};

interface ValidateFlags {
  data?: string;
  outputFormat: "rich" | "json" | "github";
  failOn: FailOn;
  dagsterPipes?: boolean;
  assetKey?: string;
  timings?: boolean;
  envFile?: string;
  quiet?: boolean;
  metadata: boolean;
  failFast?: boolean;
  baseline?: string;
  actions: boolean;
  strictActions?: boolean;
  explain?: boolean;
  debug?: boolean;
}

/** `io` with every write scrubbed of registered secrets: the CLI's one way out. */
export function scrubbingIo(io: CliIo): CliIo {
  return {
    stdout: (text) => io.stdout(scrubSecrets(text)),
    stderr: (text) => io.stderr(scrubSecrets(text)),
    isTerminal: io.isTerminal,
    env: (name) => io.env(name),
  };
}

/** Runs the CLI with `args` and returns the exit code. */
export async function main(args: string[], rawIo: CliIo = denoIo): Promise<number> {
  const io = scrubbingIo(rawIo);
  // A URI on the command line (--data) may carry a password before anything parses it,
  // and usage errors may echo an argument.
  for (const arg of args) registerUriSecrets(arg.replace(/^--[\w-]+=/, ""));
  let exitCode = 0;
  let debug = args.includes("--debug");
  const program = new Command("kontra")
    .description("Fast, deterministic data-quality validation.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} });
  program.command("validate")
    .description("validate a dataset against a Kontract")
    .argument("<kontract>", "path to the Kontract YAML file")
    .option("--data <uri>", "datasource URI, overriding the Kontract's datasource")
    .addOption(
      new Option("-o, --output-format <format>", "output format")
        .choices(["rich", "json", "github"]).default("rich"),
    )
    .addOption(
      new Option("--fail-on <level>", "the lowest failing severity that exits 1")
        .choices(FAIL_ON_LEVELS).default("blocking"),
    )
    .option("--dagster-pipes", "report to Dagster Pipes (automatic when DAGSTER_PIPES_* are set)")
    .option("--no-dagster-pipes", "ignore DAGSTER_PIPES_* (e.g. inherited from a parent process)")
    .option("--asset-key <key>", "Dagster asset key the checks report on, e.g. warehouse/users")
    .option("--timings", "add durations, bytes read and peak memory (JSON: stats block)")
    .option("--env-file <path>", "load variables from this .env file")
    .option("--no-metadata", "do not answer rules from Parquet footer statistics")
    .option("--fail-fast", "databases: stop each rule at its first violation (counts: 0 or ≥1)")
    .option(
      "--baseline <result.json>",
      "the earlier run's result that row_count_change compares with",
    )
    .option("-q, --quiet", "print only failing rules and the verdict")
    .option("--no-actions", "run no action (no quarantine, no alert)")
    .option("--strict-actions", "exit 3 when an action fails")
    .option("--explain", "print the plan (tiers, columns, pushed-down filters, SQL); run nothing")
    .option("--debug", "show stack traces of errors")
    .action(async (kontract: string, flags: ValidateFlags) => {
      debug = flags.debug ?? false;
      exitCode = await runValidate(kontract, flags, io);
    });
  verifyCommand(program.command("quarantine").description("quarantined rows"), io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(args, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      if (error.code === "commander.help") return 2; // no command: usage is already on stderr
      io.stderr(`kontra: ${describeError(error).replace(/^error: /, "")}\n`);
      return 2;
    }
    if (error instanceof KontraError) {
      io.stderr(`kontra: ${error.message}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    io.stderr(`kontra: ${describeError(error)}\n`);
    if (debug && error instanceof Error) io.stderr(`${error.stack}\n`);
    return 3;
  }
}

async function runValidate(kontract: string, flags: ValidateFlags, io: CliIo): Promise<number> {
  if (flags.explain) return await runExplain(kontract, flags, io);
  const pipes = await DagsterPipes.open(io, {
    enabled: flags.dagsterPipes,
    assetKey: flags.assetKey,
  });
  try {
    const exitCode = await validateAndReport(kontract, flags, io, pipes);
    await pipes?.close();
    return exitCode;
  } catch (error) {
    await pipes?.close(error);
    throw error;
  }
}

async function runExplain(kontract: string, flags: ValidateFlags, io: CliIo): Promise<number> {
  const plan = await explain(kontract, {
    data: flags.data,
    envFile: flags.envFile,
    metadata: flags.metadata,
    failFast: flags.failFast,
  });
  io.stdout(
    flags.outputFormat === "json" ? JSON.stringify(plan, null, 2) + "\n" : renderExplanation(plan),
  );
  return 0;
}

async function validateAndReport(
  kontract: string,
  flags: ValidateFlags,
  io: CliIo,
  pipes: DagsterPipes | undefined,
): Promise<number> {
  // When Pipes messages go to stdout, stdout carries only them: the report moves to stderr.
  const out = pipes?.ownsStdout ? io.stderr : io.stdout;
  const showProgress = io.isTerminal.stderr && flags.outputFormat === "rich" && !flags.quiet;
  const result = await validate(kontract, {
    data: flags.data,
    envFile: flags.envFile,
    timings: flags.timings,
    metadata: flags.metadata,
    failFast: flags.failFast,
    baseline: flags.baseline,
    actions: flags.actions,
    variables: pipes?.variables,
    onProgress: showProgress ? (message) => io.stderr(`\r\x1b[2K… ${message}`) : undefined,
    onWarning: (message) => io.stderr(`kontra: warning: ${message}\n`),
  });
  if (showProgress) io.stderr("\r\x1b[2K");
  if (flags.outputFormat === "json") {
    out(result.toJsonText());
  } else if (flags.outputFormat === "github") {
    const summaryFile = io.env("GITHUB_STEP_SUMMARY");
    await reportToGithub(result.document, { out, kontractFile: kontract, summaryFile });
  } else {
    const color = !pipes?.ownsStdout && io.isTerminal.stdout && !io.env("NO_COLOR");
    out(renderTerminal(result.document, { color, quiet: flags.quiet }));
    if (flags.timings && result.document.stats) {
      out(renderTimings(result.document.stats));
    }
  }
  if (flags.outputFormat === "rich") out(renderActions(result.actions));
  io.stderr(ruleErrorLines(result.document, result.kontract));
  io.stderr(failedActionLines(result.actions));
  await pipes?.report(result.document);
  const failedAction = result.actions.some((action) => action.status === "failed");
  return flags.strictActions && failedAction ? 3 : exitCodeFor(result.summary, flags.failOn);
}

if (import.meta.main) {
  installSignalCleanup();
  Deno.exit(await main(Deno.args));
}
