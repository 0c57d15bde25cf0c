/**
 * The variables a Kontract sees (`.env` files under the process environment, loaded by
 * kontract/env.ts): credentials live here, so it is passed explicitly to whatever
 * connects, never read from the process by a driver.
 * @module
 */

/** Variables a Kontract can read. Kept in memory only: credentials live here. */
export type Environment = Readonly<Record<string, string>>;
