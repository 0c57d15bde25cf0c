/** An action whose variable is unset fails alone; validation and --no-actions are unaffected. */
import { assert, assertEquals } from "../support/assert.ts";
import { validate } from "../../mod.ts";
import { runCli } from "../support/cli.ts";
import { peopleFrame, tempDir, writeBoth } from "../support/fixtures.ts";

async function kontractWithUnsetWebhook(dir: string): Promise<string> {
  const { parquet } = writeBoth(peopleFrame(), dir, "people");
  const path = `${dir}/k.yml`;
  await Deno.writeTextFile(
    path,
    `name: k\ndatasource: ${parquet}\nrules:\n  - { name: not_null, params: { column: email } }\n` +
      "actions:\n  alert:\n    slack:\n      webhook_url: ${KONTRA_TEST_UNSET_WEBHOOK}\n",
  );
  return path;
}

Deno.test("an unset action variable fails that action, naming it; the validation stands", async () => {
  await using dir = await tempDir();
  const path = await kontractWithUnsetWebhook(dir.path);
  const result = await validate(path, { env: {} });
  assertEquals(result.passed, false);
  assertEquals(result.results[0].failed_count, 2);
  const [alert] = result.document.actions!;
  assertEquals([alert.action, alert.status], ["alert", "failed"]);
  assert.match(
    alert.error!,
    /k\.yml:8:20: environment variable KONTRA_TEST_UNSET_WEBHOOK is not set/,
  );
});

Deno.test("--no-actions validates a Kontract whose action variable is unset", async () => {
  await using dir = await tempDir();
  const path = await kontractWithUnsetWebhook(dir.path);
  const run = await runCli(["validate", path, "--no-actions"]);
  assertEquals(run.code, 1);
  assertEquals(run.stderr, "");
});
