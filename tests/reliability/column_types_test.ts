/**
 * Every column type is readable. Columns no rule needs are never read or converted, so a
 * BLOB, UUID, INTERVAL, MAP, UNION or HUGEINT column beside the checked ones changes
 * nothing; rules on such columns either work or fail alone with a clear reason, and a
 * Polars panic never reaches the user (checked on the CLI's stderr). Quarantine copes
 * with them too. `regex` on a non-string column matches the value's text form, on every
 * tier. Test data is written by DuckDB and by Polars at test time.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { DuckDBInstance } from "@duckdb/node-api";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { runCliHermetic } from "../support/cli.ts";
import { pgTest, requirePostgres, tempSchema } from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";
import { startS3Server } from "../support/s3_server.ts";
import { KontractError, validate, verifyQuarantine } from "../../mod.ts";
import { liveTempDirs } from "../../src/core/temp_dirs.ts";
import type { RuleResult } from "../../src/report/result.ts";

/** DuckDB expressions for the exotic columns, by column name. */
const EXOTIC: Record<string, string> = {
  blob: "('x' || range)::BLOB",
  uid: "uuid()",
  span: "INTERVAL (range) DAY",
  huge: "range::HUGEINT",
  dec: "range::DECIMAL(38,2)",
  map: "MAP {'k': range}",
  uni: "union_value(n := range)",
  js: "'{}'::JSON",
  ttz: "TIMETZ '12:00:00+01'",
  tm: "TIME '12:00:00'",
  en: "'a'::ENUM('a','b')",
  bits: "'101'::BIT",
  vint: "range::VARINT",
  lst: "[range, 1]",
  st: "{'a': range}",
  arr: "[range, 1]::BIGINT[2]",
  tstz: "TIMESTAMPTZ '2020-01-01 00:00:00+00'",
};

/** `id` (0..4), `s` (NULL at id 1, else 'v<id>'), then the exotic columns. */
const PLAIN = "range AS id, CASE WHEN range = 1 THEN NULL ELSE 'v' || range END AS s";

/** Writes Parquet files with DuckDB: each name → the SELECT list over range(5). */
async function duckdbParquet(files: Record<string, string>): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const [path, select] of Object.entries(files)) {
      await connection.run(`COPY (SELECT ${select} FROM range(5)) TO '${path}'`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const exoticSelect = [
  PLAIN,
  ...Object.entries(EXOTIC).map(([name, expression]) => `${expression} AS ${name}`),
].join(", ");

/** The CLI in `dir` with its own TMPDIR (see `runCliHermetic`). */
const kontra = runCliHermetic;

function outcomes(results: RuleResult[]): [string, string | undefined, number][] {
  return results.map((result) => [result.rule_id, result.status, result.failed_count]);
}

/** One rule of every kind on `id` and `s` only. */
const PLAIN_RULES = [
  "{ name: not_null, params: { column: s } }",
  "{ name: unique, params: { column: id } }",
  `{ name: regex, params: { column: s, pattern: "^v[0-3]$" } }`,
  "{ name: allowed_values, params: { column: id, values: [0, 1, 2] } }",
  "{ name: dtype, params: { column: id, type: int } }",
  "{ name: min_rows, params: { threshold: 5 } }",
  `{ name: custom_sql_check, params: { sql: "SELECT * FROM {table} WHERE id > 3" } }`,
];

async function writeKontract(path: string, datasource: string, rules: string[]): Promise<void> {
  await Deno.writeTextFile(
    path,
    ["name: t", `datasource: ${datasource}`, "rules:", ...rules.map((r) => `  - ${r}`), ""]
      .join("\n"),
  );
}

Deno.test("columns no rule needs are never read: exotic types beside them change nothing", async () => {
  await using dir = await tempDir();
  await duckdbParquet({
    [join(dir.path, "exotic.parquet")]: exoticSelect,
    [join(dir.path, "plain.parquet")]: PLAIN,
  });
  for (const name of ["exotic", "plain"]) {
    await writeKontract(join(dir.path, `${name}.yml`), `${name}.parquet`, PLAIN_RULES);
  }
  for (const flags of [[], ["--no-metadata"]]) {
    const [exotic, plain] = [
      await kontra(dir.path, ["validate", "exotic.yml", "-o", "json", ...flags]),
      await kontra(dir.path, ["validate", "plain.yml", "-o", "json", ...flags]),
    ];
    assertEquals(exotic.code, 1, exotic.stderr);
    assertEquals(exotic.stderr, "");
    const results = JSON.parse(exotic.stdout).results as RuleResult[];
    assertEquals(outcomes(results), outcomes(JSON.parse(plain.stdout).results));
    assertEquals(outcomes(results), [
      ["COL:s:not_null", "failed", 1],
      ["COL:id:unique", "passed", 0],
      ["COL:s:regex", "failed", 1],
      ["COL:id:allowed_values", "failed", 2],
      ["COL:id:dtype", "passed", 0],
      ["DATASET:min_rows", "passed", 0],
      ["DATASET:custom_sql_check", "failed", 1],
    ]);
  }
  // A Polars-written file with types DuckDB does not write.
  const polars = join(dir.path, "polars.parquet");
  pl.DataFrame({ id: [0, 1, 2, 3, 4], s: ["v0", null, "v2", "v3", "v4"] }).select(
    pl.col("id").cast(pl.Int64),
    pl.col("s"),
    pl.col("id").cast(pl.Duration("ms")).alias("wait"),
    pl.col("s").cast(pl.Categorical).alias("cat"),
    pl.col("id").cast(pl.Decimal(10, 2)).alias("money"),
    pl.col("id").cast(pl.Time).alias("clock"),
    pl.lit(null).alias("nothing"),
    pl.concatList([pl.col("id"), pl.col("id")]).alias("pairs"),
    pl.struct([pl.col("id"), pl.col("s")]).alias("both"),
  ).writeParquet(polars);
  await writeKontract(join(dir.path, "polars.yml"), "polars.parquet", PLAIN_RULES);
  const run = await kontra(dir.path, ["validate", "polars.yml", "-o", "json"]);
  assertEquals(run.code, 1, run.stderr);
  assertEquals(outcomes(JSON.parse(run.stdout).results)[3], ["COL:id:allowed_values", "failed", 2]);
});

// What each rule does on each exotic column: its status, or the Kontract error it is.
// `dtype` asks for `binary`: only the byte columns are of that family.
const REFUSED = "exit 2";
const MATRIX: Record<string, Record<string, string>> = {
  blob: { not_null: "passed", unique: "passed", dtype: "passed", regex: REFUSED },
  uid: { not_null: "passed", unique: "passed", dtype: "passed", regex: REFUSED },
  js: { not_null: "passed", unique: "failed", dtype: "passed", regex: REFUSED },
  span: { not_null: "error", unique: "error", dtype: "failed", regex: REFUSED },
  huge: { not_null: "passed", unique: "passed", dtype: "failed", regex: "failed" },
  dec: { not_null: "passed", unique: "passed", dtype: "failed", regex: "failed" },
  map: { not_null: "passed", unique: "passed", dtype: "failed", regex: REFUSED },
  uni: { not_null: "passed", unique: "passed", dtype: "failed", regex: REFUSED },
  ttz: { not_null: "passed", unique: "failed", dtype: "failed", regex: "failed" },
  tm: { not_null: "passed", unique: "failed", dtype: "failed", regex: "failed" },
  en: { not_null: "passed", unique: "failed", dtype: "failed", regex: "failed" },
  bits: { not_null: "passed", unique: "failed", dtype: "failed", regex: "failed" },
  vint: { not_null: "passed", unique: "passed", dtype: "failed", regex: "failed" },
  lst: { not_null: "passed", unique: "passed", dtype: "failed", regex: REFUSED },
  st: { not_null: "passed", unique: "passed", dtype: "failed", regex: REFUSED },
  arr: { not_null: "passed", unique: "passed", dtype: "failed", regex: REFUSED },
  tstz: { not_null: "passed", unique: "failed", dtype: "failed", regex: "failed" },
};

Deno.test("each rule on each exotic column works, or fails alone, or is refused up front", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "exotic.parquet");
  await duckdbParquet({ [path]: exoticSelect });
  const params: Record<string, Record<string, unknown>> = {
    not_null: {},
    unique: {},
    dtype: { type: "binary" },
    regex: { pattern: "^x" },
  };
  for (const metadata of [true, false]) {
    for (const [column, expected] of Object.entries(MATRIX)) {
      for (const [rule, outcome] of Object.entries(expected)) {
        const run = validate({
          name: "m",
          datasource: path,
          rules: [
            { name: "not_null", params: { column: "s" } },
            { name: rule, params: { column, ...params[rule] } },
            { name: "unique", params: { column: "id" } },
          ],
        }, { metadata });
        const what = `${rule} on ${column} (metadata: ${metadata})`;
        if (outcome === REFUSED) {
          await assertRejectsWith(
            run,
            KontractError,
            new RegExp(`^<kontract>: COL:${column}:${rule}: ${rule} cannot check column`),
            2,
          );
          continue;
        }
        const result = await run;
        assertEquals(
          outcomes(result.results),
          [
            ["COL:s:not_null", "failed", 1],
            [`COL:${column}:${rule}`, outcome, result.results[1].failed_count],
            ["COL:id:unique", "passed", 0],
          ],
          what,
        );
        if (outcome === "error") {
          assert.match(result.results[1].error!, /Polars cannot read this column's Parquet type/);
        }
      }
    }
    // allowed_values takes single values: lists, structs and bytes are refused up front.
    for (const column of ["blob", "uid", "span", "lst", "st", "map", "arr"]) {
      await assertRejectsWith(
        validate({
          name: "m",
          datasource: path,
          rules: [{ name: "allowed_values", params: { column, values: ["x"] } }],
        }, { metadata }),
        KontractError,
        new RegExp(`^<kontract>: COL:${column}:allowed_values: allowed_values cannot check`),
        2,
      );
    }
  }
  assertEquals(liveTempDirs(), []);
});

Deno.test("CLI: rules on UUID and INTERVAL columns print no Rust panic", async () => {
  await using dir = await tempDir();
  await duckdbParquet({ [join(dir.path, "exotic.parquet")]: exoticSelect });
  await writeKontract(join(dir.path, "k.yml"), "exotic.parquet", [
    "{ name: not_null, params: { column: uid } }",
    "{ name: unique, params: { column: uid } }",
    "{ name: not_null, params: { column: span } }",
    "{ name: unique, params: { column: span } }",
    "{ name: not_null, params: { column: s } }",
  ]);
  const run = await kontra(dir.path, ["validate", "k.yml", "--no-metadata", "-o", "json"]);
  assertEquals(run.code, 3);
  assertEquals(
    outcomes(JSON.parse(run.stdout).results),
    [
      ["COL:uid:not_null", "passed", 0],
      ["COL:uid:unique", "passed", 0],
      ["COL:span:not_null", "error", 0],
      ["COL:span:unique", "error", 0],
      ["COL:s:not_null", "failed", 1],
    ],
  );
  const lines = run.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 2, run.stderr);
  assert.match(lines[0], /^kontra: k\.yml:6:5: COL:span:not_null: could not be checked: /);
  assert.match(lines[1], /^kontra: k\.yml:7:5: COL:span:unique: could not be checked: /);
});

Deno.test("quarantine writes rows of data with BLOB, UUID and INTERVAL columns", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "exotic.parquet");
  await duckdbParquet({ [data]: exoticSelect });
  for (const format of ["parquet", "csv"] as const) {
    const location = join(dir.path, `dlq-${format}`);
    const result = await validate({
      name: "q",
      datasource: data,
      rules: [
        { name: "not_null", params: { column: "s" } },
        { name: "regex", params: { column: "s", pattern: "^v[0-2]$" } },
        { name: "not_null", params: { column: "uid" } },
      ],
      actions: { quarantine: { location, format } },
    }, { metadata: false });
    const [action] = result.actions;
    assertEquals([action.action, action.status, action.rows], ["quarantine", "succeeded", 3]);
    assert.match(action.message!, /column span left out: Polars cannot read it/);
    if (format === "csv") {
      assert.match(action.message!, /column uid left out: CSV cannot hold Binary values/);
    }
    const report = await verifyQuarantine(location);
    assertEquals(report.runs.map((run) => run.ok), [true]);
    const manifest = JSON.parse(
      await Deno.readTextFile(join(report.runs[0].location, "_manifest.json")),
    );
    const names = manifest.schema.map((column: { name: string }) => column.name);
    assert.ok(!names.includes("span"));
    assertEquals(names.includes("uid"), format === "parquet");
    if (format === "parquet") {
      const types = Object.fromEntries(
        manifest.schema.map((column: { name: string; type: string }) => [column.name, column.type]),
      );
      assertEquals([types.blob, types.uid, types.js], ["Binary", "Binary", "Binary"]);
    }
  }
  assertEquals(liveTempDirs(), []);
});

Deno.test("regex matches the text form of non-string columns: CSV digits inferred as integers", async () => {
  await using dir = await tempDir();
  const csv = join(dir.path, "codes.csv");
  await Deno.writeTextFile(
    csv,
    "code,price,day,flag\n123,1.5,2024-01-02,true\n45,2.5,2024-02-03,false\n6,3,2024-03-04,true\n",
  );
  const parquet = join(dir.path, "codes.parquet");
  pl.readCSV(csv, { tryParseDates: true }).writeParquet(parquet);
  const rules = [
    { name: "regex", params: { column: "code", pattern: "^\\d+$" } },
    { name: "regex", params: { column: "code", pattern: "^\\d{2,}$" } },
    { name: "regex", params: { column: "day", pattern: "^2024-0[12]-" } },
    { name: "regex", params: { column: "flag", pattern: "^true$" } },
    { name: "dtype", params: { column: "code", type: "int" } },
  ];
  const expected: [string, string, number][] = [
    ["COL:code:regex", "passed", 0],
    ["COL:code:regex:2", "failed", 1],
    ["COL:day:regex", "failed", 1],
    ["COL:flag:regex", "failed", 1],
    ["COL:code:dtype", "passed", 0],
  ];
  const withIds = rules.map((rule, index) =>
    index === 1 ? { ...rule, id: "COL:code:regex:2" } : rule
  );
  for (const datasource of [csv, parquet]) {
    const result = await validate({ name: "r", datasource, rules: withIds });
    assertEquals(outcomes(result.results), expected, datasource);
  }
  // Polars cannot cast a Duration to text (and panics trying): refused before any row is read.
  const waits = join(dir.path, "waits.parquet");
  pl.DataFrame({ ms: [1, 2] }).select(pl.col("ms").cast(pl.Duration("ms"))).writeParquet(waits);
  await assertRejectsWith(
    validate({
      name: "w",
      datasource: waits,
      rules: [{ name: "regex", params: { column: "ms", pattern: "1" } }],
    }),
    KontractError,
    /^<kontract>: COL:ms:regex: regex cannot check column "ms" of type Duration/,
    2,
  );
});

Deno.test(
  pgTest("PostgreSQL: regex on integer, date and uuid columns; refused on bytea and arrays"),
  async () => {
    const pg = requirePostgres();
    await using schema = await tempSchema(pg);
    const table = `"${schema.name}".codes`;
    await pg.sql.unsafe(
      `CREATE TABLE ${table} (code int, day date, u uuid, raw bytea, tags int[]);
       INSERT INTO ${table} VALUES
         (123, '2024-01-02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00', '{1}'),
         (45, '2024-02-03', NULL, NULL, '{2}'),
         (6, '2024-03-04', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x01', NULL)`,
    );
    const datasource = `${pg.url}/${schema.name}.codes`;
    const result = await validate({
      name: "p",
      datasource,
      rules: [
        { name: "regex", params: { column: "code", pattern: "^[0-9]+$" } },
        { name: "regex", params: { column: "code", pattern: "^[0-9]{2,}$" }, id: "two" },
        { name: "regex", params: { column: "day", pattern: "^2024-0[12]-" } },
        { name: "regex", params: { column: "u", pattern: "^a0" } },
        { name: "not_null", params: { column: "raw" } },
        { name: "unique", params: { column: "raw" } },
      ],
    }, { env: {} });
    assertEquals(outcomes(result.results), [
      ["COL:code:regex", "passed", 0],
      ["two", "failed", 1],
      ["COL:day:regex", "failed", 1],
      ["COL:u:regex", "failed", 1],
      ["COL:raw:not_null", "failed", 1],
      ["COL:raw:unique", "passed", 0],
    ]);
    for (const [rule, column] of [["regex", "raw"], ["allowed_values", "tags"]]) {
      const params = rule === "regex" ? { pattern: "x" } : { values: [1] };
      await assertRejectsWith(
        validate(
          { name: "p", datasource, rules: [{ name: rule, params: { column, ...params } }] },
          {
            env: {},
          },
        ),
        KontractError,
        new RegExp(`^<kontract>: COL:${column}:${rule}: ${rule} cannot check column`),
        2,
      );
    }
  },
);

Deno.test("Snowflake: regex on a NUMBER column matches its text form", async () => {
  await using dir = await tempDir();
  const parquet = join(dir.path, "codes.parquet");
  pl.DataFrame({ code: pl.Series("code", [123, 45, 6], pl.Int64) }).writeParquet(parquet);
  await withSnowflake(async (sf) => {
    await sf.loadParquet("codes", parquet);
    const result = await validate({
      name: "s",
      datasource: sf.tableUri("codes"),
      rules: [
        { name: "regex", params: { column: "code", pattern: "^[0-9]+$" } },
        { name: "regex", params: { column: "code", pattern: "^[0-9]{2,}$" }, id: "two" },
      ],
    }, { env: sf.env });
    assertEquals(outcomes(result.results), [["COL:code:regex", "passed", 0], ["two", "failed", 1]]);
  });
});

Deno.test("S3: a column the local copy cannot read fails only the rules on it", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "exotic.parquet");
  await duckdbParquet({ [path]: exoticSelect });
  const server = await startS3Server();
  const saved = Object.fromEntries(
    Object.keys(server.env()).map((key) => [key, Deno.env.get(key)]),
  );
  try {
    await server.createBucket("lake");
    await server.putFile("lake", "exotic/part-0.parquet", path);
    for (const [key, value] of Object.entries(server.env())) Deno.env.set(key, value);
    const result = await validate({
      name: "s3",
      datasource: "s3://lake/exotic/",
      rules: [
        // Copied to one local file with the others first; that copy fails, so each column
        // is copied alone and only `span` is lost.
        { name: "unique", params: { column: "span" } },
        { name: "unique", params: { column: "s" } },
        { name: "unique", params: { column: "uid" } },
        { name: "not_null", params: { column: "uid" } },
        { name: "regex", params: { column: "huge", pattern: "^[0-9]" } },
      ],
    }, { metadata: false });
    assertEquals(outcomes(result.results), [
      ["COL:span:unique", "error", 0],
      ["COL:s:unique", "passed", 0],
      ["COL:uid:unique", "passed", 0],
      ["COL:uid:not_null", "passed", 0],
      ["COL:huge:regex", "passed", 0],
    ]);
    assert.match(result.results[0].error!, /Polars cannot read this column's Parquet type/);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
    await server.close();
  }
  assertEquals(liveTempDirs(), []);
});
