/**
 * Assertions: node's strict assert, with `assertEquals` as a readable deep-equal.
 * @module
 */
import assert from "node:assert/strict";

export { assert };

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}
