/**
 * The environment a Kontract sees: `.env` files under the process environment.
 * @module
 */
import { parse } from "dotenv";

/** Variables a Kontract can read. Kept in memory only: credentials live here. */
export type Environment = Readonly<Record<string, string>>;

/**
 * Merges `.env` files (earlier files win over later ones) under the process
 * environment, which always wins. Missing files are skipped.
 */
export async function loadEnvironment(envFiles: string[]): Promise<Environment> {
  const merged: Record<string, string> = {};
  for (const file of [...envFiles].reverse()) {
    const text = await readIfExists(file);
    if (text !== undefined) Object.assign(merged, parse(text));
  }
  return { ...merged, ...Deno.env.toObject() };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
