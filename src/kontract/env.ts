/**
 * The environment a Kontract sees: `.env` files under the process environment.
 * A `.env` file is read only when it is a regular file of at most 1 MB: a directory, a
 * device or a named pipe under that name is an error naming it (exit 2), never a hang.
 * @module
 */
import { parse } from "npm:dotenv@18.0.10";
import { BoundedReadError, readBoundedTextFile } from "../core/bounded_read.ts";
import type { Environment } from "../core/environment.ts";
import { printable } from "../core/printable.ts";
import { KontractError } from "../core/errors.ts";

/** The largest `.env` file read. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

/**
 * Merges `.env` files (earlier files win over later ones) under the process
 * environment, which always wins. Missing files are skipped; a file that exists but
 * cannot be read within the limits is a KontractError naming it.
 */
export async function loadEnvironment(envFiles: string[]): Promise<Environment> {
  const merged: Record<string, string> = {};
  for (const file of [...envFiles].reverse()) {
    const text = await readIfExists(file);
    if (text !== undefined) Object.assign(merged, parse(text));
  }
  return { ...merged, ...Deno.env.toObject() };
}

/**
 * Reads an env file the user named explicitly: it must exist, since a typo should not
 * pass silently.
 */
export async function readEnvFile(file: string): Promise<string> {
  const text = await readIfExists(file);
  if (text === undefined) throw new KontractError(`${printable(file)}: env file not found`);
  return text;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readBoundedTextFile(file, MAX_ENV_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    if (error.problem === "not_found") return undefined;
    throw new KontractError(`${printable(file)}: env file ${error.message}`);
  }
}
