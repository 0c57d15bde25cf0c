/**
 * `kontra quarantine verify <location>`: exit 0 when every run at or under the
 * location is intact, 1 when any is not, 2 when the location does not exist or is not
 * a directory (or `--env-file` names no file), 3 when it cannot be read.
 * @module
 */
import { resolve } from "node:path";
import { type Command, Option } from "npm:commander@15.1.0";
import { loadEnvironment, readEnvFile } from "../kontract/env.ts";
import { renderVerification } from "./actions_text.ts";
import { verifyQuarantine } from "./quarantine_verify.ts";

interface VerifyFlags {
  outputFormat: "rich" | "json";
  envFile?: string;
}

/** Adds `verify` to the `quarantine` command; `done` receives the exit code. */
export function verifyCommand(
  parent: Command,
  io: { stdout(text: string): void },
  done: (exitCode: number) => void,
): void {
  parent.command("verify")
    .description(
      "check quarantined files against their _manifest.json (exit 0 intact, 1 not, 2 no location)",
    )
    .argument("<location>", "a run directory or a directory above runs; local or s3://")
    .addOption(
      new Option("-o, --output-format <format>", "output format")
        .choices(["rich", "json"]).default("rich"),
    )
    .option("--env-file <path>", "load variables (e.g. AWS credentials) from this .env file")
    .action(async (location: string, flags: VerifyFlags) => {
      // A file named explicitly must exist: a typo should not pass silently.
      if (flags.envFile) await readEnvFile(flags.envFile);
      const env = await loadEnvironment([
        ...(flags.envFile ? [flags.envFile] : []),
        resolve(".env"),
      ]);
      const report = await verifyQuarantine(location, { env });
      io.stdout(
        flags.outputFormat === "json"
          ? JSON.stringify(report, null, 2) + "\n"
          : renderVerification(report),
      );
      done(report.ok ? 0 : 1);
    });
}
