/**
 * The one scrubber for secrets, by value. Every secret Kontra learns (keys, tokens,
 * passwords, passphrases, webhook URLs) is registered here where it is learned, and every
 * string that leaves the process passes through {@linkcode scrubSecrets} (or
 * {@linkcode scrubSecretsDeep} for JSON-able values) at a few choke points: the CLI's
 * writer, the error constructors, the Pipes channel, the Slack body, the manifest writer.
 *
 * A registered value also registers the forms it takes in the text around it: URL-encoded
 * (`encodeURIComponent`, lower-case hex, `+` for spaces, `encodeURI`, URL userinfo),
 * JSON-string-escaped, and base64 (standard and URL-safe), including the characters of a
 * base64 stream that depend only on the secret's bytes when it sits inside a longer
 * encoded value (HTTP Basic `user:password`), at each of the three byte alignments.
 * Each form is replaced with `***`, longest first.
 *
 * Values shorter than {@linkcode MIN_SECRET_LENGTH} characters are not registered: removing
 * every `abc` from the output would shred it, and a value that short is guessable anyway.
 * They are still kept out of output structurally (URIs are printed without their password
 * and secret parameters); they are only not hunted down in free text. Derived forms
 * (base64 fragments included) shorter than the same minimum are dropped likewise.
 *
 * This module imports nothing from the rest of Kontra: it is shared vocabulary.
 * @module
 */

/** Values (and derived forms) shorter than this are not registered. */
export const MIN_SECRET_LENGTH = 6;

/** What a secret is replaced with. */
export const SCRUBBED = "***";

const registered = new Set<string>();
const forms = new Set<string>();
let pattern: RegExp | null | undefined;

/**
 * Registers a secret value and its derived forms. Returns false (and registers nothing)
 * for undefined, empty, or values shorter than {@linkcode MIN_SECRET_LENGTH}.
 */
export function registerSecret(value: string | undefined | null): boolean {
  if (typeof value !== "string") return false;
  const candidates = value.trim() === value ? [value] : [value, value.trim()];
  let any = false;
  for (const candidate of candidates) {
    if (candidate.length < MIN_SECRET_LENGTH) continue;
    any = true;
    if (registered.has(candidate)) continue;
    registered.add(candidate);
    for (const form of secretForms(candidate)) {
      if (form.length >= MIN_SECRET_LENGTH && !forms.has(form)) {
        forms.add(form);
        pattern = undefined;
      }
    }
  }
  return any;
}

/**
 * Registers a secret URL (a webhook): the whole URL, its path (with and without the query)
 * and its last path segment (the token, for Slack) when that is at least 8 characters.
 */
export function registerSecretUrl(value: string | undefined | null): void {
  if (typeof value !== "string" || value === "") return;
  registerSecret(value);
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)(\?[^#]*)?/i.exec(value.trim());
  if (!match) return;
  const [, path, query = ""] = match;
  registerSecret(path + query);
  registerSecret(path);
  const last = path.split("/").filter((segment) => segment !== "").at(-1) ?? "";
  if (last.length >= 8) registerSecret(last);
}

/** Removes every registered secret (in every registered form) from `text`. */
export function scrubSecrets(text: string): string {
  const regex = scrubPattern();
  if (regex === null || text === "") return text;
  return text.replace(regex, SCRUBBED);
}

/**
 * A copy of a JSON-able value with every string (object keys included) scrubbed. Plain
 * objects and arrays are copied; other objects (class instances, dates) are returned as
 * they are.
 */
export function scrubSecretsDeep<T>(value: T): T {
  if (scrubPattern() === null) return value;
  return deep(value, new Map()) as T;
}

/** Field names whose values are secrets: `password`, `api_key`, `token`, `webhook_url`, … */
const SECRET_FIELD = new RegExp(
  "secret|passw(or)?d|passphrase|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|" +
    "webhook|credential",
  "i",
);
/** Query parameters whose values are secrets: `password`, `api_key`, `X-Amz-Signature`, … */
const SECRET_PARAM = /pass|pwd|secret|token|key$|^key|signature|^sig$|credential/i;

/** True for a field (YAML key, option name) whose value is a secret. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** True for a URI query parameter whose value is a secret (`password`, `X-Amz-Signature`). */
export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/**
 * Every form `value` takes in encoded text: itself, URL-encoded, JSON-escaped and
 * base64 (whole, and the stable fragments at each alignment). Short forms included;
 * {@linkcode registerSecret} drops those.
 */
export function secretForms(value: string): string[] {
  const found = new Set<string>([value]);
  const uri = encodeURIComponent(value);
  found.add(uri);
  found.add(uri.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  found.add(uri.replaceAll("%20", "+"));
  found.add(new URLSearchParams([["", value]]).toString().slice(1));
  found.add(encodeURI(value));
  const userinfo = new URL("http://host/");
  userinfo.password = value;
  found.add(userinfo.password);
  const json = JSON.stringify(value).slice(1, -1);
  found.add(json);
  found.add(json.replaceAll("/", "\\/"));
  for (const encoded of base64Forms(new TextEncoder().encode(value))) found.add(encoded);
  return [...found];
}

/**
 * Base64 of `bytes` alone (padded and not, standard and URL-safe), and the characters
 * that depend only on `bytes` when they sit at byte offset 0, 1 or 2 (mod 3) of a longer
 * stream. Output character k covers bits [6k, 6k+6); the secret covers bits
 * [8a, 8a+8n) at alignment a, so the stable characters are ceil(8a/6) … floor((8a+8n)/6)-1.
 */
function base64Forms(bytes: Uint8Array): string[] {
  const whole = base64(bytes);
  const out = [whole, whole.replace(/=+$/, "")];
  for (let alignment = 0; alignment < 3; alignment++) {
    const shifted = new Uint8Array(alignment + bytes.length);
    shifted.set(bytes, alignment);
    const encoded = base64(shifted);
    const first = Math.ceil((8 * alignment) / 6);
    const end = Math.floor((8 * alignment + 8 * bytes.length) / 6);
    if (end > first) out.push(encoded.slice(first, end));
  }
  return out.flatMap((form) => [form, form.replaceAll("+", "-").replaceAll("/", "_")]);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** One alternation of every form, longest first; null when nothing is registered. */
function scrubPattern(): RegExp | null {
  if (pattern !== undefined) return pattern;
  if (forms.size === 0) return pattern = null;
  const sorted = [...forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  return pattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function deep(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(deep(item, seen));
    return copy;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[scrubSecrets(key)] = deep(item, seen);
  return copy;
}
