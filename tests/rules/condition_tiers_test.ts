/**
 * A compiled `when:` condition selects exactly the same rows on every engine: Polars
 * (Parquet scan), DuckDB (the duplicates pass), PostgreSQL, the Snowflake test server and
 * MariaDB, each through Kontra's own source and session. The rows each condition must
 * select are computed independently here, from the rows as JavaScript values, with SQL's
 * three-valued logic (`expectedRows`): every engine is checked against that reference.
 *
 * Then the CLASS of injection: whatever text a condition holds (quotes, doubled quotes,
 * backslashes, comment markers, semicolons, unicode quotes, line breaks, long values,
 * hostile column names), the SQL holds only identifiers and literals the dialect made, so
 * each condition counts on every engine exactly what it says, and a canary table survives.
 */
import pl from "nodejs-polars";
import { DuckDBInstance } from "@duckdb/node-api";
import { assertEquals } from "../support/assert.ts";
import { tempDir, writeBoth } from "../support/fixtures.ts";
import { HOSTILE_COLUMNS, HOSTILE_VALUES, hostileFrame } from "../support/hostile.ts";
import {
  ident as myIdent,
  loadFrame as loadMysql,
  mysqlTest,
  requireMysql,
  tempDatabase,
} from "../support/mysql.ts";
import {
  loadFrame as loadPostgres,
  pgTest,
  requirePostgres,
  tempSchema,
} from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";
import { openSource } from "../../src/open_source.ts";
import type { Source } from "../../src/sources/source.ts";
import type { Environment } from "../../src/core/environment.ts";
import { withPrefix } from "../../src/sql/sql_access.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import { compileCondition } from "../../src/rules/condition_compile.ts";
import type { RowCondition } from "../../src/rules/define.ts";
import type { Dialect } from "../../src/sql/dialect.ts";

// ------------------------------------------------------------------ the rows

/** One row as JavaScript values; dates and timestamps in one fixed form (UTC for `z`). */
interface Row {
  id: number;
  n: number | null;
  f: number | null;
  s: string | null;
  b: boolean | null;
  d: string | null;
  t: string | null;
  z: string | null;
}

// Text that collations order differently from bytes ("A" < "a" < "B" by bytes, not in
// ICU), trailing spaces, case, unicode; timestamps a microsecond apart; NULLs in every
// column but id.
const ROWS: Row[] = [
  row(1, 1, 1.5, "a", true, "2024-01-01", "2024-01-01 00:00:00", "2024-01-01 00:00:00"),
  row(2, 2, -0.5, "A", false, "2024-01-02", "2024-01-01 12:00:00", "2024-01-01 23:59:59.999999"),
  row(3, null, 2.5, "a ", true, null, "2024-01-02 00:00:00", null),
  row(4, 3, null, "b", null, "2024-02-29", null, "2024-01-02 00:00:00"),
  row(5, 4, 0, "é", false, "2023-12-31", "2023-12-31 23:59:59.999999", "2023-12-31 23:00:00"),
  row(6, 2, 3, "", true, "2024-01-01", "2024-01-01 00:00:00.000001", "2024-03-01 00:00:00"),
  row(7, -1, 2, null, false, "2024-03-01", "2024-01-01 00:00:00", "2024-01-01 01:00:00"),
  row(8, 10, 10, "ab", null, "2024-01-03", "2024-01-03 08:30:00", "2024-01-01 00:00:00"),
  row(9, null, null, "B", true, null, null, null),
  row(10, 0, 0.1, "z", true, "2024-01-02", "2024-01-02 00:00:00", "2024-01-02 00:00:00"),
  row(11, 7, 7, "日本", false, "2024-01-01", "2024-01-01 00:00:00", "2024-01-01 00:00:00.5"),
  row(12, 5, 1.5, "a", null, "2024-01-02", "2024-01-02 00:00:00", "2024-01-02 12:00:00"),
];

function row(
  id: number,
  n: number | null,
  f: number | null,
  s: string | null,
  b: boolean | null,
  d: string | null,
  t: string | null,
  z: string | null,
): Row {
  return { id, n, f, s, b, d, t: t && micros(t), z: z && micros(z) };
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`: one fixed form, so text order is time order. */
function micros(text: string): string {
  const [wall, fraction = ""] = text.split(".");
  return `${wall}.${fraction.padEnd(6, "0")}`;
}

/** Microseconds since 1970 of a fixed-form timestamp, as Polars stores it. */
function epochMicros(text: string): number {
  const [wall, fraction] = text.split(".");
  return Date.parse(`${wall.replace(" ", "T")}Z`) * 1000 + Number(fraction);
}

/** The rows as a Polars frame: the types the engines get too. */
function conditionFrame(): pl.DataFrame {
  const column = <K extends keyof Row>(key: K) => ROWS.map((r) => r[key]);
  // Built without a type, then cast: nodejs-polars turns NULL into 0 when given one.
  const days = column("d").map((d) =>
    d === null ? null : Date.parse(`${d}T00:00:00Z`) / 86_400_000
  );
  const times = (key: "t" | "z") => column(key).map((t) => t === null ? null : epochMicros(t));
  return pl.DataFrame([
    pl.Series("id", column("id")).cast(pl.Int64),
    pl.Series("n", column("n")).cast(pl.Int32),
    pl.Series("f", column("f")).cast(pl.Float64),
    pl.Series("s", column("s"), pl.Utf8),
    pl.Series("b", column("b"), pl.Bool),
    pl.Series("d", days).cast(pl.Int32).cast(pl.Date),
    pl.Series("t", times("t")).cast(pl.Int64).cast(pl.Datetime("us")),
    pl.Series("z", times("z")).cast(pl.Int64).cast(pl.Datetime("us", "UTC")),
  ]);
}

// ------------------------------------------------------------------ the reference

type Truth = boolean | null;
const not = (a: Truth): Truth => a === null ? null : !a;
const and = (a: Truth, b: Truth): Truth =>
  a === false || b === false ? false : a === null || b === null ? null : true;
const or = (a: Truth, b: Truth): Truth =>
  a === true || b === true ? true : a === null || b === null ? null : false;

type Op = "=" | "!=" | "<" | "<=" | ">" | ">=";
const encoder = new TextEncoder();

/** UTF-8 byte order: how Polars orders text. */
function byteOrder(a: string, b: string): number {
  const [x, y] = [encoder.encode(a), encoder.encode(b)];
  for (let index = 0; index < Math.min(x.length, y.length); index++) {
    if (x[index] !== y[index]) return x[index] - y[index];
  }
  return x.length - y.length;
}

/** `a op b` in three-valued logic: NULL when either side is NULL. */
function compare<T extends string | number | boolean>(
  a: T | null,
  op: Op,
  b: T | null,
  order?: (a: T, b: T) => number,
): Truth {
  if (a === null || b === null) return null;
  const sign = order ? order(a, b) : (a < b ? -1 : a > b ? 1 : 0);
  return {
    "=": sign === 0,
    "!=": sign !== 0,
    "<": sign < 0,
    "<=": sign <= 0,
    ">": sign > 0,
    ">=": sign >= 0,
  }[op];
}

const text = (a: string | null, op: Op, b: string | null) => compare(a, op, b, byteOrder);
const member = <T>(a: T | null, values: T[]): Truth =>
  a === null ? null : values.some((value) => value === a);

/** A condition and the truth it must have on each row. */
interface Atom {
  text: string;
  truth: (r: Row) => Truth;
}

const ATOMS: Atom[] = [
  { text: "n = 2", truth: (r) => compare(r.n, "=", 2) },
  { text: "n != 2", truth: (r) => compare(r.n, "!=", 2) },
  { text: "n < 3", truth: (r) => compare(r.n, "<", 3) },
  { text: "n >= '3'", truth: (r) => compare(r.n, ">=", 3) },
  { text: "n IN (1, 3, 10)", truth: (r) => member(r.n, [1, 3, 10]) },
  { text: "n NOT IN (1, 3)", truth: (r) => not(member(r.n, [1, 3])) },
  { text: "n IS NULL", truth: (r) => r.n === null },
  { text: "f > 1.5", truth: (r) => compare(r.f, ">", 1.5) },
  { text: "f <= 0", truth: (r) => compare(r.f, "<=", 0) },
  { text: "f = 0.1", truth: (r) => compare(r.f, "=", 0.1) },
  { text: "f <> -0.5", truth: (r) => compare(r.f, "!=", -0.5) },
  { text: "s = 'a'", truth: (r) => text(r.s, "=", "a") },
  { text: "s != 'a'", truth: (r) => text(r.s, "!=", "a") },
  { text: "s < 'b'", truth: (r) => text(r.s, "<", "b") },
  { text: "s >= 'a '", truth: (r) => text(r.s, ">=", "a ") },
  { text: "s IN ('A', 'é', '')", truth: (r) => member(r.s, ["A", "é", ""]) },
  { text: "s > ''", truth: (r) => text(r.s, ">", "") },
  { text: "'b' > s", truth: (r) => text("b", ">", r.s) },
  { text: "s IS NOT NULL", truth: (r) => r.s !== null },
  { text: "b = TRUE", truth: (r) => compare(r.b, "=", true) },
  { text: "b != false", truth: (r) => compare(r.b, "!=", false) },
  { text: "b IS NULL", truth: (r) => r.b === null },
  { text: "d >= '2024-01-02'", truth: (r) => compare(r.d, ">=", "2024-01-02") },
  { text: "d = '2024-01-01'", truth: (r) => compare(r.d, "=", "2024-01-01") },
  {
    text: "d IN ('2024-02-29', '2023-12-31')",
    truth: (r) => member(r.d, ["2024-02-29", "2023-12-31"]),
  },
  {
    text: "t > '2024-01-01 12:00'",
    truth: (r) => compare(r.t, ">", micros("2024-01-01 12:00:00")),
  },
  { text: "t = '2024-01-02'", truth: (r) => compare(r.t, "=", micros("2024-01-02 00:00:00")) },
  // A naive column compares the UTC wall time: Z takes nothing off.
  {
    text: "t <= '2024-01-01T00:00:00Z'",
    truth: (r) => compare(r.t, "<=", micros("2024-01-01 00:00:00")),
  },
  // 01:00 at +01:00 is midnight UTC.
  {
    text: "z > '2024-01-01T01:00:00+01:00'",
    truth: (r) => compare(r.z, ">", micros("2024-01-01 00:00:00")),
  },
  { text: "z < '2024-01-02'", truth: (r) => compare(r.z, "<", micros("2024-01-02 00:00:00")) },
  {
    text: "z = '2024-01-01 00:00:00.500000Z'",
    truth: (r) => compare(r.z, "=", micros("2024-01-01 00:00:00.5")),
  },
  { text: "n < f", truth: (r) => compare(r.n, "<", r.f) },
  { text: "n = id", truth: (r) => compare(r.n, "=", r.id) },
  // A date compares as its midnight.
  { text: "d < t", truth: (r) => compare(r.d && micros(`${r.d} 00:00:00`), "<", r.t) },
  { text: "t >= z", truth: (r) => compare(r.t, ">=", r.z) },
];

/** Every atom, negated, and combined with others; deep, wide and long conditions. */
function cases(): Atom[] {
  const all: Atom[] = [];
  ATOMS.forEach((a, index) => {
    all.push(a, { text: `NOT ${a.text}`, truth: (r) => not(a.truth(r)) });
    for (const step of [1, 5, 11, 17]) {
      const b = ATOMS[(index + step) % ATOMS.length];
      const c = ATOMS[(index + step + 3) % ATOMS.length];
      all.push(
        { text: `${a.text} AND ${b.text}`, truth: (r) => and(a.truth(r), b.truth(r)) },
        { text: `${a.text} OR ${b.text}`, truth: (r) => or(a.truth(r), b.truth(r)) },
        { text: `NOT (${a.text} OR ${b.text})`, truth: (r) => not(or(a.truth(r), b.truth(r))) },
        {
          text: `${a.text} AND NOT ${b.text} OR ${c.text}`,
          truth: (r) => or(and(a.truth(r), not(b.truth(r))), c.truth(r)),
        },
      );
    }
  });
  // 100 NOTs (an even number) and 100 parentheses: the deepest nesting allowed.
  all.push({ text: `${"NOT ".repeat(100)}n = 2`, truth: (r) => compare(r.n, "=", 2) });
  all.push({
    text: `${"(".repeat(100)}s = 'a'${")".repeat(100)}`,
    truth: (r) => text(r.s, "=", "a"),
  });
  // A wide OR (~9,000 characters) and a long IN list.
  const wide = Array.from({ length: 800 }, (_, value) => `n = ${value}`).join(" OR ");
  all.push({ text: wide, truth: (r) => r.n === null ? null : r.n >= 0 && r.n < 800 });
  const words = Array.from({ length: 900 }, (_, index) => `w${index}`).concat("ab", "日本");
  all.push({
    text: `s IN (${words.map((word) => `'${word}'`).join(", ")})`,
    truth: (r) => member(r.s, ["ab", "日本"]),
  });
  return all;
}

/** The ids where the truth is TRUE (NULL counts as false). */
function expectedRows(atom: Atom): number[] {
  return ROWS.filter((r) => atom.truth(r) === true).map((r) => r.id);
}

// ------------------------------------------------------------------ the engines

/** For each condition, the ids of the rows it selects, in id order. */
type Selected = number[][];

function compiledOn(source: Source, texts: string[]): Promise<RowCondition[]> {
  return source.schema().then((schema) => {
    const columns = new Map(schema.columns.map((column) => [column.name, column]));
    return texts.map((text) => compileCondition(text, columns));
  });
}

/** Selects rows in ONE Polars query over the source's scan. */
async function polarsSelected(source: Source, texts: string[]): Promise<Selected> {
  const conditions = await compiledOn(source, texts);
  const columns = [...new Set(["id", ...conditions.flatMap((c) => c.columns)])];
  const frame = source.scan!(columns)
    .select(pl.col("id"), ...conditions.map((c, index) => c.polars().alias(`c${index}`)))
    .sort("id")
    .collectSync();
  const ids = frame.getColumn("id").toArray().map(Number);
  return conditions.map((_, index) => {
    const flags = frame.getColumn(`c${index}`).toArray();
    return ids.filter((_, at) => flags[at] === true);
  });
}

const CHUNK = 100;

/** `CASE WHEN <condition> THEN 1 ELSE 0 END` per condition, 100 to a statement. */
function selectStatements(
  conditions: RowCondition[],
  dialect: Dialect,
  from: string,
  prefix = "",
): string[] {
  const statements: string[] = [];
  for (let start = 0; start < conditions.length; start += CHUNK) {
    const items = conditions.slice(start, start + CHUNK).map((condition, index) =>
      `CASE WHEN ${condition.sql(dialect)} THEN 1 ELSE 0 END AS ${dialect.ident(`c${index}`)}`
    );
    const id = dialect.ident("id");
    statements.push(`${prefix}SELECT ${id}, ${items.join(", ")} FROM ${from} ORDER BY ${id}`);
  }
  return statements;
}

function collect(results: unknown[][][]): Selected {
  const selected: Selected = [];
  for (const rows of results) {
    const width = rows[0].length - 1;
    for (let index = 0; index < width; index++) {
      selected.push(rows.filter((r) => Number(r[index + 1]) === 1).map((r) => Number(r[0])));
    }
  }
  return selected;
}

/** Selects rows in the source's database, through Kontra's own session. */
async function sqlSelected(source: Source, texts: string[]): Promise<Selected> {
  const access = source.sql!;
  const conditions = await compiledOn(source, texts);
  const results: unknown[][][] = [];
  for (
    const sql of selectStatements(conditions, access.dialect, access.relation, withPrefix(access))
  ) {
    results.push((await access.query(sql)).rows);
  }
  return collect(results);
}

/** Selects rows in DuckDB over a Parquet file, as the duplicates pass does. */
async function duckdbSelected(source: Source, parquet: string, texts: string[]): Promise<Selected> {
  const conditions = await compiledOn(source, texts);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const results: unknown[][][] = [];
    const from = `read_parquet(${duckdb.literal(parquet)})`;
    for (const sql of selectStatements(conditions, duckdb, from)) {
      results.push((await connection.runAndReadAll(sql)).getRows() as unknown[][]);
    }
    return collect(results);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function opened<T>(uri: string, env: Environment, use: (source: Source) => Promise<T>) {
  const source = await openSource(uri, { baseDir: Deno.cwd(), env });
  try {
    return await use(source);
  } finally {
    await source.close?.();
  }
}

/** Every condition whose rows differ from the reference, as `engine: condition: got/expected`. */
function mismatches(engine: string, atoms: Atom[], selected: Selected): string[] {
  return atoms.flatMap((atom, index) => {
    const expected = expectedRows(atom);
    const got = selected[index];
    return JSON.stringify(got) === JSON.stringify(expected)
      ? []
      : [`${engine}: ${atom.text.slice(0, 120)}: got [${got}], expected [${expected}]`];
  });
}

// ------------------------------------------------------------------ truth table

const CASES = cases();
const TEXTS = CASES.map((atom) => atom.text);

Deno.test("condition truth table: Polars over Parquet, and DuckDB", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(conditionFrame(), dir.path, "rows");
  await opened(parquet, {}, async (source) => {
    assertEquals(mismatches("polars", CASES, await polarsSelected(source, TEXTS)), []);
    assertEquals(mismatches("duckdb", CASES, await duckdbSelected(source, parquet, TEXTS)), []);
  });
  // The reference itself, by construction: e.g. rows 1 and 12 hold exactly "a" ("a " and
  // "A" are other values), and n = 2 holds on rows 2 and 6.
  assertEquals(expectedRows(ATOMS.find((atom) => atom.text === "s = 'a'")!), [1, 12]);
  assertEquals(expectedRows(ATOMS[0]), [2, 6]);
});

const pg = pgTest("condition truth table: PostgreSQL (a column in an ICU collation)");
Deno.test(pg, async () => {
  const postgres = requirePostgres();
  await using schema = await tempSchema(postgres);
  const table = `"${schema.name}".cond_rows`;
  // ICU orders "a" < "B" < "b"; the condition must still order text by bytes.
  await postgres.sql.unsafe(
    `CREATE TABLE ${table} (id bigint, n integer, f double precision, ` +
      `s text COLLATE "und-x-icu", b boolean, d date, t timestamp, z timestamptz)`,
  );
  for (const r of ROWS) {
    await postgres.sql.unsafe(
      // Sent as text and cast by PostgreSQL: postgres.js would write a timestamp
      // parameter through a JS Date (milliseconds) and a boolean one as JS truthiness.
      `INSERT INTO ${table} VALUES ($1::text::bigint, $2::text::integer, $3::text::float8, ` +
        `$4::text, $5::text::boolean, $6::text::date, $7::text::timestamp, $8::text::timestamptz)`,
      [r.id, r.n, r.f, r.s, r.b, r.d, r.t, r.z && `${r.z}+00`].map((value) =>
        value === null ? null : String(value)
      ),
    );
  }
  await opened(`${postgres.url}/${schema.name}.cond_rows`, {}, async (source) => {
    assertEquals(mismatches("postgres", CASES, await sqlSelected(source, TEXTS)), []);
  });
});

const my = mysqlTest("condition truth table: MariaDB (default collation folds case and pads)");
Deno.test(my, async () => {
  const mysql = requireMysql();
  await using db = await tempDatabase(mysql);
  const table = `${myIdent(db.name)}.cond_rows`;
  await mysql.query(
    `CREATE TABLE ${table} (id bigint, n int, f double, s varchar(20), b boolean, d date, ` +
      "t datetime(6), z timestamp(6) NULL DEFAULT NULL)",
  );
  // TIMESTAMP values are written in the session's zone: UTC, as Kontra reads them.
  await mysql.query("SET time_zone = '+00:00'");
  for (const r of ROWS) {
    await mysql.query(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      r.id,
      r.n,
      r.f,
      r.s,
      r.b,
      r.d,
      r.t,
      r.z,
    ]);
  }
  await opened(`${db.url}/cond_rows`, {}, async (source) => {
    assertEquals(mismatches("mysql", CASES, await sqlSelected(source, TEXTS)), []);
  });
});

Deno.test("condition truth table: the Snowflake test server", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(conditionFrame(), dir.path, "rows");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("rows", parquet);
    await opened(sf.tableUri("rows"), sf.env, async (source) => {
      assertEquals(mismatches("snowflake", CASES, await sqlSelected(source, TEXTS)), []);
    });
  });
});

// ------------------------------------------------------------------ NaN

// MySQL holds no NaN, so this runs on the engines that do: Polars, DuckDB, PostgreSQL.
// By construction (rows 1–6): f = NaN, 1, NULL, -inf, inf, 2.5; g = NaN, NaN, 1, 1, NULL, 3.
const NAN_F = [NaN, 1, null, -Infinity, Infinity, 2.5];
const NAN_G = [NaN, NaN, 1, 1, null, 3];
const NAN_CASES: [string, number[]][] = [
  ["f > 2", [1, 5, 6]],
  ["f < 2", [2, 4]],
  ["f != 1", [1, 4, 5, 6]],
  ["f = g", [1]],
  ["f < g", [2, 4, 6]],
  ["f >= g", [1]],
  ["NOT f <= 1e308", [1, 5]],
];
const NAN_TEXTS = NAN_CASES.map(([text]) => text);
const NAN_ROWS = NAN_CASES.map(([, rows]) => rows);

Deno.test("condition on floats holding NaN: NaN equals NaN and is above every number", async () => {
  const frame = pl.DataFrame([
    pl.Series("id", NAN_F.map((_, index) => index + 1)).cast(pl.Int64),
    pl.Series("f", NAN_F).cast(pl.Float64),
    pl.Series("g", NAN_G).cast(pl.Float64),
  ]);
  await using dir = await tempDir();
  const { parquet } = writeBoth(frame, dir.path, "nan");
  await opened(parquet, {}, async (source) => {
    assertEquals(await polarsSelected(source, NAN_TEXTS), NAN_ROWS, "polars");
    assertEquals(await duckdbSelected(source, parquet, NAN_TEXTS), NAN_ROWS, "duckdb");
  });
});

const pgNan = pgTest("condition on floats holding NaN: PostgreSQL agrees");
Deno.test(pgNan, async () => {
  const postgres = requirePostgres();
  await using schema = await tempSchema(postgres);
  await postgres.sql.unsafe(`CREATE TABLE "${schema.name}".nan (id bigint, f float8, g float8)`);
  for (const [index, f] of NAN_F.entries()) {
    await postgres.sql.unsafe(
      `INSERT INTO "${schema.name}".nan VALUES ($1::text::bigint, $2::text::float8, $3::text::float8)`,
      [index + 1, f, NAN_G[index]].map((value) => value === null ? null : String(value)),
    );
  }
  await opened(`${postgres.url}/${schema.name}.nan`, {}, async (source) => {
    assertEquals(await sqlSelected(source, NAN_TEXTS), NAN_ROWS);
  });
});

// ------------------------------------------------------------------ injection

// Hostile text beyond HOSTILE_VALUES: none of these is a value of the frame.
const MORE_HOSTILE = [
  "'",
  "''",
  "\\'",
  "x\\",
  "'; DROP TABLE canary; --",
  "') OR 1=1 --",
  "*/ OR 1=1 /*",
  "\u2019 OR \u2018x\u2019=\u2018x",
  "\u201cquoted\u201d",
  "line\nbreak",
  "tab\there",
  "\u2028",
  "%_",
  "$tag$ x $tag$",
  "`backtick`",
  "x".repeat(4_000),
];

/** `'…'` in the condition language. */
const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
/** `"…"` in the condition language. */
const name = (column: string) => `"${column.replaceAll('"', '""')}"`;

/** Conditions on every hostile column with the count each gives, by construction. */
function hostileCases(): [string, number][] {
  // Each column holds HOSTILE_VALUES once each, and one NULL.
  const present = HOSTILE_VALUES.length;
  return HOSTILE_COLUMNS.flatMap((column): [string, number][] => [
    ...HOSTILE_VALUES.map((value): [string, number] => [`${name(column)} = ${quote(value)}`, 1]),
    ...MORE_HOSTILE.map((value): [string, number] => [`${name(column)} = ${quote(value)}`, 0]),
    ...MORE_HOSTILE.map((value): [string, number] => [
      `${name(column)} != ${quote(value)}`,
      present,
    ]),
    [`${name(column)} IN (${[...HOSTILE_VALUES, ...MORE_HOSTILE].map(quote).join(", ")})`, present],
    [`${name(column)} NOT IN (${MORE_HOSTILE.map(quote).join(", ")})`, present],
  ]);
}

async function hostileCounts(
  source: Source,
  texts: string[],
  run: (statement: string) => Promise<unknown[][]>,
  dialect: Dialect,
  from: string,
): Promise<number[]> {
  const conditions = await compiledOn(source, texts);
  const counts: number[] = [];
  for (let start = 0; start < conditions.length; start += 50) {
    const items = conditions.slice(start, start + 50).map((condition) =>
      `SUM(CASE WHEN ${condition.sql(dialect)} THEN 1 ELSE 0 END)`
    );
    const [row] = await run(`SELECT ${items.join(", ")} FROM ${from}`);
    counts.push(...row.map(Number));
  }
  return counts;
}

const HOSTILE = hostileCases();

Deno.test("condition injection: Polars and DuckDB count what the condition says", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(hostileFrame(), dir.path, "hostile");
  const texts = HOSTILE.map(([text]) => text);
  const want = HOSTILE.map(([, count]) => count);
  await opened(parquet, {}, async (source) => {
    const conditions = await compiledOn(source, texts);
    const columns = [...new Set(conditions.flatMap((c) => c.columns))];
    const frame = source.scan!(columns)
      .select(...conditions.map((c, index) => c.polars().cast(pl.UInt32).sum().alias(`c${index}`)))
      .collectSync();
    assertEquals(conditions.map((_, index) => Number(frame.getColumn(`c${index}`).get(0))), want);
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const run = async (sql: string) =>
        (await connection.runAndReadAll(sql)).getRows() as unknown[][];
      const from = `read_parquet(${duckdb.literal(parquet)})`;
      assertEquals(await hostileCounts(source, texts, run, duckdb, from), want);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

const pgHostile = pgTest("condition injection: PostgreSQL counts what the condition says");
Deno.test(pgHostile, async () => {
  const postgres = requirePostgres();
  await using schema = await tempSchema(postgres);
  await loadPostgres(postgres, schema.name, "hostile", hostileFrame());
  await postgres.sql.unsafe(`CREATE TABLE "${schema.name}".canary (x int)`);
  await opened(`${postgres.url}/${schema.name}.hostile`, {}, async (source) => {
    const access = source.sql!;
    const run = async (sql: string) => (await access.query(sql)).rows;
    const texts = HOSTILE.map(([text]) => text);
    assertEquals(
      await hostileCounts(source, texts, run, access.dialect, access.relation),
      HOSTILE.map(([, count]) => count),
    );
  });
  await postgres.sql.unsafe(`SELECT * FROM "${schema.name}".canary`);
});

const myHostile = mysqlTest("condition injection: MariaDB counts what the condition says");
Deno.test(myHostile, async () => {
  const mysql = requireMysql();
  await using db = await tempDatabase(mysql);
  await loadMysql(mysql, db.name, "hostile", hostileFrame());
  await mysql.query(`CREATE TABLE ${myIdent(db.name)}.canary (x int)`);
  await opened(`${db.url}/hostile`, {}, async (source) => {
    const access = source.sql!;
    const run = async (sql: string) => (await access.query(sql)).rows;
    const texts = HOSTILE.map(([text]) => text);
    assertEquals(
      await hostileCounts(source, texts, run, access.dialect, access.relation),
      HOSTILE.map(([, count]) => count),
    );
  });
  await mysql.query(`SELECT * FROM ${myIdent(db.name)}.canary`);
});

Deno.test("condition injection: the Snowflake test server counts what the condition says", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(hostileFrame(), dir.path, "hostile");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("hostile", parquet);
    await opened(sf.tableUri("hostile"), sf.env, async (source) => {
      const access = source.sql!;
      const run = async (sql: string) => (await access.query(sql)).rows;
      const texts = HOSTILE.map(([text]) => text);
      assertEquals(
        await hostileCounts(source, texts, run, access.dialect, access.relation),
        HOSTILE.map(([, count]) => count),
      );
    });
  });
});
