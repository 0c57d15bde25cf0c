/**
 * Exhaustive switches: the compiler rejects a `switch` over a union that misses a
 * case, and a value that slips past the types anyway is an error, never ignored.
 * @module
 */

/** Called in a switch's `default`: compiles only when every case is handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
