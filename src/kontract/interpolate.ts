/**
 * `${VAR}` substitution in every string of a Kontract. `$${VAR}` keeps a literal `${VAR}`.
 * Each string that ends up holding a credential (a secret-named field, a URI password or
 * secret parameter) has it, and the `${VAR}` values that went into it, registered with the
 * secret scrubber here, where Kontra learns them.
 * @module
 */
import type { Environment } from "../core/environment.ts";
import { registerKontractSecrets } from "./secrets.ts";

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
    const filledIn: string[] = [];
    const replaced = value.replace(PLACEHOLDER, (match: string, name: string) => {
      if (match.startsWith("$$")) return match.slice(1);
      // Own variables only: `${constructor}` is not Object.prototype.constructor.
      const found = Object.hasOwn(env, name) ? env[name] : undefined;
      if (found === undefined) missing.push({ name, path });
      else filledIn.push(found);
      return found ?? "";
    });
    registerKontractSecrets(path.at(-1), replaced, filledIn);
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
