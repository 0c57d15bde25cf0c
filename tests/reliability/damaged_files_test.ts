/**
 * Damaged and unusual data files, generated at test time: Parquet files of 0 bytes, cut
 * short, of random bytes, with wrong magic bytes, a corrupt footer or a corrupt data
 * page; CSV files with ragged rows (more or fewer fields than the header); directories
 * of symbolic links (to files, in a loop, to nothing). Each case asserts the exit code,
 * the ONE-line message naming the file, the results of the rules it does not touch, and
 * that no temporary directory is left.
 */
import pl from "nodejs-polars";
import { parquetMetadataAsync } from "hyparquet";
import { join } from "node:path";
import { DataSourceError, validate } from "../../mod.ts";
import { liveTempDirs } from "../../src/core/temp_dirs.ts";
import { CsvRecordCounter } from "../../src/sources/csv_records.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { assertOneLineError, runCli } from "../support/cli.ts";
import { tempDir, writeText } from "../support/fixtures.ts";
import { startS3Server } from "../support/s3_server.ts";

/** Three good rows as Parquet bytes: id 1..3, name a, b, NULL. */
function goodParquet(dir: string, name = "good.parquet"): string {
  const path = join(dir, name);
  pl.DataFrame({
    id: pl.Series("id", [1, 2, 3]).cast(pl.Int64),
    name: ["a", "b", null],
  }).writeParquet(path);
  return path;
}

/** A Kontract over `datasource` with rules on id and name. */
async function kontract(dir: string, datasource: string, extra: string[] = []): Promise<string> {
  return await writeText(
    dir,
    "k.yml",
    [
      "name: damaged",
      `datasource: ${JSON.stringify(datasource)}`,
      ...extra,
      "rules:",
      "  - { name: not_null, params: { column: name } }",
      "  - { name: unique, params: { column: id } }",
      "  - { name: min_rows, params: { threshold: 1 } }",
    ].join("\n"),
  );
}

/** Ways a Parquet file is damaged: the bytes written in its place, and what is said. */
const DAMAGE: { name: string; bytes: (good: Uint8Array) => Uint8Array; says: RegExp }[] = [
  {
    name: "0 bytes",
    bytes: () => new Uint8Array(),
    says: /cannot read Parquet: damaged file, 0 bytes/,
  },
  {
    name: "cut short",
    bytes: (good) => good.slice(0, Math.floor(good.length / 2)),
    says: /cannot read Parquet: damaged file, it does not end with the Parquet magic bytes PAR1/,
  },
  {
    name: "random bytes",
    bytes: () => crypto.getRandomValues(new Uint8Array(4096)),
    says: /cannot read Parquet: damaged file, it does not end with the Parquet magic bytes PAR1/,
  },
  {
    name: "too short",
    bytes: () => new TextEncoder().encode("PAR1"),
    says: /cannot read Parquet: damaged file, 4 bytes, too short for Parquet/,
  },
  {
    name: "wrong magic bytes",
    bytes: (good) => {
      const bytes = good.slice();
      bytes.set(new TextEncoder().encode("PAR2"), bytes.length - 4);
      return bytes;
    },
    says: /cannot read Parquet: damaged file, it does not end with the Parquet magic bytes PAR1/,
  },
  {
    name: "corrupt footer",
    bytes: (good) => {
      const bytes = good.slice();
      const length = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
      // Overwrite the middle of the footer's thrift structure, keep its length and magic.
      bytes.fill(0xff, bytes.length - 8 - length + 8, bytes.length - 8 - 8);
      return bytes;
    },
    says: /cannot read Parquet: damaged file, its footer (is corrupt|is cut short)/,
  },
];

for (const damage of DAMAGE) {
  Deno.test(`a Parquet file ${damage.name} among good ones: exit 3 naming it`, async () => {
    await using dir = await tempDir();
    const data = join(dir.path, "data");
    await Deno.mkdir(data);
    const good = Deno.readFileSync(goodParquet(data, "a.parquet"));
    goodParquet(data, "c.parquet");
    await Deno.writeFile(join(data, "b.parquet"), damage.bytes(good));
    const path = await kontract(dir.path, "data/");
    for (const flags of [[], ["--no-metadata"]]) {
      const run = await runCli(["validate", path, ...flags]);
      assertOneLineError(run, 3, damage.says);
      assert.match(run.stderr, /^kontra: b\.parquet: /);
    }
    // Alone, too: never an empty dataset.
    const alone = await kontract(dir.path, "data/b.parquet");
    assertOneLineError(await runCli(["validate", alone]), 3, damage.says);
    assertEquals(liveTempDirs(), []);
  });
}

Deno.test("damaged objects in S3: exit 3 naming the object, metadata on and off", async () => {
  await using dir = await tempDir();
  const server = await startS3Server();
  try {
    await server.createBucket("lake");
    const good = goodParquet(dir.path);
    await server.putFile("lake", "t/a.parquet", good);
    await server.putBytes("lake", "t/b.parquet", new Uint8Array());
    await server.putFile("lake", "u/a.parquet", good);
    await server.putBytes("lake", "u/b.parquet", Deno.readFileSync(good).slice(0, 40));
    const env = server.env();
    const saved = Object.keys(env).map((key) => [key, Deno.env.get(key)] as const);
    for (const [key, value] of Object.entries(env)) Deno.env.set(key, value);
    try {
      for (const [prefix, says] of [["t", /0 bytes/], ["u", /does not end with/]] as const) {
        for (const metadata of [true, false]) {
          const error = await assertRejectsWith(
            validate({
              name: "s3",
              datasource: `s3://lake/${prefix}/`,
              rules: [{ name: "not_null", params: { column: "name" } }],
            }, { metadata, actions: false }),
            DataSourceError,
            says,
            3,
          );
          assert.match(error.message, /^b\.parquet: cannot read Parquet: damaged file, /);
          assert.doesNotMatch(error.message, /\n/);
        }
      }
    } finally {
      for (const [key, value] of saved) {
        if (value === undefined) Deno.env.delete(key);
        else Deno.env.set(key, value);
      }
    }
    assertEquals(liveTempDirs(), []);
  } finally {
    await server.close();
  }
});

Deno.test("a corrupt data page: rules reading it name the file, others keep counts", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  await Deno.mkdir(data);
  const rows = 5000;
  const path = join(data, "b.parquet");
  pl.DataFrame({
    id: pl.Series("id", Array.from({ length: rows }, (_, i) => i + 10)).cast(pl.Int64),
    name: Array.from({ length: rows }, (_, i) => `v${(i * 7919) % 10007}`),
  }).writeParquet(path, { compression: "uncompressed" });
  const bytes = Deno.readFileSync(path);
  const footer = await parquetMetadataAsync(bytes.buffer);
  // Garble the middle of the name column's first data page; the footer stays intact.
  const start = Number(footer.row_groups[0].columns[1].meta_data!.data_page_offset) + 200;
  for (let i = 0; i < 2000; i++) bytes[start + i] = (i * 37) & 0xff;
  Deno.writeFileSync(path, bytes);
  goodParquet(data, "a.parquet");
  for (const metadata of [true, false]) {
    const result = await validate({
      name: "page",
      datasource: data,
      rules: [
        { name: "regex", params: { column: "name", pattern: "^v" } },
        { name: "unique", params: { column: "id" } },
        { name: "not_null", params: { column: "id" } },
        { name: "min_rows", params: { threshold: 1 } },
      ],
    }, { metadata, actions: false });
    const [regex, ...others] = result.results;
    assertEquals(regex.status, "error");
    assert.match(regex.message, /^could not be checked: in b\.parquet: /);
    assert.doesNotMatch(regex.message, /\n/);
    assertEquals(
      others.map((r) => [r.rule_id, r.status, r.failed_count]),
      [
        ["COL:id:unique", "passed", 0],
        ["COL:id:not_null", "passed", 0],
        ["DATASET:min_rows", "passed", 0],
      ],
    );
    assertEquals(result.document.dataset.rows, rows + 3);
  }
  assertEquals(liveTempDirs(), []);
});

/** A CSV with 2 ragged rows (one long, one short), by construction, and 5 rows in all. */
const RAGGED = 'id,name,code\n1,a,x\n2,b\n3,c,y,EXTRA\n4,,z\n5,"q, r",w\n';

Deno.test("ragged CSV rows: counted and reported by default, the rows still read", async () => {
  await using dir = await tempDir();
  await writeText(dir.path, "data.csv", RAGGED);
  const path = await kontract(dir.path, "data.csv");
  const run = await runCli(["validate", path, "--output-format", "json"]);
  assertEquals(run.code, 1, run.stderr); // name is NULL in one row (4,,z): a blocking failure
  const warning = "2 ragged CSV rows (a field count other than the header's) in data.csv: 2 " +
    "(first at line 3: 2 fields, header 3): extra fields are ignored and missing ones read " +
    "as NULL (csv: { ragged_rows: fail } stops the run instead)";
  assertEquals(run.stderr, `kontra: warning: ${warning}\n`);
  const document = JSON.parse(run.stdout);
  assertEquals(document.warnings, [warning]);
  assertEquals(
    document.results.map((r: { rule_id: string; failed_count: number }) => [
      r.rule_id,
      r.failed_count,
    ]),
    [["COL:name:not_null", 1], ["COL:id:unique", 0], ["DATASET:min_rows", 0]],
  );
  assertEquals(document.dataset.rows, 5);
  assertEquals(liveTempDirs(), []);
});

Deno.test("ragged CSV rows with csv.ragged_rows: fail: exit 3 naming file and line", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  await writeText(data, "a.csv", "id,name,code\n7,g,h\n");
  await writeText(data, "b.csv", RAGGED);
  const path = await kontract(dir.path, "data/", ["csv: { ragged_rows: fail }"]);
  assertOneLineError(
    await runCli(["validate", path]),
    3,
    new RegExp(
      "^kontra: 2 ragged CSV rows \\(a field count other than the header's\\) in b\\.csv: 2 " +
        "\\(first at line 3: 2 fields, header 3\\); csv\\.ragged_rows is fail\n$",
    ),
  );
  // The same files without ragged rows pass.
  await writeText(data, "b.csv", "id,name,code\n1,a,x\n");
  assertEquals((await runCli(["validate", path])).code, 0);
  assertEquals(liveTempDirs(), []);
});

Deno.test("csv.ragged_rows: a wrong value or key is a Kontract error at its line", async () => {
  await using dir = await tempDir();
  await writeText(dir.path, "data.csv", "id,name\n1,a\n");
  const wrong = await kontract(dir.path, "data.csv", ["csv: { ragged_rows: maybe }"]);
  assertOneLineError(await runCli(["validate", wrong]), 2, /k\.yml:3:\d+: csv\.ragged_rows: /);
  const unknown = await kontract(dir.path, "data.csv", ["csv:", "  ragged: warn"]);
  assertOneLineError(
    await runCli(["validate", unknown]),
    2,
    /k\.yml:4:3: csv\.ragged: unknown field/,
  );
});

Deno.test("CSV records as Polars reads them: quotes, blank lines, CRLF, no newline", async () => {
  await using dir = await tempDir();
  const cases: [string, string, number, number][] = [
    // [name, text, rows, ragged]
    ["quoted", 'id,name\n1,"a,b"\n2,"line\nbreak"\n3,"say ""hi"", ok"\n', 3, 0],
    ["crlf", "id,name\r\n1,a\r\n2,b\r\n", 2, 0],
    ["no_final_newline", "id,name\n1,a\n2,b", 2, 0],
    ["blank_line", "id,name\n1,a\n\n2,b\n", 3, 1],
    ["long_last_row", "id,name\n1,a\n2,b,c", 2, 1],
  ];
  for (const [name, text, rows, ragged] of cases) {
    await writeText(dir.path, `${name}.csv`, text);
    const warnings: string[] = [];
    const result = await validate({
      name,
      datasource: join(dir.path, `${name}.csv`),
      rules: [{ name: "not_null", params: { column: "id" } }],
    }, { actions: false, onWarning: (message) => warnings.push(message) });
    assertEquals(result.document.dataset.rows, rows, name);
    assertEquals(warnings.length, ragged === 0 ? 0 : 1, name);
    if (ragged > 0) assert.match(warnings[0], new RegExp(`^${ragged} ragged CSV row `));
  }
});

Deno.test("ragged CSV objects in S3 are counted like local files", async () => {
  await using dir = await tempDir();
  const server = await startS3Server();
  const env = server.env();
  const saved = Object.keys(env).map((key) => [key, Deno.env.get(key)] as const);
  try {
    await server.createBucket("lake");
    await server.putBytes("lake", "r/a.csv", new TextEncoder().encode(RAGGED));
    await server.putBytes("lake", "r/b.csv", new TextEncoder().encode("id,name,code\n9,z\n"));
    for (const [key, value] of Object.entries(env)) Deno.env.set(key, value);
    const warnings: string[] = [];
    const result = await validate({
      name: "s3",
      datasource: "s3://lake/r/",
      rules: [{ name: "not_null", params: { column: "code" } }],
    }, { actions: false, onWarning: (message) => warnings.push(message) });
    assertEquals(result.results[0].failed_count, 2);
    assertEquals(result.document.dataset.rows, 6);
    assert.match(
      warnings[0],
      new RegExp(
        "^3 ragged CSV rows .* in a\\.csv: 2 \\(first at line 3.*, " +
          "b\\.csv: 1 \\(first at line 2: 2 fields, header 3\\)",
      ),
    );
    assertEquals(result.document.warnings, warnings);
    assertEquals(dir.path.length > 0, true);
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
    await server.close();
  }
});

Deno.test("a directory of symbolic links to files is read through them", async () => {
  await using dir = await tempDir();
  const store = join(dir.path, "store");
  const links = join(dir.path, "links");
  await Deno.mkdir(store);
  await Deno.mkdir(links);
  await Deno.mkdir(join(dir.path, "sub.parquet")); // a directory, linked: not data
  goodParquet(store, "x.parquet");
  goodParquet(store, "y.parquet");
  await Deno.symlink(join(store, "x.parquet"), join(links, "x.parquet"));
  await Deno.symlink("../store/y.parquet", join(links, "y.parquet"));
  await Deno.symlink(join(dir.path, "sub.parquet"), join(links, "sub.parquet"));
  for (const metadata of [true, false]) {
    const result = await validate({
      name: "links",
      datasource: links,
      rules: [
        { name: "not_null", params: { column: "name" } },
        { name: "unique", params: { column: "id" } },
      ],
    }, { metadata, actions: false });
    assertEquals(result.results.map((r) => r.failed_count), [2, 3]);
    assertEquals(result.document.dataset.rows, 6);
  }
  // The dataset directory itself may be a link.
  await Deno.symlink(links, join(dir.path, "alias"));
  const aliased = await validate({
    name: "alias",
    datasource: join(dir.path, "alias"),
    rules: [{ name: "min_rows", params: { threshold: 6 } }],
  }, { actions: false });
  assertEquals(aliased.results[0].failed_count, 0);
});

Deno.test("symbolic links that loop or lead nowhere: exit 2 naming the link, no hang", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  await Deno.mkdir(data);
  goodParquet(data, "a.parquet");
  await Deno.symlink(join(data, "c.parquet"), join(data, "b.parquet"));
  await Deno.symlink(join(data, "b.parquet"), join(data, "c.parquet"));
  const path = await kontract(dir.path, "data/");
  const started = performance.now();
  assertOneLineError(
    await runCli(["validate", path]),
    2,
    new RegExp(
      "^kontra: b\\.parquet: a symbolic link that leads to no file " +
        "\\(its target is missing, or links loop\\)\n$",
    ),
  );
  assert.ok(performance.now() - started < 10_000);
  await Deno.remove(join(data, "c.parquet"));
  await Deno.remove(join(data, "b.parquet"));
  await Deno.symlink(join(data, "gone.parquet"), join(data, "b.parquet"));
  assertOneLineError(
    await runCli(["validate", path]),
    2,
    /b\.parquet: a symbolic link that leads to no file/,
  );
  // Through a glob too.
  const glob = await kontract(dir.path, "data/*.parquet");
  assertOneLineError(
    await runCli(["validate", glob]),
    2,
    /b\.parquet: a symbolic link that leads to no file/,
  );
});

Deno.test("a 0-byte CSV file holds no rows: left out, never an error", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  await writeText(data, "a.csv", "id,name\n1,a\n2,\n");
  await writeText(data, "b.csv", "");
  const result = await validate({
    name: "empty",
    datasource: data,
    rules: [{ name: "not_null", params: { column: "name" } }],
  }, { actions: false });
  assertEquals(result.results[0].failed_count, 1);
  assertEquals(result.document.dataset.rows, 2);
  const alone = await validate({
    name: "empty",
    datasource: join(data, "b.csv"),
    rules: [{ name: "max_rows", params: { threshold: 0 } }],
  }, { actions: false });
  assertEquals([alone.document.dataset.rows, alone.results[0].failed_count], [0, 0]);
});

/** A byte-by-byte count of records and ragged rows: what the word-at-a-time counter must match. */
function referenceCount(bytes: Uint8Array): string {
  let quoted = false, fieldStart = true, afterQuote = false, fields = 1, line = 1, recordLine = 1;
  let header: number | undefined;
  let rows = 0, ragged = 0, end = 0;
  let first: { line: number; fields: number } | undefined;
  const endRecord = (count: number) => {
    if (header === undefined) header = count;
    else {
      rows++;
      if (count !== header) {
        ragged++;
        first ??= { line: recordLine, fields: count };
      }
    }
    line++;
    recordLine = line;
  };
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index];
    if (quoted) {
      if (byte === 0x22) [quoted, afterQuote] = [false, true];
      else if (byte === 0x0a) line++;
    } else if (byte === 0x2c) [fields, fieldStart, afterQuote] = [fields + 1, true, false];
    else if (byte === 0x0a) {
      endRecord(fields);
      [end, fields, fieldStart, afterQuote] = [index + 1, 1, true, false];
    } else if (byte === 0x22 && (fieldStart || afterQuote)) {
      [quoted, fieldStart, afterQuote] = [true, false, false];
    } else [fieldStart, afterQuote] = [false, false];
  }
  if (bytes.length > end) endRecord(fields);
  return JSON.stringify([rows, ragged, first, header]);
}

Deno.test("CSV record counter: any bytes and chunks as byte by byte; rows as Polars", async () => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabets = [
    ["a", ",", '"', "\n", "b", "\r", ","],
    ["a", "b", "c", "d", "e", "f", "g", "h", ",", '"', "\n"],
    ["a", "a", "a", "a", "a", "a", "a", "a", "a", "a", ",", "\n"],
  ];
  for (let round = 0; round < 6000; round++) {
    const alphabet = alphabets[round % alphabets.length];
    let text = "h1,h2,h3\n";
    const length = Math.floor(random() * 200);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    // At a random offset in its buffer, so the words the counter reads are shifted too.
    const shift = Math.floor(random() * 4);
    const encoded = new TextEncoder().encode(text);
    const bytes = new Uint8Array(encoded.length + shift).subarray(shift);
    bytes.set(encoded);
    const counter = new CsvRecordCounter();
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 40);
      counter.push(bytes.subarray(at, at + size));
      at += size;
    }
    counter.finish();
    assertEquals(
      JSON.stringify([counter.rows, counter.ragged, counter.firstRagged, counter.headerFields]),
      referenceCount(bytes),
      JSON.stringify(text),
    );
  }
  // Well-formed CSV with quoted commas, line breaks and quotes, and rows of 1 to 5 fields
  // (the header has 3): rows and ragged rows are known by construction.
  await using dir = await tempDir();
  for (let round = 0; round < 20; round++) {
    const field = () => {
      const kind = Math.floor(random() * 4);
      if (kind === 0) return `"x,${Math.floor(random() * 9)}"`;
      if (kind === 1) return '"two\nlines ""quoted"""';
      return `v${Math.floor(random() * 1000)}`;
    };
    let text = "a,b,c\n";
    let ragged = 0;
    const rows = 50 + Math.floor(random() * 50);
    for (let row = 0; row < rows; row++) {
      const fields = random() < 0.8 ? 3 : 1 + Math.floor(random() * 5);
      if (fields !== 3) ragged++;
      text += Array.from({ length: fields }, field).join(",") + "\n";
    }
    const path = await writeText(dir.path, `r${round}.csv`, text);
    const counter = new CsvRecordCounter();
    counter.push(new TextEncoder().encode(text));
    counter.finish();
    assertEquals([counter.rows, counter.ragged], [rows, ragged]);
    const polars = pl.scanCSV(path, { truncateRaggedLines: true, inferSchemaLength: 0 })
      .select(pl.len()).collectSync().getColumn("len").get(0);
    assertEquals(Number(polars), rows);
  }
});
