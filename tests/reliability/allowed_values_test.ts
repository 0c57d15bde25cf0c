/**
 * `allowed_values` at scale and at its edges, on every tier: lists of 10,000 values on
 * Parquet, CSV, S3 (s3rver), PostgreSQL and the Snowflake test server count exactly what
 * the data holds by construction; mixed-type lists, NaN, the infinities, -0.0, quotes and
 * unicode, the empty list and NULLs count the same on the scan and SQL tiers. The work
 * grows linearly with the list: the Polars expression has the same shape for 100 values
 * or 10,000, and SQL cuts long lists into IN lists Snowflake accepts. No timings.
 */
import { join } from "node:path";
import pl, { type DataFrame } from "nodejs-polars";
import type postgres from "postgres";
import { explain, validate } from "../../mod.ts";
import { allowedCountries, type AllowedValuesReport } from "../../bench/allowed_values.ts";
import { allowedValuesFigures, regressions } from "../../bench/ci.ts";
import allowedValues from "../../src/rules/allowed_values.ts";
import type { ViolationsMeasure } from "../../src/rules/define.ts";
import { typedValues } from "../../src/rules/literals.ts";
import { LARGEST_IN_LIST, sqlInList } from "../../src/rules/sql_values.ts";
import { postgresDialect } from "../../src/databases/postgres/dialect.ts";
import { snowflakeDialect } from "../../src/databases/snowflake/dialect.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { assertOneLineError, runCliProcess } from "../support/cli.ts";
import { tempDir } from "../support/fixtures.ts";
import { pgTest, requirePostgres, tempSchema, type TestPostgres } from "../support/postgres.ts";
import { startS3Server } from "../support/s3_server.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

const ROWS = 15_000;
const SKUS = 12_500; // sku = SKU-(i % SKUS): the list allows the first 10,000
const CODES = 12_000; // code = i % CODES: the list allows 0…9,999
const RATIOS = [0, -0, NaN, Infinity, -Infinity, 1.5, 2.25, null];
// Quotes, backslashes, regex and SQL metacharacters, unicode, whitespace.
const LABELS = [
  "O'Brien",
  'say "hi"',
  "back\\slash",
  "a.b",
  "(x)|[y]",
  "^$*+?{}",
  "日本",
  "ünï",
  "tab\there",
  " padded ",
  "50%_off",
  "-- not a comment",
  "line\nbreak",
];

const isNull = (i: number, every: number) => i % every === 0;
const sku = (i: number) => isNull(i, 97) ? null : `SKU-${i % SKUS}`;
const code = (i: number) => isNull(i, 89) ? null : i % CODES;
const ratio = (i: number) => RATIOS[i % RATIOS.length];
const label = (i: number) => isNull(i, 101) ? null : LABELS[i % LABELS.length];

/** The dataset, every value placed by formula. */
function frame(): DataFrame {
  const rows = Array.from({ length: ROWS }, (_, i) => i);
  return pl.DataFrame([
    pl.Series("id", rows, pl.Int64),
    pl.Series("sku", rows.map(sku), pl.Utf8),
    // Cast after building: nodejs-polars turns NULL into 0 when a dtype is given up front.
    pl.Series("code", rows.map(code)).cast(pl.Int64),
    pl.Series("ratio", rows.map(ratio)).cast(pl.Float64),
    pl.Series("label", rows.map(label), pl.Utf8),
  ]);
}

/** The count of non-null values `allowed` refuses, by construction. */
function expected<T>(value: (i: number) => T | null, allowed: (v: T) => boolean): number {
  let count = 0;
  for (let i = 0; i < ROWS; i++) {
    const v = value(i);
    if (v !== null && !allowed(v)) count++;
  }
  return count;
}

const tenThousandSkus = Array.from({ length: 10_000 }, (_, k) => `SKU-${k}`);
// Integers as numbers and as text, plus values no integer equals: 10,000 integers in all.
const tenThousandCodes: (string | number | boolean)[] = [
  ...Array.from({ length: 10_000 }, (_, k) => k % 3 === 0 ? String(k) : k),
  "abc",
  1.5,
  true,
  "0x10",
];
const manyRatios = [...Array.from({ length: 40 }, (_, k) => k + 0.125), "NaN", 1.5];
const fillers = Array.from({ length: 30 }, (_, k) => `filler ${k}`);

/** Rule id → [params, expected failed_count]. */
const CASES: Record<string, [Record<string, unknown>, number]> = {
  sku_10000: [
    { column: "sku", values: tenThousandSkus },
    expected(sku, (v) => Number(v.slice(4)) < 10_000),
  ],
  code_10000: [
    { column: "code", values: tenThousandCodes },
    expected(code, (v) => v < 10_000),
  ],
  // [20, "30"] means 20 and 30; "1e1" is 10; " 40", "0x10", 1.5, true and "abc" no integer.
  code_mixed: [
    { column: "code", values: [20, "30", "abc", true, 1.5, "0x10", " 40", "1e1"] },
    expected(code, (v) => [10, 20, 30].includes(v)),
  ],
  ratio_nan: [{ column: "ratio", values: ["NaN"] }, expected(ratio, (v) => Number.isNaN(v))],
  ratio_infinities: [
    { column: "ratio", values: ["Infinity", "-inf"] },
    expected(ratio, (v) => !Number.isFinite(v) && !Number.isNaN(v)),
  ],
  ratio_zero: [{ column: "ratio", values: [0] }, expected(ratio, (v) => v === 0)],
  ratio_negative_zero: [{ column: "ratio", values: ["-0.0"] }, expected(ratio, (v) => v === 0)],
  // Beyond the float range, or no number: equals nothing.
  ratio_never: [{ column: "ratio", values: ["1e400", "abc", true] }, expected(ratio, () => false)],
  ratio_many: [
    { column: "ratio", values: manyRatios },
    expected(ratio, (v) => Number.isNaN(v) || v === 1.5),
  ],
  label_few: [
    { column: "label", values: LABELS.slice(0, 7) },
    expected(label, (v) => LABELS.slice(0, 7).includes(v)),
  ],
  label_many: [
    { column: "label", values: [...LABELS.slice(3), ...fillers] },
    expected(label, (v) => LABELS.slice(3).includes(v)),
  ],
  label_empty_list: [{ column: "label", values: [] }, expected(label, () => false)],
  // Numbers on a text column compare as their text.
  sku_numbers: [{ column: "sku", values: [1, 2.5, true] }, expected(sku, () => false)],
};

function kontract(datasource: string) {
  return {
    name: "allowed_values_at_scale",
    datasource,
    rules: [
      ...Object.entries(CASES).map(([id, [params]]) => ({ id, name: "allowed_values", params })),
      // An unaffected rule next to them.
      { id: "ids", name: "not_null", params: { column: "id" } },
    ],
  };
}

const EXPECTED = [...Object.entries(CASES).map(([id, [, count]]) => [id, count]), ["ids", 0]];

function countsOf(result: Awaited<ReturnType<typeof validate>>): (string | number)[][] {
  return result.results.map((rule) => [rule.rule_id, rule.failed_count]);
}

Deno.test("the cases are not vacuous: each list matches some rows and misses others", () => {
  for (const [id, [, count]] of Object.entries(CASES)) {
    assert(count > 0 && count < ROWS, `${id}: ${count}`);
  }
  assertEquals(CASES.sku_10000[1], 2_475);
  assertEquals(CASES.ratio_zero[1], CASES.ratio_negative_zero[1]);
});

Deno.test("Parquet and CSV: 10,000-value lists and edge values count as constructed", async (t) => {
  await using dir = await tempDir();
  const data = frame();
  const parquet = join(dir.path, "items.parquet");
  const csv = join(dir.path, "items.csv");
  data.writeParquet(parquet);
  data.writeCSV(csv);
  for (const path of [parquet, csv]) {
    await t.step(path.endsWith(".csv") ? "CSV" : "Parquet", async () => {
      for (const metadata of [true, false]) {
        const result = await validate(kontract(path), { metadata });
        assertEquals(countsOf(result), EXPECTED);
        assert(result.results.every((rule) => rule.execution_source !== "sql"));
      }
    });
  }
});

Deno.test("S3: a 10,000-value list counts like the local file", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "items.parquet");
  frame().writeParquet(parquet);
  const server = await startS3Server();
  try {
    await server.createBucket("lists");
    await server.putFile("lists", "items.parquet", parquet);
    const env = server.env();
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, Deno.env.get(key)]));
    for (const [key, value] of Object.entries(env)) Deno.env.set(key, value);
    try {
      const result = await validate(kontract("s3://lists/items.parquet"), { metadata: false });
      assertEquals(countsOf(result), EXPECTED);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) Deno.env.delete(key);
        else Deno.env.set(key, value);
      }
    }
  } finally {
    await server.close();
  }
});

/** Inserts the frame in batches (PostgreSQL takes at most 65,535 parameters a statement). */
async function loadItems(pg: TestPostgres, schema: string): Promise<void> {
  const table = `"${schema}".items`;
  await pg.sql.unsafe(
    `CREATE TABLE ${table} (id bigint, sku text, code bigint, ratio double precision, label text)`,
  );
  const rows = frame().rows();
  for (let start = 0; start < rows.length; start += 5_000) {
    const batch = rows.slice(start, start + 5_000);
    const placeholders = batch.map((row, r) =>
      `(${
        row.map((_, c) =>
          `$${r * row.length + c + 1}::${["bigint", "text", "bigint", "float8", "text"][c]}`
        ).join(", ")
      })`
    );
    // NaN and the infinities travel as their text, which float8 reads.
    const values = batch.flat().map((v) =>
      typeof v === "number" && !Number.isFinite(v) ? String(v) : v
    );
    await pg.sql.unsafe(
      `INSERT INTO ${table} VALUES ${placeholders.join(", ")}`,
      values as postgres.ParameterOrJSON<never>[],
    );
  }
}

Deno.test(pgTest("PostgreSQL: 10,000-value lists push down and count like the scan"), async () => {
  const pg = requirePostgres();
  await using schema = await tempSchema(pg);
  await loadItems(pg, schema.name);
  const result = await validate(kontract(`${pg.url}/${schema.name}.items`), { env: {} });
  assertEquals(countsOf(result), EXPECTED);
  assert(result.results.every((rule) => rule.execution_source === "sql"));
});

Deno.test("Snowflake test server: 10,000-value lists push down and count like the scan", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "items.parquet");
  frame().writeParquet(parquet);
  await withSnowflake(async (sf) => {
    await sf.loadParquet("ITEMS", parquet);
    const result = await validate(kontract(sf.tableUri("ITEMS")), { env: sf.env });
    assertEquals(countsOf(result), EXPECTED);
    assert(result.results.every((rule) => rule.execution_source === "sql"));
  });
});

Deno.test("the CLI: a 10,000-value list fails with its count, exit 1, nothing left in TMPDIR", async () => {
  await using dir = await tempDir();
  const tmp = join(dir.path, "tmp");
  await Deno.mkdir(tmp);
  const parquet = join(dir.path, "items.parquet");
  frame().writeParquet(parquet);
  const path = join(dir.path, "kontract.yml");
  await Deno.writeTextFile(path, JSON.stringify(kontract(parquet))); // JSON is YAML
  const run = await runCliProcess(["validate", path, "-o", "json"], { env: { TMPDIR: tmp } });
  assertEquals(run.code, 1, run.stderr);
  const document = JSON.parse(run.stdout);
  assertEquals(
    document.results.map((rule: { rule_id: string; failed_count: number }) => [
      rule.rule_id,
      rule.failed_count,
    ]),
    EXPECTED,
  );
  assertEquals([...Deno.readDirSync(tmp)], []);
});

Deno.test("a list on a column of lists is a Kontract error naming the rule", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "tags.parquet");
  pl.DataFrame({ tags: [["a"], ["b", "c"]] }).writeParquet(parquet);
  const path = join(dir.path, "kontract.yml");
  await Deno.writeTextFile(
    path,
    [
      "name: tags",
      `datasource: ${JSON.stringify(parquet)}`,
      "rules:",
      "  - name: allowed_values",
      "    params: { column: tags, values: [a, b] }",
      "",
    ].join("\n"),
  );
  const run = await runCliProcess(["validate", path]);
  assertOneLineError(run, 2, /kontract\.yml:4:\d+.*allowed_values cannot check column "tags"/);
});

Deno.test("quarantine selects the rows of long lists with the same predicate, in order", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "items.parquet");
  frame().writeParquet(parquet);
  const rules = ["sku_10000", "code_10000"].map((id) => ({
    id,
    name: "allowed_values",
    params: CASES[id][0],
  }));
  const result = await validate({ name: "q", datasource: parquet, rules }, { actions: false });
  const action = await result.quarantine({ location: join(dir.path, "dlq") });
  assertEquals(action.rows, CASES.sku_10000[1] + CASES.code_10000[1]);
  const rows = pl.readParquet(`${action.location}part-00000.parquet`);
  assertEquals(rows.columns, [...frame().columns, "_violated_rule_id", "_error_reason"]);
  const ids = rows.getColumn("id").toArray() as number[];
  assert(ids.every((id, index) => index === 0 || ids[index - 1] <= id), "source order");
  const bySku = rows.filter(pl.col("_violated_rule_id").eq(pl.lit("sku_10000")));
  assert(
    (bySku.getColumn("sku").toArray() as string[]).every((v) => Number(v.slice(4)) >= 10_000),
  );
});

/** The predicate of an allowed_values rule, as Polars prints it. */
function scanPredicate(
  values: (string | number | boolean)[],
  dtype: string,
): { text: string; joins: number } {
  const measure = allowedValues.measure({ column: "c", values }) as ViolationsMeasure;
  const info = { name: "c", dtype };
  return {
    text: String(measure.polars(info)),
    joins: measure.valueSets?.(info).length ?? 0,
  };
}

Deno.test("the scan expression keeps its shape from 100 to 10,000 values", () => {
  const count = (text: string, part: string) => text.split(part).length - 1;
  for (const dtype of ["Int64", "Float64"]) {
    const small = scanPredicate(Array.from({ length: 100 }, (_, k) => k), dtype);
    const large = scanPredicate(Array.from({ length: 10_000 }, (_, k) => k), dtype);
    // One join and the same expression: only the set's name differs.
    assertEquals([small.joins, large.joins], [1, 1]);
    assertEquals(small.text.length, large.text.length);
    assert(large.text.length < 200, large.text);
  }
  const small = scanPredicate(tenThousandSkus.slice(0, 100), "String");
  const large = scanPredicate(tenThousandSkus, "String");
  // One text match: the pattern holds the values once, no expression per value.
  for (const part of ['col("c")', "==", "is_in", "replace"]) {
    assertEquals(count(large.text, part), count(small.text, part), part);
  }
  assertEquals(count(large.text, 'col("c")'), 2);
  const listed = tenThousandSkus.join("|").length;
  // Linear: each value once, with its escapes.
  assert(large.text.length < listed * 1.25 + 100, `${large.text.length} for ${listed}`);
});

Deno.test("SQL: long lists are IN lists Snowflake accepts, in text that grows linearly", () => {
  const values = Array.from({ length: 25_000 }, (_, k) => `v${k}`);
  for (const dialect of [postgresDialect, snowflakeDialect]) {
    const sql = sqlInList(dialect, '"c"', values, "String")!;
    const lists = sql.split(" IN (").slice(1).map((list) => list.split(", ").length);
    assertEquals(lists, [LARGEST_IN_LIST, LARGEST_IN_LIST, 5_000]);
    assert(LARGEST_IN_LIST <= 16_384); // Snowflake's limit on one list
    assert(sql.length < values.join("', '").length * 1.25 + 200, `${sql.length}`);
  }
  // NaN and the infinities are typed casts beside the list; -0 is 0.
  assertEquals(
    sqlInList(postgresDialect, '"r"', [1.5, "NaN", "-Infinity", -0, "abc"], "Float64"),
    `("r" IN (1.5, 0) OR "r" IS NOT DISTINCT FROM CAST(E'NaN' AS DOUBLE PRECISION) OR ` +
      `"r" IS NOT DISTINCT FROM CAST(E'-inf' AS DOUBLE PRECISION))`,
  );
  assertEquals(sqlInList(postgresDialect, '"i"', ["Infinity", "NaN", "x"], "Int64"), undefined);
  assertEquals(
    sqlInList(snowflakeDialect, '"d"', [1.5, "2"], "Decimal"),
    `CAST("d" AS DOUBLE PRECISION) IN (1.5, 2)`,
  );
});

Deno.test("one reading of a list for both tiers: integers, floats, text, booleans", () => {
  assertEquals(typedValues([20, "30", "abc", true, 1.5, " 40", "0x10", "1e1", -0], "Int64"), {
    compare: "integer",
    values: [20, 30, 10, 0],
  });
  assertEquals(typedValues([300, -1, 255, "7"], "UInt8"), { compare: "integer", values: [255, 7] });
  const floats = typedValues(
    ["NaN", "nan", "inf", "-Infinity", "+inf", 0, "-0", "1e400"],
    "Float32",
  );
  assertEquals(floats.compare, "float");
  assertEquals(floats.values.length, 4); // NaN, Infinity, -Infinity, 0
  assertEquals(typedValues(["NaN", "inf", 2], "Decimal"), { compare: "decimal", values: [2] });
  assertEquals(typedValues([true, "false", "yes", 1], "Bool"), {
    compare: "boolean",
    values: [true, false],
  });
  assertEquals(typedValues([1, 1.5, true, "x"], "Utf8"), {
    compare: "text",
    values: ["1", "1.5", "true", "x"],
  });
  assertEquals(typedValues(["2024-01-01", 3], "Date"), {
    compare: "column_text",
    values: ["2024-01-01", "3"],
  });
});

Deno.test("--explain shows a long list as one join, in a line that does not grow", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "items.parquet");
  frame().writeParquet(parquet);
  const hows = [];
  for (const size of [100, 10_000]) {
    const values = Array.from({ length: size }, (_, k) => k);
    const explanation = await explain({
      name: "e",
      datasource: parquet,
      rules: [{ id: "codes", name: "allowed_values", params: { column: "code", values } }],
    });
    const [rule] = explanation.rules;
    assertEquals(rule.tier, "scan");
    assert(rule.how.endsWith(`one hash join with ${size} values)`), rule.how);
    hows.push(rule.how.length);
  }
  assert(hows[1] - hows[0] <= 3 && hows[1] < 300, `${hows}`);
});

Deno.test("bench:ci guards 10,000 allowed values against 5 in the same run", async () => {
  const baseline = JSON.parse(
    await Deno.readTextFile(new URL("../../bench/baseline.json", import.meta.url)),
  ).figures as Record<string, number>;
  const base = baseline.allowed_values_10000_vs_5;
  assert(base >= 1 && base < 2, `${base}`);
  const figure = (ratio: number) =>
    allowedValuesFigures({ ratio_largest_vs_smallest: ratio } as AllowedValuesReport);
  assertEquals(regressions(figure(base), { allowed_values_10000_vs_5: base }), []);
  // An expression per value (seconds where 5 values take one) fails the guard.
  assertEquals(regressions(figure(40), { allowed_values_10000_vs_5: base }).length, 1);
  const countries = allowedCountries(10_000);
  assertEquals([countries.length, new Set(countries).size], [10_000, 10_000]);
  assertEquals(allowedCountries(5), ["US", "DE", "FR", "JP", "BR"]);
});
