/**
 * MySQL/MariaDB errors as Kontra errors: one line, the password scrubbed, the exit code by
 * what went wrong. Anything while connecting is "cannot connect" (exit 3). Afterwards:
 * a statement timeout (MariaDB 1969, MySQL 3024) is exit 3 with the way to raise it; a
 * write refused by the read-only session (1792, or 1290 on a `read_only` server) is a
 * Kontract error; SQL that is wrong (syntax, unknown names, bad regular expressions,
 * data errors: SQLSTATE classes 42, 22, 21, 0A and the HY000 errors listed below) is a
 * Kontract error (exit 2), except missing privileges (exit 3); errors without a SQLSTATE
 * are the network's (exit 3).
 * @module
 */
import { describeError, KontractError, KontraError, unavailableError } from "../../core/errors.ts";
import { scrub } from "../../core/connection_uri.ts";
import type { MysqlConfig } from "./config.ts";

/** Statement timeouts: MariaDB's max_statement_time, MySQL's max_execution_time. */
const TIMEOUTS = new Set([1969, 3024]);
/** Writes refused: a read-only transaction, a server started `--read-only`. */
const READ_ONLY = new Set([1792, 1290]);
/** Missing privileges: the user's to grant, not the Kontract's to fix. */
const PRIVILEGES = new Set([1044, 1045, 1142, 1143, 1227, 1370]);
/**
 * Errors in the SQL with the catch-all SQLSTATE HY000: bad regular expressions (MariaDB
 * 1139, MySQL 3685–3699), illegal mixes of collations and types, wrong usage.
 */
const SQL_MISTAKES = new Set([1139, 1221, 1222, 1267, 1270, 1271, 4078, 4079]);

/** When the error happened: connecting, or running a statement. */
export type MysqlPhase = "connect" | "query";

/** A driver error as a Kontra error (see the module comment). */
export function mysqlError(
  error: unknown,
  config: Pick<MysqlConfig, "redacted" | "password" | "statementTimeoutS">,
  phase: MysqlPhase,
): KontraError {
  if (error instanceof KontraError) return error;
  const { errno, sqlState } = error as { errno?: unknown; sqlState?: unknown };
  const message = scrub(describeError(error), [config.password]);
  const at = `${config.redacted}: `;
  // Server errors carry a SQLSTATE; socket errors (errno < 0) and protocol errors do not.
  const state = typeof sqlState === "string" ? sqlState : "";
  const code = typeof errno === "number" && state !== "" ? errno : undefined;
  if (phase === "connect") return unavailableError(`${at}cannot connect: ${message}`);
  if (code === undefined) return unavailableError(`${at}connection failed: ${message}`);
  if (TIMEOUTS.has(code)) {
    return unavailableError(
      `${at}statement timed out after ${config.statementTimeoutS}s ` +
        "(raise it with ?statement_timeout=SECONDS)",
    );
  }
  if (READ_ONLY.has(code)) return new KontractError(`${at}SQL must not write: ${message}`);
  if (PRIVILEGES.has(code)) return unavailableError(`${at}${message}`);
  if (/^(42|22|21|0A)/.test(state) || SQL_MISTAKES.has(code) || (code >= 3685 && code <= 3699)) {
    return new KontractError(`${at}query failed: ${message}`);
  }
  return unavailableError(`${at}query failed: ${message}`);
}
