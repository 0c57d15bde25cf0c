/**
 * The `kontra` command line: parse arguments → SDK → render → exit code.
 * Exit codes: 0 passed, 1 a blocking rule failed, 2 usage or Kontract error,
 * 3 runtime or connection error.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { KontraError, oneLine } from "./src/errors.ts";
import { renderTerminal } from "./src/report/terminal.ts";
import { validate } from "./src/validate.ts";
import { VERSION } from "./src/version.ts";

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
  outputFormat: "rich" | "json";
  timings?: boolean;
  envFile?: string;
  quiet?: boolean;
  metadata: boolean;
  debug?: boolean;
}

/** Runs the CLI with `args` and returns the exit code. */
export async function main(args: string[], io: CliIo = denoIo): Promise<number> {
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
        .choices(["rich", "json"]).default("rich"),
    )
    .option("--timings", "add durations, bytes read and peak memory (JSON: stats block)")
    .option("--env-file <path>", "load variables from this .env file")
    .option("--no-metadata", "do not answer rules from Parquet footer statistics")
    .option("-q, --quiet", "print only failing rules and the verdict")
    .option("--debug", "show stack traces of errors")
    .action(async (kontract: string, flags: ValidateFlags) => {
      debug = flags.debug ?? false;
      exitCode = await runValidate(kontract, flags, io);
    });
  try {
    await program.parseAsync(args, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      if (error.code === "commander.help") return 2; // no command: usage is already on stderr
      io.stderr(`kontra: ${oneLine(error).replace(/^error: /, "")}\n`);
      return 2;
    }
    if (error instanceof KontraError) {
      io.stderr(`kontra: ${error.message}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    io.stderr(`kontra: ${oneLine(error)}\n`);
    if (debug && error instanceof Error) io.stderr(`${error.stack}\n`);
    return 3;
  }
}

async function runValidate(kontract: string, flags: ValidateFlags, io: CliIo): Promise<number> {
  const showProgress = io.isTerminal.stderr && flags.outputFormat === "rich" && !flags.quiet;
  const result = await validate(kontract, {
    data: flags.data,
    envFile: flags.envFile,
    timings: flags.timings,
    metadata: flags.metadata,
    onProgress: showProgress ? (message) => io.stderr(`\r\x1b[2K… ${message}`) : undefined,
  });
  if (showProgress) io.stderr("\r\x1b[2K");
  if (flags.outputFormat === "json") {
    io.stdout(result.toJsonText());
  } else {
    const color = io.isTerminal.stdout && !io.env("NO_COLOR");
    io.stdout(renderTerminal(result.document, { color, quiet: flags.quiet }));
    if (flags.timings && result.document.stats) {
      io.stdout(`timings: ${JSON.stringify(result.document.stats)}\n`);
    }
  }
  return result.passed ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
