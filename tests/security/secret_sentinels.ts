/**
 * Sentinel secrets for the secrets tests, the forms each can take in output (computed
 * here, independently of `src/core/secrets.ts`), and assertions that grep every output
 * channel for all of them.
 * @module
 */
import { Buffer } from "node:buffer";
import { assert } from "../support/assert.ts";

/** Distinctive values no real output could contain by chance. */
export const SENTINEL = {
  /** A password holding every character WHATWG URL parsing moves out of the userinfo. */
  password: "S3cr3t/Pa#ss?w@rd:9",
  awsKeyId: "AKIASENTINEL7Q2X9W1Z",
  awsSecret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSENTINEL1",
  awsToken: "IQoJb3JpZ2luX2VjSENTINEL//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+TOKEN",
  webhookToken: "XSENTINELWEBHOOK7f3k2m9q",
  snowflakePassword: "Sn0w/Fl@ke#Pa55?w:rd",
  passphrase: "P4ss-phrase/SENTINEL#x",
  apiToken: "tok_SENTINEL_51HgT2eZvKYlo2C",
} as const;

/** What a child Deno needs from this environment to find its caches, and nothing else. */
export const BASE_ENV: Record<string, string> = Object.fromEntries(
  ["HOME", "DENO_DIR", "PATH", "TMPDIR"].flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value]];
  }),
);

/**
 * The forms of `secret` to look for: raw, URL-encoded (upper and lower hex, `+` for
 * spaces), JSON-escaped, base64 (standard, URL-safe) whole, and the base64 characters
 * that depend only on the secret inside a longer stream (`user:secret`, 3 alignments).
 */
export function leakForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const uri = encodeURIComponent(secret);
  forms.add(uri);
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  forms.add(uri.replaceAll("%20", "+"));
  forms.add(JSON.stringify(secret).slice(1, -1));
  const bytes = Buffer.from(secret, "utf8");
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x61), bytes]).toString("base64");
    const first = Math.ceil((8 * shift) / 6);
    const end = Math.floor((8 * (shift + bytes.length)) / 6);
    const middle = encoded.slice(first, end);
    forms.add(middle);
    forms.add(middle.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return [...forms].filter((form) => form.length >= 6);
}

/** Asserts that no output holds any form of any of the secrets. */
export function assertNoLeak(
  outputs: Record<string, string>,
  secrets: readonly string[],
): void {
  for (const [channel, text] of Object.entries(outputs)) {
    for (const secret of secrets) {
      for (const form of leakForms(secret)) {
        assert.ok(
          !text.includes(form),
          `${channel} holds a form of a secret (${JSON.stringify(form)}):\n${text}`,
        );
      }
    }
  }
}

/** Every secret in {@linkcode SENTINEL}. */
export const ALL_SENTINELS: string[] = Object.values(SENTINEL);
