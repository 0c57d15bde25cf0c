/** Literal secrets in a Kontract produce a warning that points at them and never repeats them. */
import { assert, assertEquals } from "../support/assert.ts";
import { loadKontract } from "../../mod.ts";
import { findLiteralSecrets } from "../../src/kontract/secrets.ts";
import { tempDir } from "../support/fixtures.ts";

Deno.test("a password in a URI and literal key/token fields are found; ${VAR} is not", () => {
  const found = findLiteralSecrets({
    datasource: "postgres://bob:hunter2@db:5432/app/public.users",
    safe: "postgres://bob:${PGPASSWORD}@db:5432/app/public.users",
    actions: { alert: { slack: { webhook_url: "https://hooks.example/T0/B0/X" } } },
    params: { aws_secret_access_key: "abc", api_key: "${API_KEY}", token: "" },
    rules: [{ name: "regex", params: { column: "password", pattern: "x" } }],
  });
  assertEquals(found, [
    { path: ["datasource"], what: "a password in a URI" },
    { path: ["actions", "alert", "slack", "webhook_url"], what: "a literal webhook_url" },
    { path: ["params", "aws_secret_access_key"], what: "a literal aws_secret_access_key" },
  ]);
});

Deno.test("loading warns with file:line:col and without the secret", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/k.yml`;
  await Deno.writeTextFile(
    path,
    "name: k\ndatasource: s3://lake/x.parquet\nrules: []\nactions:\n  alert:\n    slack:\n" +
      "      webhook_url: https://hooks.example/T0/B0/SECRETPART\n",
  );
  const kontract = await loadKontract(path);
  assertEquals(kontract.warnings.length, 1);
  assert.match(kontract.warnings[0], /k\.yml:7:20: actions\.alert\.slack\.webhook_url: a literal/);
  assert.ok(!kontract.warnings[0].includes("SECRETPART"));
  const clean = await loadKontract({ name: "k", datasource: "s3://lake/x.parquet", rules: [] });
  assertEquals(clean.warnings, []);
});
