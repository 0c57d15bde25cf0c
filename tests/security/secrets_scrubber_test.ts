/**
 * The secret scrubber (src/core/secrets.ts): every form a registered value takes in
 * output is replaced, short values are left alone, and it is fast enough for every line.
 */
import { Buffer } from "node:buffer";
import {
  MIN_SECRET_LENGTH,
  registerSecret,
  registerSecretUrl,
  scrubSecrets,
  scrubSecretsDeep,
} from "../../src/core/secrets.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { assertNoLeak, leakForms, SENTINEL } from "./secret_sentinels.ts";

const PW = SENTINEL.password;
registerSecret(PW);

Deno.test("scrubber: the raw value becomes *** wherever it is", () => {
  assertEquals(scrubSecrets(`a ${PW} b ${PW}`), "a *** b ***");
  assertEquals(scrubSecrets(`x${PW}y`), "x***y");
  assertEquals(scrubSecrets("nothing secret here"), "nothing secret here");
});

Deno.test("scrubber: URL-encoded forms (upper and lower hex, + for spaces, userinfo)", () => {
  const spaced = "pass word / with?space";
  registerSecret(spaced);
  const forms = [
    encodeURIComponent(PW),
    encodeURIComponent(PW).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    encodeURIComponent(spaced).replaceAll("%20", "+"),
    new URLSearchParams({ p: spaced }).toString().slice(2),
    encodeURI(PW),
  ];
  for (const form of forms) {
    assertEquals(scrubSecrets(`before ${form} after`), "before *** after", form);
  }
  const url = new URL("postgres://h/db");
  url.username = "u";
  url.password = PW;
  assert.ok(!scrubSecrets(url.href).includes(url.password), url.href);
});

Deno.test("scrubber: JSON-escaped forms (quotes, backslashes, \\/)", () => {
  const quoted = 'q"uo\\te/d-secret';
  registerSecret(quoted);
  const line = JSON.stringify({ error: `bad ${quoted}` });
  assertEquals(scrubSecrets(line), JSON.stringify({ error: "bad ***" }));
  assertEquals(scrubSecrets(line.replaceAll("/", "\\/")).includes("te\\/d"), false);
});

Deno.test("scrubber: base64 alone, standard and URL-safe, padded or not", () => {
  const whole = Buffer.from(PW).toString("base64");
  for (
    const form of [
      whole,
      whole.replace(/=+$/, ""),
      whole.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
    ]
  ) {
    assertEquals(scrubSecrets(`token ${form} end`), "token *** end", form);
  }
});

Deno.test("scrubber: HTTP Basic user:password at every alignment of the user name", () => {
  for (const user of ["", "a", "ab", "abc", "alice", "bob-the-user"]) {
    const header = `Basic ${Buffer.from(`${user}:${PW}`).toString("base64")}`;
    const scrubbed = scrubSecrets(header);
    assert.ok(scrubbed.includes("***"), scrubbed);
    assertNoLeak({ [`basic(${user})`]: scrubbed }, [PW]);
  }
});

Deno.test("scrubber: a secret inside a long base64 stream, at each byte offset", () => {
  const secret = "Emb3dded-Secret-Value";
  registerSecret(secret);
  for (let prefix = 0; prefix < 9; prefix++) {
    const bytes = Buffer.concat([
      Buffer.from(crypto.getRandomValues(new Uint8Array(prefix))),
      Buffer.from(secret),
      Buffer.from(crypto.getRandomValues(new Uint8Array(7))),
    ]);
    for (const encoded of [bytes.toString("base64"), bytes.toString("base64url")]) {
      assertNoLeak({ [`offset ${prefix}`]: scrubSecrets(encoded) }, [secret]);
    }
  }
});

Deno.test("scrubber: values shorter than the minimum are not registered", () => {
  assertEquals(MIN_SECRET_LENGTH, 6);
  assertEquals(registerSecret("abcde"), false);
  assertEquals(registerSecret(""), false);
  assertEquals(registerSecret(undefined), false);
  assertEquals(scrubSecrets("abcde stays: abcde"), "abcde stays: abcde");
  assertEquals(registerSecret("sixsix"), true);
  assertEquals(scrubSecrets("a sixsix b"), "a *** b");
});

Deno.test("scrubber: longest form first, so no tail of a longer secret survives", () => {
  registerSecret("Prefix-Secret");
  registerSecret("Prefix-Secret-And-More");
  assertEquals(scrubSecrets("[Prefix-Secret-And-More]"), "[***]");
  assertEquals(scrubSecrets("[Prefix-Secret]"), "[***]");
});

Deno.test("scrubber: a value with surrounding whitespace is registered trimmed too", () => {
  registerSecret("  padded-secret-value\n");
  assertEquals(scrubSecrets("x padded-secret-value y"), "x *** y");
});

Deno.test("scrubber: non-ASCII secrets, raw and base64 of their UTF-8 bytes", () => {
  const secret = "pässwörd-ünïcode";
  registerSecret(secret);
  assertNoLeak({
    raw: scrubSecrets(`x ${secret} y`),
    base64: scrubSecrets(Buffer.from(`u:${secret}`).toString("base64")),
    url: scrubSecrets(encodeURIComponent(secret)),
  }, [secret]);
});

Deno.test("scrubber: deep copies scrub strings and keys, keep other values", () => {
  const when = new Date(0);
  const input: Record<string, unknown> = {
    [`key-${PW}`]: [`v ${PW}`, 3, null, { nested: PW, ok: true }],
    when,
  };
  const output = scrubSecretsDeep(input);
  assertEquals(output, {
    "key-***": ["v ***", 3, null, { nested: "***", ok: true }],
    when,
  });
  assertEquals((input[`key-${PW}`] as string[])[0], `v ${PW}`, "the input is not changed");
  const cyclic: Record<string, unknown> = { name: PW };
  cyclic.self = cyclic;
  const copy = scrubSecretsDeep(cyclic) as Record<string, unknown>;
  assertEquals(copy.name, "***");
  assert.ok(copy.self === copy);
});

Deno.test("scrubber: a webhook URL registers its path and token too", () => {
  const url = `https://hooks.slack.com/services/T0AAA/B0BBB/${SENTINEL.webhookToken}`;
  registerSecretUrl(url);
  assertEquals(scrubSecrets(`POST ${url} failed`), "POST *** failed");
  assertEquals(scrubSecrets(`path /services/T0AAA/B0BBB/${SENTINEL.webhookToken}`), "path ***");
  assertEquals(scrubSecrets(`token=${SENTINEL.webhookToken}`), "token=***");
  assertEquals(scrubSecrets("services and T0AAA stay"), "services and T0AAA stay");
});

Deno.test("scrubber: the test's own leak forms are all caught", () => {
  for (const secret of [PW, SENTINEL.awsSecret, SENTINEL.awsToken]) {
    registerSecret(secret);
    for (const form of leakForms(secret)) {
      assert.ok(!scrubSecrets(`<${form}>`).includes(form), form);
    }
  }
});

Deno.test("scrubber: fast enough for every output line", () => {
  for (let i = 0; i < 60; i++) registerSecret(`${crypto.randomUUID()}-${i}`);
  const line = "PASS  COL:user_id:not_null  blocking  0  metadata  user_id has no NULL values\n";
  const text = line.repeat(12_000); // ~1 MB
  const started = performance.now();
  const scrubbed = scrubSecrets(text);
  const elapsed = performance.now() - started;
  assertEquals(scrubbed, text);
  assert.ok(elapsed < 1000, `1 MB took ${elapsed} ms`);
  const lineStart = performance.now();
  for (let i = 0; i < 1000; i++) scrubSecrets(line);
  const perLineMs = (performance.now() - lineStart) / 1000;
  assert.ok(perLineMs < 1, `one line took ${perLineMs} ms`);
});
