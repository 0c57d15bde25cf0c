/**
 * `allowed_values` on a Float64 column counts the same on the scan tier (a Parquet file,
 * Polars) and the SQL tier (PostgreSQL), for the values whose reading used to be easy to
 * get wrong: "Infinity", "-Infinity", "NaN", "inf", text beyond the float range
 * ("1e309"), -0, and plain numbers as numbers and as text. Both tiers read each value
 * with core/dtypes.ts's `coerceLiteral`; the counts are also checked against the data's
 * construction, so both tiers cannot agree on a wrong answer.
 * @module
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import type postgres from "postgres";
import { validate } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";

// Each value several times over, NULLs between them.
const VALUES = [0, -0, 1.5, 2.25, 1e308, -7, NaN, Infinity, -Infinity, null];
const ROWS = Array.from({ length: 50 }, (_, i) => VALUES[i % VALUES.length]);

type Listed = string | number | boolean;

/** Rule id → [values listed, which stored values they allow]. */
const CASES: Record<string, [Listed[], (v: number) => boolean]> = {
  infinity: [["Infinity"], (v) => v === Infinity],
  minus_infinity: [["-Infinity"], (v) => v === -Infinity],
  nan: [["NaN"], (v) => Number.isNaN(v)],
  inf: [["inf"], (v) => v === Infinity],
  signed_spellings: [["+INF", "-inf", "-nan"], (v) => !Number.isFinite(v)],
  // Beyond the float range: no float equals it, on either tier.
  overflow: [["1e309", "-1e309"], () => false],
  numbers: [[1.5, "2.25", "-0", 1e308], (v) => [0, 1.5, 2.25, 1e308].includes(v)],
  mixed: [
    ["Infinity", "-Infinity", "NaN", "1e309", "inf", -7, "abc", true, " 1.5"],
    (v) => !Number.isFinite(v) || v === -7,
  ],
};

/** Non-null values the list does not allow, by construction. */
function expected(allowed: (v: number) => boolean): number {
  return ROWS.filter((v) => v !== null && !allowed(v)).length;
}

function kontract(datasource: string) {
  return {
    name: "float_values_tiers",
    datasource,
    rules: Object.entries(CASES).map(([id, [values]]) => ({
      id,
      name: "allowed_values",
      params: { column: "r", values },
    })),
  };
}

const EXPECTED = Object.entries(CASES).map(([id, [, allowed]]) => [id, expected(allowed)]);

function countsOf(result: Awaited<ReturnType<typeof validate>>): (string | number)[][] {
  return result.results.map((rule) => [rule.rule_id, rule.failed_count]);
}

Deno.test("the float cases are not vacuous", () => {
  for (const [id, count] of EXPECTED) {
    assert((count as number) > 0 && (count as number) <= ROWS.length, `${id}: ${count}`);
  }
});

Deno.test("Parquet (scan tier): float values count as constructed", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "floats.parquet");
  pl.DataFrame([pl.Series("r", ROWS).cast(pl.Float64)]).writeParquet(parquet);
  for (const metadata of [true, false]) {
    const result = await validate(kontract(parquet), { metadata });
    assertEquals(countsOf(result), EXPECTED);
    assert(result.results.every((rule) => rule.execution_source !== "sql"));
  }
});

Deno.test(pgTest("PostgreSQL (SQL tier): float values count like the scan"), async () => {
  const pg = requirePostgres();
  await using schema = await tempSchema(pg);
  const table = `"${schema.name}".floats`;
  await pg.sql.unsafe(`CREATE TABLE ${table} (r double precision)`);
  // NaN and the infinities travel as their text, which float8 reads.
  const placeholders = ROWS.map((_, i) => `($${i + 1}::float8)`).join(", ");
  const params = ROWS.map((v) => v === null ? null : String(v));
  await pg.sql.unsafe(
    `INSERT INTO ${table} VALUES ${placeholders}`,
    params as postgres.ParameterOrJSON<never>[],
  );
  const [{ n }] = await pg.sql.unsafe(`SELECT count(*)::int AS n FROM ${table} WHERE r = 'NaN'`);
  assertEquals(n, ROWS.filter((v) => Number.isNaN(v)).length); // the data arrived as built
  const result = await validate(kontract(`${pg.url}/${schema.name}.floats`), { env: {} });
  assertEquals(countsOf(result), EXPECTED);
  assert(result.results.every((rule) => rule.execution_source === "sql"));
});
