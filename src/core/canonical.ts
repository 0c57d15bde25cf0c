/**
 * Canonical JSON: object keys sorted at every depth, so equal values give equal
 * bytes. Used for fingerprints and for free-form objects echoed in results.
 * @module
 */
import { createHash } from "node:crypto";

/** A copy of `value` whose objects have their keys in sorted order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((
        key,
      ) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(sortKeys(value))).digest("hex");
}
