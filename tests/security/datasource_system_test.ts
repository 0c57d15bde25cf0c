/**
 * A Kontract author may not point the datasource itself at system data: the rules'
 * counts are harmless, but a quarantine would copy password hashes or account usage
 * into a location the author can read. Refused as a Kontract error (exit 2) before any
 * row is read, whatever the spelling; the quarantine location stays empty.
 */
import { KontraError, validate } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { pgTest, requirePostgres } from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

/** Row rules that would fail on any table, and a quarantine that would copy its rows. */
function kontract(datasource: unknown, dlq: string): Record<string, unknown> {
  return {
    name: "system",
    datasource,
    rules: [{ name: "max_rows", params: { threshold: 0 } }],
    actions: { quarantine: { location: dlq } },
  };
}

async function assertRefused(
  datasource: unknown,
  env?: Record<string, string>,
  why = /may not read system catalogs/,
): Promise<void> {
  await using tmp = await tempDir();
  const dlq = `${tmp.path}/dlq`;
  let error: unknown;
  try {
    await validate(kontract(datasource, dlq), env ? { env } : {});
  } catch (caught) {
    error = caught;
  }
  assert(error instanceof KontraError, `refused: ${JSON.stringify(datasource)}: ${error}`);
  assert(why.test(error.message), error.message);
  assertEquals(error.exitCode, 2);
  await Deno.stat(dlq).then(
    () => assert(false, "nothing was quarantined"),
    () => {},
  );
}

Deno.test(pgTest("PostgreSQL: a datasource in a system schema is refused"), async () => {
  const { url } = requirePostgres();
  for (
    const table of [
      "pg_catalog.pg_authid",
      "pg_catalog.pg_class",
      "PG_CATALOG.PG_AUTHID",
      "information_schema.columns",
      "information_schema.role_table_grants",
    ]
  ) {
    await assertRefused(`${url}/${table}`);
  }
});

Deno.test(
  pgTest("PostgreSQL: an unqualified catalog name is looked up in public, not pg_catalog"),
  async () => {
    const { url } = requirePostgres();
    for (const table of ["pg_authid", "pg_shadow", "pg_settings"]) {
      await assertRefused(`${url}/${table}`, undefined, /table not found/);
    }
  },
);

Deno.test("Snowflake: the SNOWFLAKE database and INFORMATION_SCHEMA are refused before connecting", async () => {
  await withSnowflake(async (sf) => {
    const before = sf.server.requests.length;
    const base = `snowflake://${sf.server.account}`;
    for (
      const path of [
        "SNOWFLAKE/ACCOUNT_USAGE/LOGIN_HISTORY",
        "snowflake/account_usage/query_history",
        "KONTRA/INFORMATION_SCHEMA/TABLES",
        "KONTRA/information_schema/columns",
      ]
    ) {
      await assertRefused(`${base}/${path}?warehouse=TEST_WH`, sf.env);
    }
    // A query: resolves unqualified names in the namespace the URI names.
    for (const path of ["SNOWFLAKE/ACCOUNT_USAGE", "KONTRA/INFORMATION_SCHEMA"]) {
      await assertRefused(
        { connection: `${base}/${path}?warehouse=TEST_WH`, query: "SELECT * FROM LOGIN_HISTORY" },
        sf.env,
      );
    }
    assertEquals(sf.server.requests.length, before, "no request reached the server");
  });
});
