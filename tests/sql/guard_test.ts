/** The user-SQL gate: one read-only SELECT, checked with a real parser. */
import { assertEquals } from "../support/assert.ts";
import { bindTable, checkUserSelect } from "../../src/sql/guard.ts";
import { duckdb } from "../../src/sql/duckdb.ts";

Deno.test("accepts single SELECTs, including CTEs, joins and aggregates", () => {
  for (
    const sql of [
      "SELECT * FROM {table} WHERE age < 0",
      "WITH d AS (SELECT email, count(*) AS n FROM {table} GROUP BY email) SELECT * FROM d WHERE n > 1",
      "SELECT a.* FROM {table} a JOIN {table} b ON a.id = b.id WHERE a.email <> b.email",
      "select email from {table} where email not like '%@%'",
    ]
  ) {
    assertEquals(checkUserSelect(sql), undefined, sql);
  }
});

Deno.test("rejects anything but one read-only SELECT, naming why", () => {
  const cases: [string, string][] = [
    ["SELECT 1; SELECT 2", "must be exactly one statement"],
    ["DELETE FROM {table}", "must be a SELECT, not DELETE"],
    ["UPDATE {table} SET a = 1", "must be a SELECT, not UPDATE"],
    ["DROP TABLE {table}", "must be a SELECT, not DROP"],
    ["SELECT 1; DROP TABLE x", "must be exactly one statement"],
    ["SELECT pg_sleep(10)", "may not call pg_sleep()"],
    ["SELECT * FROM read_parquet('/etc/passwd')", "may not call read_parquet()"],
    ["SELECT * FROM read_csv_auto('x.csv')", "may not call read_csv_auto()"],
    ["SELECT * FROM glob('*')", "may not call glob()"],
    ["SELECT dblink('host=x', 'select 1')", "may not call dblink()"],
    ["SELECT * FROM pg_catalog.pg_tables", "may not read system catalogs (pg_catalog)"],
    [
      "SELECT * FROM information_schema.columns",
      "may not read system catalogs (information_schema)",
    ],
  ];
  for (const [sql, reason] of cases) assertEquals(checkUserSelect(sql), reason, sql);
});

Deno.test("unparseable SQL is refused with the parser's reason", () => {
  for (const sql of ["COPY x TO '/tmp/y'", "ATTACH 'x.db' AS y", "SELEC 1"]) {
    const problem = checkUserSelect(sql) ?? "";
    assertEquals(problem.startsWith("not a SELECT the SQL parser understands"), true, sql);
  }
});

Deno.test("{table} binds to the quoted dataset everywhere it appears", () => {
  assertEquals(
    bindTable("SELECT * FROM {table} a JOIN {table} b ON true", duckdb.ident('my "t"')),
    'SELECT * FROM "my ""t""" a JOIN "my ""t""" b ON true',
  );
});

Deno.test("the DuckDB dialect quotes identifiers and literals safely", () => {
  assertEquals(duckdb.ident('a"b'), '"a""b"');
  assertEquals(duckdb.literal("it's"), "'it''s'");
  assertEquals(duckdb.literal(null), "NULL");
  assertEquals(duckdb.literal(true), "TRUE");
  assertEquals(duckdb.literal(2.5), "2.5");
  let refused = false;
  try {
    duckdb.literal(Number.NaN);
  } catch {
    refused = true;
  }
  assertEquals(refused, true);
  assertEquals(duckdb.regexSearch('"e"', "^a"), `regexp_matches("e", '^a')`);
});
