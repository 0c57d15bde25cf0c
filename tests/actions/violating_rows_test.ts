/**
 * How sources yield violating rows: hash-partitioned duplicate values, sources that
 * stream ordered batches themselves (databases), sources that can do neither, and
 * custom SQL rows that cannot be traced.
 */
import pl, { type DataFrame } from "nodejs-polars";
import { type Kontract, validate } from "../../mod.ts";
import { runQuarantine } from "../../src/actions/quarantine.ts";
import { duplicatedValues } from "../../src/engine/measures/duplicates.ts";
import type { ViolatingRowsRequest } from "../../src/sources/violating_rows.ts";
import type { ResultDocument } from "../../src/report/result.ts";
import type { Source } from "../../src/sources/source.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { listFiles, shopFrame, shopKontract, writeShop } from "./fixtures.ts";

Deno.test("duplicated values are the same in one pass and in hash partitions", () => {
  const frame = pl.DataFrame({
    v: ["a", "b", "a", null, "c", "b", null, "d", "a", "e", "f", "f"],
  });
  const sorted = (values: unknown[]) => [...values].sort();
  const single = duplicatedValues(() => frame.lazy(), "v", frame.height, 1_000);
  const partitioned = duplicatedValues(() => frame.lazy(), "v", frame.height, 2);
  assertEquals(sorted(single.toArray()), ["a", "b", "f"]);
  assertEquals(sorted(partitioned.toArray()), ["a", "b", "f"]);
});

/** A source without `scan()` that streams its violating rows in batches, like a database. */
function streamingSource(batches: DataFrame[], seen: ViolatingRowsRequest[]): Source {
  const frame = shopFrame();
  return {
    uri: "fakedb://shop",
    schema: () =>
      Promise.resolve({
        columns: frame.columns.map((name, i) => ({ name, dtype: String(frame.dtypes[i].variant) })),
      }),
    identity: () => Promise.resolve("snapshot-42"),
    violatingRows(request: ViolatingRowsRequest) {
      seen.push(request);
      return Promise.resolve({
        kind: "batches" as const,
        notes: ["DATASET:custom_sql_check: skipped: not traced here"],
        batches: (async function* () {
          yield* batches;
        })(),
      });
    },
  } as Source;
}

/** A validation result for the shop Kontract, measured on the local files. */
async function shopResult(
  dir: string,
): Promise<{ document: ResultDocument; kontract: Kontract }> {
  const data = await writeShop(`${dir}/data`);
  const result = await validate(shopKontract(), { data, actions: false });
  return { document: result.document, kontract: result.kontract };
}

Deno.test("a source that can neither scan nor stream rows fails the quarantine", async () => {
  await using tmp = await tempDir();
  const { document, kontract } = await shopResult(tmp.path);
  const source = { uri: "opaque://x", schema: streamingSource([], []).schema } as Source;
  const error = await runQuarantine({
    kontract,
    document,
    source,
    config: { location: `${tmp.path}/dlq`, format: "parquet" },
  }).catch((e) => e);
  assertEquals(error.message, "opaque://x: this source cannot yield its rows for quarantine");
  assertEquals(await listFiles(`${tmp.path}/dlq`), [], "the staging directory is gone");
});

Deno.test("custom SQL rows that match no source row are skipped, not written", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = {
    name: "shop",
    rules: [{
      name: "custom_sql_check",
      params: { sql: "SELECT 99::BIGINT AS id, 'z' AS email, 'US' AS country" },
    }],
  };
  const result = await validate(kontract, { data, actions: false });
  assertEquals(result.results[0].failed_count, 1);
  const action = await result.quarantine({ location: `${tmp.path}/dlq` });
  assertEquals(action, {
    action: "quarantine",
    status: "skipped",
    rows: 0,
    message: "no violating rows could be traced",
  });
  assertEquals(await listFiles(`${tmp.path}/dlq`), []);
});

Deno.test("custom SQL returning columns of another type cannot be traced", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  const kontract = {
    name: "shop",
    rules: [
      { name: "not_null", params: { column: "email" } },
      {
        name: "custom_sql_check",
        params: { sql: "SELECT 'not a number' AS id, email, country FROM {table} WHERE id = 1" },
      },
    ],
  };
  const result = await validate(kontract, { data, actions: false });
  const action = await result.quarantine({ location: `${tmp.path}/dlq` });
  assertEquals(action.rows, 2);
  assert(
    action.message?.startsWith(
      "DATASET:custom_sql_check: skipped: its rows cannot be traced: their types differ",
    ),
    action.message,
  );
});
