/**
 * `--timings` on a database tells the truth about where the time went: the duration
 * includes connecting and finding the table (phase `open`), and the round trips are
 * counted as documented (one per statement, two for one with bound parameters).
 */
import { validate } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { peopleFrame } from "../support/fixtures.ts";
import { loadFrame, pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";

Deno.test(pgTest("PostgreSQL --timings: connecting is part of the duration"), async () => {
  const pg = requirePostgres();
  await using schema = await tempSchema(pg);
  await loadFrame(pg, schema.name, "people", peopleFrame());
  const result = await validate({
    name: "timed",
    datasource: `${pg.url}/${schema.name}.people`,
    rules: [
      { name: "not_null", params: { column: "email" } },
      { name: "unique", params: { column: "email" } },
    ],
  }, { timings: true, onWarning: () => {} });
  const stats = result.document.stats!;
  const phases = Object.values(stats.phases_ms).reduce((sum, ms) => sum + ms, 0);
  assert(stats.phases_ms.open > 0, JSON.stringify(stats.phases_ms));
  assert(stats.duration_ms + 0.5 >= phases, `${stats.duration_ms} ≥ ${phases}`);
  assert(stats.duration_ms >= stats.phases_ms.open);
  // The catalog lookup (bound parameters: 2) and the one pushed-down statement (1).
  assertEquals(stats.sql?.length, 2);
  assert(/information_schema\.columns/.test(stats.sql![0]));
  assertEquals(stats.sql_round_trips, 3);
});
