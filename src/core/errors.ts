/**
 * Typed errors. Each carries the CLI exit code it maps to, so the CLI never has to
 * guess: 2 for anything the user can fix in their input, 3 for runtime trouble.
 *
 * Messages are scrubbed of every registered secret (`src/core/secrets.ts`) when the error
 * is made, and `describeError` scrubs the text of any thrown value: raw library errors (an S3
 * error body echoing the request, a driver's message) pass through one of the two.
 * @module
 */
import { scrubSecrets } from "./secrets.ts";

/**
 * Base class of every error Kontra raises on purpose. Its message is one line, safe to
 * print: registered secrets are replaced with `***` when it is made.
 *
 * @example
 * ```ts
 * import { KontraError, validate } from "@kontra/kontra";
 * try {
 *   await validate("kontract.yml");
 * } catch (e) {
 *   if (!(e instanceof KontraError)) throw e;
 *   console.error(e.message);
 *   Deno.exit(e.exitCode); // 2: fix the input; 3: runtime trouble
 * }
 * ```
 */
export class KontraError extends Error {
  /** The process exit code the CLI uses for this error. */
  readonly exitCode: number;

  /** An error with a one-line `message` and the CLI `exitCode` it maps to. */
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(scrubSecrets(message), options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/**
 * The Kontract is invalid: bad YAML, an unknown rule, bad params, an unset variable,
 * duplicate rule ids. Exit code 2.
 *
 * @example
 * ```ts
 * import { KontractError, validate } from "@kontra/kontra";
 * try {
 *   await validate("kontract.yml");
 * } catch (e) {
 *   if (e instanceof KontractError) console.error(e.message); // "kontract.yml:7:5: rules[2]…"
 * }
 * ```
 */
export class KontractError extends KontraError {
  /** A Kontract error; the message should start with `file:line:col: field: `. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 2, options);
  }
}

/**
 * The data could not be read. A missing or unsupported file is the user's to fix
 * (exit 2); a connection, permission or I/O failure is a runtime error (exit 3).
 *
 * @example
 * ```ts
 * import { DataSourceError, validate } from "@kontra/kontra";
 * try {
 *   await validate("kontract.yml", { data: "data/missing.parquet" });
 * } catch (e) {
 *   if (e instanceof DataSourceError && e.exitCode === 2) console.error("fix the path:", e.message);
 *   else throw e;
 * }
 * ```
 */
export class DataSourceError extends KontraError {
  /** A data error: exit code 2 when the user can fix it (missing file), else 3. */
  constructor(message: string, exitCode: 2 | 3 = 3, options?: ErrorOptions) {
    super(message, exitCode, options);
  }
}

/**
 * The datasource is named or configured wrong (a bad URI, a missing table name): the user
 * can fix it. Exit code 2.
 */
export function usageError(message: string, options?: ErrorOptions): DataSourceError {
  return new DataSourceError(message, 2, options);
}

/**
 * The data cannot be reached or read right now (connection, permission, timeout, I/O):
 * nothing in the input is wrong. Exit code 3.
 */
export function unavailableError(message: string, options?: ErrorOptions): DataSourceError {
  return new DataSourceError(message, 3, options);
}

/** The message of any thrown value, reduced to its first line, registered secrets scrubbed. */
export function describeError(error: unknown): string {
  const text = scrubSecrets(error instanceof Error ? error.message : String(error));
  return text.split("\n").map((line) => line.trim()).find((line) => line !== "") ?? "unknown error";
}
