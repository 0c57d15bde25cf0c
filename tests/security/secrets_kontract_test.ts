/**
 * Secrets at the Kontract's edge: tolerant URI userinfo parsing (passwords holding
 * `/ # ? @ :`), registration of every value in a credential position, literal-secret
 * warnings (also in `extends:` bases), and errors that must not echo what they read.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { KontractError, loadKontract, validate } from "../../mod.ts";
import { scrubSecrets } from "../../src/core/secrets.ts";
import { DagsterPipesError, loadContext } from "../../src/integrations/dagster_pipes.ts";
import { findLiteralSecrets } from "../../src/kontract/secrets.ts";
import { redactUri as slackRedactUri } from "../../src/actions/slack_message.ts";
import { parseConnectionUri, redactUri } from "../../src/core/connection_uri.ts";
import { postgresConfig } from "../../src/databases/postgres/config.ts";
import { snowflakeConfig } from "../../src/databases/snowflake/config.ts";
import { DataSourceError } from "../../src/core/errors.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir, writeText } from "../support/fixtures.ts";
import { assertNoLeak, SENTINEL } from "./secret_sentinels.ts";

const PG_PARAMS = ["sslmode", "statement_timeout", "password", "application_name"];

// ------------------------------------------------------------ tolerant userinfo parsing

const AWKWARD: [string, string][] = [
  ["slash", "Pa/ss-word-1"],
  ["hash", "Pa#ss-word-2"],
  ["question mark", "Pa?ss-word-3"],
  ["at sign", "Pa@ss-word-4"],
  ["colon", "Pa:ss-word-5"],
  ["all of them", SENTINEL.password],
];

for (const [name, password] of AWKWARD) {
  Deno.test(`userinfo: a password with ${name} is a password, not path/query/fragment`, () => {
    const uri =
      `postgres://reader:${password}@db.internal:6543/sales/public.orders?sslmode=disable`;
    const parsed = parseConnectionUri(uri, PG_PARAMS);
    assertEquals(
      [parsed.user, parsed.password, parsed.host, parsed.port, parsed.segments],
      ["reader", password, "db.internal", 6543, ["sales", "public.orders"]],
    );
    assertEquals([...parsed.params], [["sslmode", "disable"]]);
    assertEquals(
      parsed.redacted,
      "postgres://reader@db.internal:6543/sales/public.orders?sslmode=disable",
    );
    assertNoLeak({ redacted: parsed.redacted, redactUri: redactUri(uri) }, [password]);
    const config = postgresConfig(uri, {});
    assertEquals([config.password, config.table], [password, ["public", "orders"]]);
    assertEquals(scrubSecrets(`echo ${password}`), "echo ***", "registered when parsed");
  });
}

Deno.test("userinfo: an empty user name with a password (postgres://:PW@host)", () => {
  const parsed = parseConnectionUri(`postgres://:${SENTINEL.password}@h:5432/db`, PG_PARAMS);
  assertEquals([parsed.user, parsed.password, parsed.host], [undefined, SENTINEL.password, "h"]);
  assertEquals(parsed.redacted, "postgres://h:5432/db");
});

Deno.test("userinfo: percent-encoding is decoded; bad encoding says so without echoing", () => {
  const parsed = parseConnectionUri("postgres://u:Pa%2Fss%40word@h/db", PG_PARAMS);
  assertEquals(parsed.password, "Pa/ss@word");
  try {
    parseConnectionUri("postgres://u:Bad%ZZSecretValue@h/db", PG_PARAMS);
    assert.fail("accepted bad percent-encoding");
  } catch (error) {
    assert.ok(error instanceof DataSourceError);
    assertEquals(error.message, "postgres://u@h/db: bad percent-encoding in the password");
  }
});

Deno.test("userinfo: a bad port or host is 'not a valid URI', never the password", () => {
  for (const uri of [`postgres://u:${SENTINEL.password}@h:99999/db`, `postgres://u:x@h h/db`]) {
    try {
      parseConnectionUri(uri, PG_PARAMS);
      assert.fail(`accepted ${uri}`);
    } catch (error) {
      assert.ok(error instanceof DataSourceError);
      assertEquals(error.message, "postgres://…: not a valid URI");
    }
  }
});

Deno.test("userinfo: an unencoded @ in a query value errs towards hiding, never leaking", () => {
  // The user name cannot hold / ? # @: the userinfo ends at the first @ here.
  const plain = parseConnectionUri("postgres://u@h/db?application_name=me@x", PG_PARAMS);
  assertEquals([plain.user, plain.host, plain.params.get("application_name")], [
    "u",
    "h",
    "me@x",
  ]);
  // With a password, the last @ followed by a host wins: everything before it is hidden.
  const hidden = "postgres://u:Pw-Secret-77@h/db?application_name=me@x";
  const redacted = redactUri(hidden);
  assert.ok(!redacted.includes("Pw-Secret-77"), redacted);
});

Deno.test("userinfo: secret query parameters are dropped from the redacted URI", () => {
  const uri = `postgres://u@h/db?password=${encodeURIComponent(SENTINEL.password)}&sslmode=require`;
  assertEquals(redactUri(uri), "postgres://u@h/db?sslmode=require");
  assertEquals(postgresConfig(uri, {}).password, SENTINEL.password);
  assertEquals(scrubSecrets(`x ${SENTINEL.password} y`), "x *** y");
  assertEquals(
    redactUri("s3://b/k?X-Amz-Credential=AKIAXX&X-Amz-Signature=ab12&v=1"),
    "s3://b/k?v=1",
  );
});

Deno.test("userinfo: the Slack message's redaction is tolerant too", () => {
  assertEquals(
    slackRedactUri(`postgres://reader:${SENTINEL.password}@db:5432/app/public.t?sslmode=x`),
    "postgres://***@db:5432/app/public.t",
  );
  assertEquals(slackRedactUri("postgres://db:5432/app"), "postgres://db:5432/app");
});

Deno.test("userinfo: Snowflake, awkward passwords; passphrase and key registered", async () => {
  await using dir = await tempDir();
  const config = snowflakeConfig(
    `snowflake://loader:${SENTINEL.snowflakePassword}@xy12345/DB/PUBLIC/T?warehouse=WH`,
    {},
  );
  const options = config.options as unknown as Record<string, unknown>;
  assertEquals([options.username, options.password, options.account], [
    "loader",
    SENTINEL.snowflakePassword,
    "xy12345",
  ]);
  assertEquals(config.redacted, "snowflake://loader@xy12345/DB/PUBLIC/T?warehouse=WH");
  const keyBody = "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQISENTINELKEYLINE";
  const keyPath = await writeText(
    dir.path,
    "rsa_key.p8",
    `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${keyBody}\n-----END ENCRYPTED PRIVATE KEY-----\n`,
  );
  snowflakeConfig("snowflake://acct/DB", {
    SNOWFLAKE_USER: "svc",
    SNOWFLAKE_PRIVATE_KEY_PATH: keyPath,
    SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: SENTINEL.passphrase,
  });
  assertEquals(scrubSecrets(`${SENTINEL.passphrase} / ${keyBody}`), "*** / ***");
});

// ------------------------------------------------------------ registration at interpolation

Deno.test("interpolation: ${VAR} values in credential positions are registered", async () => {
  const env = {
    K_SEC_PW: "Interp/Pw#1?x@y:z",
    K_SEC_TOKEN: "interp-token-value-1",
    K_SEC_HOOK: "https://hooks.example/services/T1/B1/InterpHookToken123",
    K_SEC_PLAIN: "plain-value-not-secret",
    K_SEC_PARAM: "param-secret-value-9",
  };
  await loadKontract({
    name: "k",
    description: "${K_SEC_PLAIN}",
    datasource: "postgres://u:${K_SEC_PW}@h/db/t?password=${K_SEC_PARAM}",
    rules: [{ name: "min_rows", params: { threshold: 1 }, context: { token: "${K_SEC_TOKEN}" } }],
    actions: { alert: { slack: { webhook_url: "${K_SEC_HOOK}" } } },
  }, { env });
  assertEquals(scrubSecrets(`a ${env.K_SEC_PW} b`), "a *** b");
  assertEquals(scrubSecrets(`a ${env.K_SEC_TOKEN} b`), "a *** b");
  assertEquals(scrubSecrets(`a ${env.K_SEC_PARAM} b`), "a *** b");
  assertEquals(scrubSecrets("POST /services/T1/B1/InterpHookToken123"), "POST ***");
  assertEquals(scrubSecrets(`a ${env.K_SEC_PLAIN} b`), `a ${env.K_SEC_PLAIN} b`);
});

// ------------------------------------------------------------ literal-secret warnings

Deno.test("literal secrets: every URI form is found; ${VAR} forms are not", () => {
  const found = findLiteralSecrets({
    empty_user: "postgres://:Hunter22@db/app",
    awkward: `postgres://bob:${SENTINEL.password}@db:5432/app/public.t`,
    query: "postgres://bob@db/app?password=Hunter22",
    token_param: "snowflake://acct/DB?token=Hunter22",
    api_key_param: "https://api.example/x?api_key=Hunter22",
    safe_user: "postgres://:${PW}@db/app",
    safe_query: "postgres://bob@db/app?password=${PW}",
    safe_awkward: "postgres://${U}:${PW}@db/app",
  });
  assertEquals(found, [
    { path: ["empty_user"], what: "a password in a URI" },
    { path: ["awkward"], what: "a password in a URI" },
    { path: ["query"], what: "a secret in a URI query (password=)" },
    { path: ["token_param"], what: "a secret in a URI query (token=)" },
    { path: ["api_key_param"], what: "a secret in a URI query (api_key=)" },
  ]);
});

/** A base with every kind of literal secret, and a Kontract extending it. */
async function writeExtending(dir: string): Promise<string> {
  pl.DataFrame({ id: pl.Series("id", [1, 2, 3], pl.Int64) }).writeParquet(join(dir, "d.parquet"));
  await writeText(
    dir,
    "base.yml",
    `name: base
datasource: postgres://:${SENTINEL.password}@db/app/public.t
actions:
  alert:
    slack:
      webhook_url: https://hooks.example/services/T0/B0/${SENTINEL.webhookToken}
rules:
  - name: min_rows
    params: { threshold: 10 }
    context:
      password: ${JSON.stringify(SENTINEL.password)}
      api_key: ${SENTINEL.apiToken}
      token: ${SENTINEL.awsToken}
`,
  );
  return await writeText(
    dir,
    "top.yml",
    "name: top\ndatasource: d.parquet\nextends: base.yml\nrules: []\n",
  );
}

Deno.test("literal secrets in an extends: base are warned about at base:line:col", async () => {
  await using dir = await tempDir();
  const top = await writeExtending(dir.path);
  const kontract = await loadKontract(top);
  const where = kontract.warnings.map((warning) => warning.replace(/^.*base\.yml:/, "base.yml:"));
  const advice = "; use ${VAR} and set it in the environment or .env";
  assertEquals(where, [
    "base.yml:2:13: datasource: a password in a URI" + advice,
    "base.yml:6:20: actions.alert.slack.webhook_url: a literal webhook_url" + advice,
    "base.yml:11:17: rules[0].context.password: a literal password" + advice,
    "base.yml:12:16: rules[0].context.api_key: a literal api_key" + advice,
    "base.yml:13:14: rules[0].context.token: a literal token" + advice,
  ]);
  assertNoLeak({ warnings: kontract.warnings.join("\n") }, [
    SENTINEL.password,
    SENTINEL.webhookToken,
    SENTINEL.apiToken,
    SENTINEL.awsToken,
  ]);
});

Deno.test("a base's literal secret never reaches the result JSON", async () => {
  await using dir = await tempDir();
  const top = await writeExtending(dir.path);
  const warnings: string[] = [];
  const result = await validate(top, { env: {}, onWarning: (w) => warnings.push(w) });
  assertEquals(result.results[0].context, {
    password: "***",
    api_key: "***",
    token: "***",
  });
  assertEquals(warnings.length, 5);
  assertNoLeak({ json: result.toJsonText(), warnings: warnings.join("\n") }, [
    SENTINEL.password,
    SENTINEL.apiToken,
    SENTINEL.awsToken,
  ]);
});

// ------------------------------------------------------------ errors that echo input

Deno.test("a YAML alias error in an extends: file does not echo the alias name", async () => {
  await using dir = await tempDir();
  await writeText(dir.path, "base.yml", "name: base\nrules:\n  - *Al1as-S3cret-Name\n");
  const top = await writeText(dir.path, "top.yml", "name: top\nextends: base.yml\n");
  try {
    await loadKontract(top, { env: {} });
    assert.fail("loaded an unresolved alias");
  } catch (error) {
    assert.ok(error instanceof KontractError, String(error));
    assert.match(error.message, /base\.yml:3:5: invalid YAML: an alias \(\*name\) refers to no/);
    assert.ok(!error.message.includes("Al1as-S3cret-Name"), error.message);
  }
});

Deno.test("a Dagster context file's content is never echoed in an error", async () => {
  await using dir = await tempDir();
  const path = await writeText(dir.path, "context.json", `${SENTINEL.apiToken} {"asset_keys"`);
  for (const params of [{ path }, { path: join(dir.path, "missing.json") }]) {
    try {
      await loadContext(params);
      assert.fail("loaded a bad context");
    } catch (error) {
      assert.ok(error instanceof DagsterPipesError, String(error));
      assert.match(error.message, /context file .* (is not valid JSON|no such file)/);
      assert.ok(!error.message.includes(SENTINEL.apiToken.slice(0, 6)), error.message);
    }
  }
});
