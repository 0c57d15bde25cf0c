/**
 * Assertions: node's strict assert, with `assertEquals` as a readable deep-equal.
 * @module
 */
import assert from "node:assert/strict";
import type { DataSourceError, KontractError } from "../../mod.ts";

export { assert };

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/**
 * Asserts that `promise` rejects with a `type` error whose message matches `message` and
 * whose exit code is `exitCode`; returns the error.
 */
export async function assertRejectsWith(
  promise: Promise<unknown>,
  type: typeof KontractError | typeof DataSourceError,
  message: RegExp,
  exitCode: number,
): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `${error}`);
    assert.match((error as Error).message, message);
    assertEquals((error as KontractError).exitCode, exitCode);
    return error as Error;
  }
  assert.fail(`expected ${type.name} matching ${message}`);
}
