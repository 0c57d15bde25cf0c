/**
 * Literal secrets in a Kontract: a password in a URI, or a key, token or password
 * field with a value written out instead of `${VAR}`. Kontracts end up in Git; the
 * warning tells the user to move the value into the environment. It never repeats it.
 * @module
 */
import type { FieldPath } from "./positions.ts";

/** Where a literal secret was found. */
export interface LiteralSecret {
  path: FieldPath;
  what: string;
}

const SECRET_KEY =
  /(secret|password|passwd|token|api[_-]?key|access[_-]?key|private[_-]?key|webhook)/i;
// scheme://user:password@host — a password that is not a ${VAR} placeholder.
const URI_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:([^@/\s]+)@/i;

/** Finds literal secrets in the raw (not yet interpolated) Kontract document. */
export function findLiteralSecrets(value: unknown, path: FieldPath = []): LiteralSecret[] {
  if (typeof value === "string") {
    const password = URI_PASSWORD.exec(value)?.[1];
    if (password && !isPlaceholder(password)) return [{ path, what: "a password in a URI" }];
    const key = path.at(-1);
    if (typeof key === "string" && SECRET_KEY.test(key) && value !== "" && !isPlaceholder(value)) {
      return [{ path, what: `a literal ${key}` }];
    }
    return [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findLiteralSecrets(item, [...path, index]));
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => findLiteralSecrets(item, [...path, key]));
  }
  return [];
}

/** True when the whole value comes from the environment. */
function isPlaceholder(text: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_.]*\}$/.test(text);
}
