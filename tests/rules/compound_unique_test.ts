/**
 * Compound `unique` (`columns: [a, b, …]`) on every tier (Parquet with footers on and
 * off, CSV, S3, PostgreSQL, the Snowflake test server, MySQL/MariaDB), with counts known
 * by construction; its id, result and explanation; the bounded-memory DuckDB path on
 * files (one hash of the tuple, then values where hashes repeat) against Polars'
 * partitioned passes; and its bad params as Kontract errors at file:line:col.
 */
import pl from "nodejs-polars";
import { relative } from "node:path";
import { explain, KontractError, validate } from "../../mod.ts";
import { countDuplicatesInDuckdb, duplicatesSql } from "../../src/engine/duckdb_duplicates.ts";
import { duplicatedValues } from "../../src/engine/measures/duplicates.ts";
import { countDuplicates } from "../../src/engine/scan.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { testEveryTier, type TierCase } from "../support/every_tier.ts";
import { tempDir, writeBoth, writeText } from "../support/fixtures.ts";
import { loadFrame as loadMysql, mysqlTest, requireMysql, tempDatabase } from "../support/mysql.ts";
import {
  loadFrame as loadPostgres,
  pgTest,
  requirePostgres,
  tempSchema,
} from "../support/postgres.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

// ------------------------------------------------------------------ accountsFrame
//
// row      1   2   3   4   5   6   7     8     9     10    11    12  13    14
// user_id  1   1   1   2   2   2   NULL  NULL  3     3     4     4   5     5
// email    a   a   a   a   b   b   a     a     NULL  NULL  A     a   "a "  a
// country  US  US  DE  US  US  FR  US    US    US    US    US    US  US    US
// team     7   7   7   7   7   8   7     7     7     7     NULL  7   7     7
//
// Rows 11/12 differ by case only and 13/14 by a trailing space: distinct byte for byte
// (MySQL's default collations would fold both).
function accountsFrame() {
  return pl.DataFrame({
    user_id: pl.Series("user_id", [1, 1, 1, 2, 2, 2, null, null, 3, 3, 4, 4, 5, 5], pl.Int64),
    email: ["a", "a", "a", "a", "b", "b", "a", "a", null, null, "A", "a", "a ", "a"],
    country: ["US", "US", "DE", "US", "US", "FR", "US", "US", "US", "US", "US", "US", "US", "US"],
    team: pl.Series("team", [7, 7, 7, 7, 7, 8, 7, 7, 7, 7, null, 7, 7, 7], pl.Int32),
  });
}

const CASES: TierCase[] = [
  // (1, a) on rows 1–3 (2 beyond the first), (2, b) on rows 5–6 (1); rows 7–10 hold a
  // NULL and are ignored; (4, A) ≠ (4, a) and (5, "a ") ≠ (5, a). Quarantine: rows 1, 2,
  // 3, 5, 6.
  { rule: "unique", params: { columns: ["user_id", "email"] }, failed: 3, quarantined: 5 },
  // The same tuple in another order: the same rows.
  { rule: "unique", params: { columns: ["email", "user_id"] }, failed: 3, quarantined: 5 },
  // Three columns: only (1, a, US) repeats, on rows 1–2.
  {
    rule: "unique",
    params: { columns: ["user_id", "email", "country"] },
    failed: 1,
    quarantined: 2,
  },
  // Text with text: (a, US) on rows 1, 2, 4, 7, 8, 12, 14 (6 beyond the first); rows 9
  // and 10 have no email.
  { rule: "unique", params: { columns: ["email", "country"] }, failed: 6, quarantined: 7 },
  // Int32 with text: (7, a) on rows 1, 2, 3, 4, 7, 8, 12, 14; row 11 has no team.
  { rule: "unique", params: { columns: ["team", "email"] }, failed: 7, quarantined: 8 },
  // when: only rows with country US take part: (1, a) on rows 1–2; row 3 (DE) is neither
  // a duplicate nor makes one.
  {
    rule: "unique",
    params: { columns: ["user_id", "email"] },
    when: "country = 'US'",
    failed: 1,
    quarantined: 2,
  },
  // Only the rows with email b: (2, US) and (2, FR) differ.
  { rule: "unique", params: { columns: ["user_id", "country"] }, when: "email = 'b'", failed: 0 },
  // Tolerated: 3 duplicates, at most 3 allowed, so nothing is quarantined.
  {
    rule: "unique",
    params: { columns: ["user_id", "email"] },
    tolerance: { max_failed: 3 },
    failed: 3,
    passed: true,
    quarantined: 0,
  },
  // One column still works as before: user_id 1, 2 three times, 3, 4, 5 twice; all 12
  // rows holding them are quarantined.
  { rule: "unique", params: { column: "user_id" }, failed: 7, quarantined: 12 },
];

testEveryTier("compound unique", accountsFrame, CASES);

Deno.test("compound unique: id, column, message; a missing column fails with did-you-mean", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(accountsFrame(), dir.path, "accounts");
  const result = await validate({
    name: "t",
    datasource: parquet,
    rules: [
      { name: "unique", params: { columns: ["user_id", "email"] } },
      { name: "unique", params: { columns: ["user_id", "email"] }, id: "mine" },
      { name: "unique", params: { columns: ["email", "country"] }, when: "team = 8" },
      { name: "unique", params: { columns: ["user_id", "emial"] } },
      { name: "unique", params: { columns: ["usr_id", "email", "country"] } },
    ],
  });
  assertEquals(
    result.results.map((rule) => [rule.rule_id, rule.column, rule.failed_count, rule.message]),
    [
      ["COL:user_id,email:unique", "user_id", 3, "3 duplicate (user_id, email) tuples"],
      ["mine", "user_id", 3, "3 duplicate (user_id, email) tuples"],
      [
        "COL:email,country:unique",
        "email",
        0,
        "(email, country) tuples are unique where team = 8",
      ],
      // Every row (14) fails, as on a missing column, whichever column of the tuple.
      [
        "COL:user_id,emial:unique",
        "user_id",
        14,
        'column "emial" not found in the data (did you mean "email"?)',
      ],
      [
        "COL:usr_id,email,country:unique",
        "usr_id",
        14,
        'column "usr_id" not found in the data (did you mean "user_id"?)',
      ],
    ],
  );
});

// `tag` is email as a Categorical, a type DuckDB does not group exactly as Polars does:
// a tuple holding it is counted by Polars' hash-partitioned passes.
function taggedFrame() {
  return accountsFrame().withColumns(pl.col("email").cast(pl.Categorical).alias("tag"));
}

Deno.test("compound unique: a tuple with a type only Polars groups exactly is counted and quarantined by Polars", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/tagged.parquet`;
  taggedFrame().writeParquet(path);
  const kontract = {
    name: "t",
    datasource: path,
    rules: [
      { name: "unique", params: { columns: ["user_id", "tag"] } },
      { name: "unique", params: { columns: ["tag", "country"] }, when: "team = 7" },
    ],
  };
  const result = await validate(kontract);
  // As (user_id, email) and (email, country) of the cases above; with team = 7, (a, US)
  // on rows 1, 2, 4, 7, 8, 12, 14 (row 11 has no team).
  assertEquals(result.results.map((rule) => rule.failed_count), [3, 6]);
  const action = await result.quarantine({ location: `${dir.path}/dlq` });
  const manifest = JSON.parse(await Deno.readTextFile(`${action.location}_manifest.json`));
  assertEquals(manifest.rows_per_rule, {
    "COL:user_id,tag:unique": 5,
    "COL:tag,country:unique": 7,
  });
});

Deno.test("compound unique: --explain names the tuple and how it is counted", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/tagged.parquet`;
  taggedFrame().writeParquet(path);
  const plan = await explain({
    name: "t",
    datasource: path,
    rules: [
      { name: "unique", params: { columns: ["user_id", "email"] } },
      { name: "unique", params: { columns: ["team", "tag"] } },
    ],
  });
  const reads = plan.reads.map((read) => read.what);
  assert.ok(
    reads.includes(
      "duplicates of the tuple user_id (Int64), email (String), rows with a NULL in it " +
        "ignored: DuckDB: GROUP BY one 64-bit hash of the tuple, then by the values where " +
        "hashes repeat (spilling to disk), over the dataset's own DuckDB table",
    ),
    reads.join("\n"),
  );
  assert.ok(
    reads.some((what) =>
      what.startsWith("duplicates of the tuple team (Int32), tag (Categorical)") &&
      what.includes("Polars GROUP BY the tuple in hash partitions of 2500000 rows")
    ),
    reads.join("\n"),
  );
  assertEquals(plan.rules.map((rule) => rule.columns), [["user_id", "email"], ["team", "tag"]]);
});

// ------------------------------------------------------------------ fail-fast

/** Fail-fast (`tally: false`): the EXISTS of the grouped tuples stops at the first repeat. */
async function checkFailFast(datasource: string, env: Record<string, string>): Promise<void> {
  const result = await validate({
    name: "fail-fast",
    datasource,
    rules: [
      // (1, a) repeats: found, the count a lower bound of 1.
      { name: "unique", id: "found", params: { columns: ["user_id", "email"] }, tally: false },
      // Rows with email b: (2, US) and (2, FR) differ.
      {
        name: "unique",
        id: "none",
        params: { columns: ["user_id", "country"] },
        when: "email = 'b'",
        tally: false,
      },
      // Rows 7–10 repeat (NULL, a, US) and (3, NULL, US): a tuple with a NULL is no repeat.
      {
        name: "unique",
        id: "nulls",
        params: { columns: ["user_id", "email", "country"] },
        when: "user_id IS NULL OR email IS NULL",
        tally: false,
      },
    ],
  }, { env });
  assertEquals(
    result.results.map((r) => [r.rule_id, r.failed_count, r.passed]),
    [["found", 1, false], ["none", 0, true], ["nulls", 0, true]],
    datasource,
  );
}

Deno.test(pgTest("compound unique: fail-fast on PostgreSQL"), async () => {
  const postgres = requirePostgres();
  await using schema = await tempSchema(postgres);
  await loadPostgres(postgres, schema.name, "accounts", accountsFrame());
  await checkFailFast(`${postgres.url}/${schema.name}.accounts`, {});
});

Deno.test(mysqlTest("compound unique: fail-fast on MariaDB"), async () => {
  const mysql = requireMysql();
  await using db = await tempDatabase(mysql);
  await loadMysql(mysql, db.name, "accounts", accountsFrame());
  await checkFailFast(`${db.url}/accounts`, {});
});

Deno.test("compound unique: fail-fast on the Snowflake test server", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(accountsFrame(), dir.path, "accounts");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("accounts", parquet);
    await checkFailFast(sf.tableUri("accounts"), sf.env);
  });
});

// ------------------------------------------------------------------ bounded memory

// By construction: row i holds (i mod DISTINCT, "u<i mod DISTINCT>"), and no email on
// rows where i is a multiple of 7. Each tuple's repeats are its non-NULL rows beyond the
// first.
const ROWS = 600_000;
const DISTINCT = 200_000;

function tupleRows() {
  const ids = Array.from({ length: ROWS }, (_, i) => i % DISTINCT);
  const emails = ids.map((id, i) => i % 7 === 0 ? null : `u${id}`);
  return pl.DataFrame({ user_id: pl.Series("user_id", ids, pl.Int64), email: emails });
}

function expectedRepeats(): number {
  const present = new Map<number, number>();
  for (let i = 0; i < ROWS; i++) {
    if (i % 7 !== 0) present.set(i % DISTINCT, (present.get(i % DISTINCT) ?? 0) + 1);
  }
  return [...present.values()].reduce((sum, rows) => sum + rows - 1, 0);
}

Deno.test("compound unique on files: DuckDB's hash path under a small memory limit agrees with Polars", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/tuples.parquet`;
  tupleRows().writeParquet(path);
  const expected = expectedRepeats();
  const columns = [{ name: "user_id", dtype: "Int64" }, { name: "email", dtype: "String" }];
  const sql = duplicatesSql(`read_parquet('${path}')`, columns);
  assert.match(sql, /hash\("user_id", "email"\)/);
  assert.match(sql, /GROUP BY "user_id", "email"/);
  const started: string[] = [];
  const found = await countDuplicatesInDuckdb(
    {
      from: `read_parquet('${path}')`,
      allowedPaths: [path],
      exactTypes: true,
      release: () => Promise.resolve(),
    },
    [{ key: "k", column: columns[0], columns }],
    { memoryLimit: "64MB", onColumn: (column) => started.push(column) },
  );
  assertEquals([found.counts.get("k"), found.passes, started], [expected, 2, ["user_id,email"]]);
  // Polars, in 7 hash partitions of the tuple: the same count, and the same tuples.
  const scan = () => pl.scanParquet(path);
  assertEquals(countDuplicates(scan, ["user_id", "email"], ROWS, 100_000).count, expected);
  assertEquals(duplicatedValues(scan, ["user_id", "email"], ROWS, 100_000).length, DISTINCT);
  // Through a Kontract: the plan picks DuckDB, and the count is the same.
  const result = await validate({
    name: "t",
    datasource: path,
    rules: [{ name: "unique", params: { columns: ["user_id", "email"] } }],
  });
  assertEquals(result.results[0].failed_count, expected);
});

// ------------------------------------------------------------------ bad params

function label(path: string): string {
  return relative(Deno.cwd(), path);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("compound unique: bad params are Kontract errors at the param's file:line:col", async () => {
  await using dir = await tempDir();
  const { parquet } = writeBoth(accountsFrame(), dir.path, "accounts");
  // Each rule's params are line 5 of its Kontract, from column 13 (`    params: `).
  const cases: { params: string; at: string; error: string }[] = [
    {
      params: "{ column: email, columns: [user_id, email] }",
      at: "[user_id",
      error: "rules[0].params.columns: give column: or columns:, not both",
    },
    {
      params: "{ columns: [email] }",
      at: "[email]",
      error: "rules[0].params.columns: columns needs two or more columns; use column: for one",
    },
    {
      params: "{ columns: [email, email] }",
      at: "[email, email]",
      error: "rules[0].params.columns: columns must all differ",
    },
    {
      params: "{}",
      at: "",
      error: "rules[0].params.column: required (or columns: for two or more columns)",
    },
    {
      params: "{ columns: [email, 3] }",
      at: "3",
      error: "rules[0].params.columns[1]: Invalid input",
    },
  ];
  for (const [index, { params, at, error }] of cases.entries()) {
    const path = await writeText(
      dir.path,
      `case${index}.yml`,
      `name: t\ndatasource: ${parquet}\nrules:\n  - name: unique\n    params: ${params}\n`,
    );
    const column = 13 + (at === "" ? 0 : params.indexOf(at));
    await assertRejectsWith(
      validate(path),
      KontractError,
      new RegExp(`^${escapeRegExp(`${label(path)}:5:${column}: ${error}`)}`),
      2,
    );
  }
});
