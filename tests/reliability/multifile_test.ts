/**
 * Datasets of several files whose schemas differ: a column missing from some files,
 * retyped (String in one, Int64 in others), of different widths (Int32/Int64,
 * Float32/Float64, timestamps in ms and µs), all NULL in one file, an extra column in
 * one file, columns in another order. The union of the files' schemas decides: a
 * drifted column fails every rule on it with the row count and a message naming the
 * files; widths of one family are read as the widest; the other rules keep their exact
 * counts. Every case runs on local Parquet (a directory, a glob, and names that force
 * one scan per file), local CSV and S3 (s3rver), with the metadata tier on and off: all
 * must give the same results. Counts are known by construction.
 */
import pl, { type DataFrame } from "nodejs-polars";
import { join } from "node:path";
import { validate } from "../../mod.ts";
import { liveTempDirs } from "../../src/core/temp_dirs.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { runCli } from "../support/cli.ts";
import { tempDir, writeText } from "../support/fixtures.ts";
import { type S3TestServer, startS3Server } from "../support/s3_server.ts";

type Format = "parquet" | "csv";

/** What one rule must give. */
interface Expected {
  id: string;
  failed: number;
  /** Default: passed when nothing failed. */
  passed?: boolean;
  /** The exact message, for the rules on drifted columns. */
  message?: string;
}

/** A dataset of several files and what every rule must give on it. */
interface MultiFileCase {
  name: string;
  /** One frame per file, in name order. */
  files: () => DataFrame[];
  formats: Format[];
  rules: Record<string, unknown>[];
  rows: number;
  /** The results, in rule order, for files of this extension. */
  expected: (ext: Format) => Expected[];
}

/** A Series of `values` with `dtype`, NULLs kept (nodejs-polars fills them if typed up front). */
function typed(name: string, values: unknown[], dtype: pl.DataType): pl.Series {
  return pl.Series(name, values).cast(dtype);
}

const rule = (name: string, params: Record<string, unknown>, id?: string) => ({
  name,
  params,
  ...(id ? { id } : {}),
});

const CASES: MultiFileCase[] = [
  {
    name: "missing",
    formats: ["parquet", "csv"],
    files: () => [
      pl.DataFrame({
        id: typed("id", [1, 2, 3], pl.Int64),
        email: ["a", "b", null],
        score: typed("score", [1.5, null, 2.5], pl.Float64),
      }),
      pl.DataFrame({ id: typed("id", [4, 5], pl.Int64), email: ["c", "a"] }),
      pl.DataFrame({
        id: typed("id", [6], pl.Int64),
        email: pl.Series("email", [null]).cast(pl.String),
        score: typed("score", [3.5], pl.Float64),
      }),
    ],
    rules: [
      rule("not_null", { column: "email" }),
      rule("unique", { column: "email" }),
      rule("unique", { column: "id" }),
      rule("allowed_values", { column: "id", values: [1, 2, 3, 4, 5] }),
      rule("not_null", { column: "score" }),
      rule("dtype", { column: "score", type: "float" }),
      rule("allowed_values", { column: "score", values: [1.5] }),
      rule("min_rows", { threshold: 5 }),
      rule("max_rows", { threshold: 5 }),
      rule("custom_sql_check", { sql: "SELECT * FROM {table} WHERE id > 4" }),
    ],
    rows: 6,
    expected: (ext) => {
      const drift = `column "score" differs across files: missing from part-1.${ext}`;
      return [
        { id: "COL:email:not_null", failed: 2 },
        { id: "COL:email:unique", failed: 1 },
        { id: "COL:id:unique", failed: 0 },
        { id: "COL:id:allowed_values", failed: 1 },
        { id: "COL:score:not_null", failed: 6, passed: false, message: drift },
        { id: "COL:score:dtype", failed: 6, passed: false, message: drift },
        { id: "COL:score:allowed_values", failed: 6, passed: false, message: drift },
        { id: "DATASET:min_rows", failed: 0 },
        { id: "DATASET:max_rows", failed: 1 },
        { id: "DATASET:custom_sql_check", failed: 2 },
      ];
    },
  },
  {
    name: "retyped",
    formats: ["parquet", "csv"],
    files: () => [
      pl.DataFrame({ id: typed("id", [1, 2], pl.Int64), code: typed("code", [10, 20], pl.Int64) }),
      pl.DataFrame({ id: typed("id", [3, 4], pl.Int64), code: ["x", null] }),
      pl.DataFrame({ id: typed("id", [5], pl.Int64), code: typed("code", [null], pl.Int64) }),
    ],
    rules: [
      rule("dtype", { column: "code", type: "int" }),
      rule("not_null", { column: "code" }),
      rule("unique", { column: "code" }),
      rule("regex", { column: "code", pattern: "^x$" }),
      rule("not_null", { column: "id" }),
      rule("unique", { column: "id" }),
      rule("dtype", { column: "id", type: "int64" }),
    ],
    rows: 5,
    expected: (ext) => {
      // A CSV column with no value (part-2) is typed by nothing: Null, which fits any type.
      const drift = ext === "parquet"
        ? `column "code" differs across files: Int64 in part-0.parquet, part-2.parquet; ` +
          `String in part-1.parquet`
        : `column "code" differs across files: Int64 in part-0.csv; String in part-1.csv; ` +
          `Null in part-2.csv`;
      return [
        { id: "COL:code:dtype", failed: 5, passed: false, message: drift },
        { id: "COL:code:not_null", failed: 5, passed: false, message: drift },
        { id: "COL:code:unique", failed: 5, passed: false, message: drift },
        { id: "COL:code:regex", failed: 5, passed: false, message: drift },
        { id: "COL:id:not_null", failed: 0 },
        { id: "COL:id:unique", failed: 0 },
        { id: "COL:id:dtype", failed: 0 },
      ];
    },
  },
  {
    name: "widths",
    formats: ["parquet"],
    // The narrower type comes first: the scan must widen, never narrow.
    files: () => [
      pl.DataFrame({
        n: typed("n", [1, 2, null], pl.Int32),
        f: typed("f", [0.5, 1.5, 2.5], pl.Float32),
        u: typed("u", [1, 2, 3], pl.UInt64),
      }),
      pl.DataFrame({
        n: typed("n", [2, 3], pl.Int64),
        f: typed("f", [null, 0.25], pl.Float64),
        u: typed("u", [4, 5], pl.Int64),
      }),
    ],
    rules: [
      rule("dtype", { column: "n", type: "int" }),
      rule("dtype", { column: "n", type: "int64" }, "n_int64"),
      rule("not_null", { column: "n" }),
      rule("unique", { column: "n" }),
      rule("allowed_values", { column: "n", values: [1, 2] }),
      rule("dtype", { column: "f", type: "float" }),
      rule("dtype", { column: "f", type: "float32" }, "f_float32"),
      rule("not_null", { column: "f" }),
      rule("allowed_values", { column: "f", values: [0.5, 0.25] }),
      rule("dtype", { column: "u", type: "int" }),
      rule("not_null", { column: "u" }),
    ],
    rows: 5,
    expected: () => {
      const n = `column "n" differs across files: Int32 in part-0.parquet; Int64 in part-1.parquet`;
      const f = `column "f" differs across files: Float32 in part-0.parquet; ` +
        `Float64 in part-1.parquet`;
      // No integer type holds both UInt64 and Int64: that is drift.
      const u = `column "u" differs across files: UInt64 in part-0.parquet; ` +
        `Int64 in part-1.parquet`;
      return [
        { id: "COL:n:dtype", failed: 0, message: "n is Int64, which is int" },
        { id: "n_int64", failed: 5, passed: false, message: n },
        { id: "COL:n:not_null", failed: 1 },
        { id: "COL:n:unique", failed: 1 },
        { id: "COL:n:allowed_values", failed: 1 },
        { id: "COL:f:dtype", failed: 0, message: "f is Float64, which is float" },
        { id: "f_float32", failed: 5, passed: false, message: f },
        { id: "COL:f:not_null", failed: 1 },
        { id: "COL:f:allowed_values", failed: 2 },
        { id: "COL:u:dtype", failed: 5, passed: false, message: u },
        { id: "COL:u:not_null", failed: 5, passed: false, message: u },
      ];
    },
  },
  {
    name: "timestamps",
    formats: ["parquet"],
    // ms in one file, µs in the other: read in µs, so 2.000001 s is not 2 s.
    files: () => [
      pl.DataFrame({ t: typed("t", [1_000, 2_000, null], pl.Int64).cast(pl.Datetime("ms")) }),
      pl.DataFrame({ t: typed("t", [2_000_000, 2_000_001], pl.Int64).cast(pl.Datetime("us")) }),
    ],
    rules: [
      rule("dtype", { column: "t", type: "datetime" }),
      rule("not_null", { column: "t" }),
      rule("unique", { column: "t" }),
    ],
    rows: 5,
    expected: () => [
      { id: "COL:t:dtype", failed: 0 },
      { id: "COL:t:not_null", failed: 1 },
      { id: "COL:t:unique", failed: 1 },
    ],
  },
  {
    name: "all_null_file",
    formats: ["parquet", "csv"],
    // The first file's column is all NULL (Polars' Null type; in CSV, no value at all).
    files: () => [
      pl.DataFrame({ id: typed("id", [1, 2], pl.Int64) }).withColumns(pl.lit(null).alias("note")),
      pl.DataFrame({ id: typed("id", [3, 4, 5], pl.Int64), note: ["x", null, "y"] }),
      pl.DataFrame({ id: typed("id", [6], pl.Int64), note: ["x"] }),
    ],
    rules: [
      rule("dtype", { column: "note", type: "string" }),
      rule("not_null", { column: "note" }),
      rule("unique", { column: "note" }),
      rule("regex", { column: "note", pattern: "^x$" }),
      rule("allowed_values", { column: "id", values: [1, 2, 3, 4, 5] }),
    ],
    rows: 6,
    expected: () => [
      { id: "COL:note:dtype", failed: 0 },
      { id: "COL:note:not_null", failed: 3 },
      { id: "COL:note:unique", failed: 1 },
      { id: "COL:note:regex", failed: 1 },
      { id: "COL:id:allowed_values", failed: 1 },
    ],
  },
  {
    name: "extra_and_order",
    formats: ["parquet", "csv"],
    // The second file has its columns in another order and one column more.
    files: () => [
      pl.DataFrame({ id: typed("id", [1, 2], pl.Int64), email: ["a", null] }),
      pl.DataFrame({
        email: ["b", "a"],
        extra: typed("extra", [7, 8], pl.Int64),
        id: typed("id", [3, 3], pl.Int64),
      }),
      pl.DataFrame({ id: typed("id", [4], pl.Int64), email: ["c"] }),
    ],
    rules: [
      rule("not_null", { column: "email" }),
      rule("unique", { column: "email" }),
      rule("unique", { column: "id" }),
      rule("allowed_values", { column: "id", values: [1, 2, 3] }),
      rule("not_null", { column: "extra" }),
      rule("dtype", { column: "extra", type: "int" }),
    ],
    rows: 5,
    expected: (ext) => {
      const drift = `column "extra" differs across files: missing from part-0.${ext}, ` +
        `part-2.${ext}`;
      return [
        { id: "COL:email:not_null", failed: 1 },
        { id: "COL:email:unique", failed: 1 },
        { id: "COL:id:unique", failed: 1 },
        { id: "COL:id:allowed_values", failed: 1 },
        { id: "COL:extra:not_null", failed: 5, passed: false, message: drift },
        { id: "COL:extra:dtype", failed: 5, passed: false, message: drift },
      ];
    },
  },
  {
    name: "numbers_in_csv",
    formats: ["csv"],
    // CSV has no types: integers in one file and decimals in another are one number column.
    files: () => [
      pl.DataFrame({ x: typed("x", [1, 2], pl.Int64) }),
      pl.DataFrame({ x: typed("x", [1.5, null], pl.Float64) }),
    ],
    rules: [
      rule("dtype", { column: "x", type: "numeric" }),
      rule("dtype", { column: "x", type: "float" }, "x_float"),
      rule("not_null", { column: "x" }),
      rule("allowed_values", { column: "x", values: [1, 1.5] }),
    ],
    rows: 4,
    expected: () => [
      { id: "COL:x:dtype", failed: 0 },
      {
        id: "x_float",
        failed: 4,
        passed: false,
        message: `column "x" differs across files: Int64 in part-0.csv; Float64 in part-1.csv`,
      },
      { id: "COL:x:not_null", failed: 1 },
      { id: "COL:x:allowed_values", failed: 1 },
    ],
  },
];

const BUCKET = "lake";

/** Where one case's files are, per storage. */
interface Locations {
  label: string;
  uri: string;
  s3?: boolean;
}

/** Writes a case's files locally (and to S3); returns every location of its data. */
async function writeCase(
  dir: string,
  server: S3TestServer,
  testCase: MultiFileCase,
  format: Format,
): Promise<Locations[]> {
  const base = join(dir, testCase.name, format);
  // A space in the directory: no glob names exactly these files, so each is scanned alone.
  const spaced = join(dir, testCase.name, `${format} spaced`);
  await Deno.mkdir(base, { recursive: true });
  await Deno.mkdir(spaced, { recursive: true });
  for (const [index, frame] of testCase.files().entries()) {
    const path = join(base, `part-${index}.${format}`);
    if (format === "parquet") frame.writeParquet(path);
    else frame.writeCSV(path);
    await Deno.copyFile(path, join(spaced, `part-${index}.${format}`));
    await server.putFile(BUCKET, `${testCase.name}/${format}/part-${index}.${format}`, path);
  }
  return [
    { label: "local directory", uri: base },
    { label: "local glob", uri: `${base}/*.${format}` },
    ...(format === "parquet" ? [{ label: "local, one scan per file", uri: spaced }] : []),
    { label: "S3 prefix", uri: `s3://${BUCKET}/${testCase.name}/${format}/`, s3: true },
  ];
}

/** What a run gave, in the shape of {@linkcode Expected}. */
function outcome(results: { rule_id: string; passed: boolean; failed_count: number }[]) {
  return results.map((result) => ({
    id: result.rule_id,
    failed: result.failed_count,
    passed: result.passed,
  }));
}

for (const testCase of CASES) {
  Deno.test(`multi-file ${testCase.name}: every tier and storage agree`, async (t) => {
    await using dir = await tempDir();
    const server = await startS3Server();
    try {
      await server.createBucket(BUCKET);
      // The server's variables reach only these runs, not the shared process environment.
      const env = server.env();
      {
        for (const format of testCase.formats) {
          const expected = testCase.expected(format);
          const locations = await writeCase(dir.path, server, testCase, format);
          for (const location of locations) {
            for (const metadata of [true, false]) {
              await t.step(`${format}, ${location.label}, metadata ${metadata}`, async () => {
                const result = await validate(
                  { name: testCase.name, datasource: location.uri, rules: testCase.rules },
                  { metadata, actions: false, env },
                );
                const document = result.document;
                assertEquals(
                  outcome(document.results),
                  expected.map(({ id, failed, passed }) => ({
                    id,
                    failed,
                    passed: passed ?? failed === 0,
                  })),
                );
                for (const { id, message } of expected) {
                  if (message === undefined) continue;
                  const found = document.results.find((result) => result.rule_id === id)!;
                  assertEquals(found.message, message);
                }
                assertEquals(document.dataset.rows, testCase.rows);
                assertEquals(document.warnings, undefined);
                assertEquals(liveTempDirs(), [], "temporary directories left");
              });
            }
          }
        }
      }
    } finally {
      await server.close();
    }
  });
}

Deno.test("multi-file drift through the CLI: exit 1 on both tiers, the same JSON", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  await Deno.mkdir(data);
  pl.DataFrame({ id: typed("id", [1, 2], pl.Int64), amount: typed("amount", [5, 6], pl.Int64) })
    .writeParquet(join(data, "a.parquet"));
  pl.DataFrame({ id: typed("id", [3], pl.Int64), amount: ["6"] }).writeParquet(
    join(data, "b.parquet"),
  );
  const kontract = await writeText(
    dir.path,
    "k.yml",
    [
      "name: drift",
      "datasource: data/",
      "rules:",
      "  - { name: dtype, params: { column: amount, type: int } }",
      "  - { name: not_null, params: { column: amount } }",
      "  - { name: unique, params: { column: id } }",
    ].join("\n"),
  );
  const runs = [];
  for (const flags of [[], ["--no-metadata"]]) {
    const run = await runCli(["validate", kontract, "--output-format", "json", ...flags]);
    assertEquals(run.code, 1, run.stderr);
    assertEquals(run.stderr, "");
    runs.push(
      JSON.parse(run.stdout).results.map(
        (result: { rule_id: string; failed_count: number; message: string }) => [
          result.rule_id,
          result.failed_count,
          result.message,
        ],
      ),
    );
  }
  const drift = 'column "amount" differs across files: Int64 in a.parquet; String in b.parquet';
  assertEquals(runs[0], [
    ["COL:amount:dtype", 3, drift],
    ["COL:amount:not_null", 3, drift],
    ["COL:id:unique", 0, "id values are unique"],
  ]);
  assertEquals(runs[1], runs[0]);
});

Deno.test("many files: a drift message names three files and counts the rest", async () => {
  await using dir = await tempDir();
  for (let index = 0; index < 6; index++) {
    const frame = index === 0
      ? pl.DataFrame({ id: typed("id", [index], pl.Int64), v: typed("v", [1], pl.Int64) })
      : pl.DataFrame({ id: typed("id", [index], pl.Int64) });
    frame.writeParquet(join(dir.path, `f${index}.parquet`));
  }
  const result = await validate({
    name: "many",
    datasource: dir.path,
    rules: [rule("not_null", { column: "v" }), rule("not_null", { column: "id" })],
  }, { actions: false });
  assertEquals(
    result.results.map((r) => [r.failed_count, r.message]),
    [
      [
        6,
        'column "v" differs across files: missing from f1.parquet, f2.parquet, f3.parquet ' +
        "and 2 more",
      ],
      [0, "id has no NULL values"],
    ],
  );
  assert.ok(!result.passed);
});

Deno.test("a column in no file is still 'not found', and one file is never drift", async () => {
  await using dir = await tempDir();
  pl.DataFrame({ id: typed("id", [1, 2], pl.Int64) }).writeParquet(join(dir.path, "a.parquet"));
  pl.DataFrame({ id: typed("id", [3], pl.Int32) }).writeParquet(join(dir.path, "b.parquet"));
  const result = await validate({
    name: "absent",
    datasource: dir.path,
    rules: [rule("not_null", { column: "idd" }), rule("dtype", { column: "id", type: "int" })],
  }, { actions: false });
  assertEquals(result.results.map((r) => [r.failed_count, r.message]), [
    [3, 'column "idd" not found in the data (did you mean "id"?)'],
    [0, "id is Int64, which is int"],
  ]);
});
