/**
 * Every database Kontra can read, by URI scheme. Adding a database = one folder with a
 * `database.ts` exporting its {@linkcode Database} object, plus one line here. Each is
 * loaded on first use, so a run over files never loads a database driver.
 * @module
 */
import type { Database } from "./database.ts";

// deno-lint-ignore no-explicit-any
type AnyDatabase = Database<any>;

const DATABASES: { schemes: readonly string[]; load: () => Promise<AnyDatabase> }[] = [
  {
    schemes: ["postgres", "postgresql"],
    load: async () => (await import("./postgres/database.ts")).postgres,
  },
  {
    schemes: ["snowflake"],
    load: async () => (await import("./snowflake/database.ts")).snowflake,
  },
  {
    schemes: ["mysql", "mariadb"],
    load: async () => (await import("./mysql/database.ts")).mysql,
  },
];

/** The database a URI scheme names (lower case), or undefined. */
export function findDatabase(scheme: string): Promise<AnyDatabase> | undefined {
  return DATABASES.find((entry) => entry.schemes.includes(scheme))?.load();
}

/** Every scheme that names a database, for messages. */
export const DATABASE_SCHEMES: readonly string[] = DATABASES.flatMap((entry) => entry.schemes);
