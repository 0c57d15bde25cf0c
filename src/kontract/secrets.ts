/**
 * Secrets in a Kontract. Two jobs:
 *
 * - Literal secrets: a password in a URI (`postgres://:PW@host`, `postgres://u:PW@host` with
 *   `/ # ? @ :` in PW), a secret query parameter (`?password=PW`, `token=`), or a key,
 *   token, password or webhook field with a value written out instead of `${VAR}`, in the
 *   file and in every `extends:` base. Kontracts end up in Git; the warning tells the user to
 *   move the value into the environment. It never repeats it.
 * - Credential positions: every value that lands in one (a literal, or a `${VAR}` filled in)
 *   is registered with the scrubber (`src/core/secrets.ts`) as the Kontract is interpolated,
 *   so it is removed from every output, results included.
 * @module
 */
import { isSecretField, registerSecret, registerSecretUrl } from "../core/secrets.ts";
import { uriSecrets } from "../core/uri_credentials.ts";
import type { FieldPath } from "./positions.ts";

/** Where a literal secret was found. */
export interface LiteralSecret {
  path: FieldPath;
  what: string;
}

/** Finds literal secrets in the raw (not yet interpolated) Kontract document. */
export function findLiteralSecrets(value: unknown, path: FieldPath = []): LiteralSecret[] {
  if (typeof value === "string") return literalSecretsIn(value, path);
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findLiteralSecrets(item, [...path, index]));
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => findLiteralSecrets(item, [...path, key]));
  }
  return [];
}

function literalSecretsIn(value: string, path: FieldPath): LiteralSecret[] {
  const found: LiteralSecret[] = [];
  for (const secret of uriSecrets(value)) {
    if (hasLiteralText(secret.raw)) {
      found.push({
        path,
        what: secret.where === "password"
          ? "a password in a URI"
          : `a secret in a URI query (${secret.param}=)`,
      });
    }
  }
  if (found.length > 0) return found;
  const key = path.at(-1);
  if (typeof key === "string" && isSecretField(key) && hasLiteralText(value)) {
    return [{ path, what: `a literal ${key}` }];
  }
  return [];
}

/** True when some of the text is written out, not filled in from `${VAR}`. */
function hasLiteralText(text: string): boolean {
  return text.replace(/\$\{[A-Za-z_][A-Za-z0-9_.]*\}/g, "") !== "";
}

/**
 * Registers the secrets in one interpolated string of a Kontract: the whole value of a
 * secret-named field (a webhook URL with its path and token), a URI's password and secret
 * query parameters, and each `${VAR}` value (`filledIn`) that went into one of those.
 */
export function registerKontractSecrets(
  key: PropertyKey | undefined,
  value: string,
  filledIn: readonly string[],
): void {
  const spans: string[] = [];
  if (typeof key === "string" && isSecretField(key) && value !== "") {
    if (/webhook|url|uri/i.test(key) || /^https?:\/\//i.test(value)) registerSecretUrl(value);
    else registerSecret(value);
    spans.push(value);
  }
  for (const secret of uriSecrets(value)) {
    registerSecret(secret.raw);
    registerSecret(secret.decoded);
    spans.push(secret.raw, secret.decoded ?? secret.raw);
  }
  for (const filled of filledIn) {
    if (filled !== "" && spans.some((span) => span.includes(filled))) registerSecret(filled);
  }
}
