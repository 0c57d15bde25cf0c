/**
 * `${VAR}` substitution in every string of a Kontract. `$${VAR}` keeps a literal `${VAR}`.
 * @module
 */
import type { Environment } from "./env.ts";

/** A variable that the environment does not define, and where it was used. */
export interface MissingVariable {
  name: string;
  path: (string | number)[];
}

const PLACEHOLDER = /\$?\$\{([A-Za-z_][A-Za-z0-9_.]*)\}/g;

/**
 * Returns a copy of `value` with every `${VAR}` replaced. Throws nothing: missing
 * variables are reported so the caller can point at the line that uses them.
 */
export function interpolate(
  value: unknown,
  env: Environment,
  path: (string | number)[] = [],
  missing: MissingVariable[] = [],
): { value: unknown; missing: MissingVariable[] } {
  if (typeof value === "string") {
    const replaced = value.replace(PLACEHOLDER, (match: string, name: string) => {
      if (match.startsWith("$$")) return match.slice(1);
      const found = env[name];
      if (found === undefined) missing.push({ name, path });
      return found ?? "";
    });
    return { value: replaced, missing };
  }
  if (Array.isArray(value)) {
    return {
      value: value.map((item, index) => interpolate(item, env, [...path, index], missing).value),
      missing,
    };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map((
      [key, item],
    ) => [key, interpolate(item, env, [...path, key], missing).value]);
    return { value: Object.fromEntries(entries), missing };
  }
  return { value, missing };
}
