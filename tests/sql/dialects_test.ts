/** The PostgreSQL and Snowflake dialects, the typed IN lists, and the guard's additions. */
import { assert, assertEquals } from "../support/assert.ts";
import { KontractError } from "../../src/core/errors.ts";
import { sqlInList } from "../../src/rules/sql_values.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import { postgresDialect } from "../../src/databases/postgres/dialect.ts";
import { snowflakeDialect } from "../../src/databases/snowflake/dialect.ts";

Deno.test("PostgreSQL quoting: E'' strings with doubled backslashes, NUL refused", () => {
  const pg = postgresDialect;
  assertEquals(pg.ident('we"ird'), '"we""ird"');
  assertEquals(pg.literal("it's"), "E'it''s'");
  assertEquals(pg.literal("a\\b"), "E'a\\\\b'");
  assertEquals(pg.literal("$1 -- /* */"), "E'$1 -- /* */'");
  assertEquals([pg.literal(null), pg.literal(false), pg.literal(-2.5)], ["NULL", "FALSE", "-2.5"]);
  assertEquals(pg.regexSearch('"e"', "\\d"), `("e" ~ E'\\\\d')`);
  assertEquals(pg.castText('"d"'), 'CAST("d" AS text)');
  for (const bad of [() => pg.literal("a\0b"), () => pg.ident("a\0b")]) {
    try {
      bad();
      assert.fail("accepted a NUL");
    } catch (error) {
      assert.ok(error instanceof KontractError);
    }
  }
  assert.throws(() => pg.literal(Number.POSITIVE_INFINITY));
});

Deno.test("Snowflake quoting: backslashes doubled, search semantics with REGEXP_INSTR", () => {
  const sf = snowflakeDialect;
  assertEquals(sf.ident('we"ird'), '"we""ird"');
  assertEquals(sf.literal("it's"), "'it''s'");
  assertEquals(sf.literal("a\\b"), "'a\\\\b'");
  assertEquals(sf.literal("nul\0"), "'nul\\x00'");
  assertEquals(sf.literal("$$x$$"), "'$$x$$'");
  // REGEXP_LIKE / RLIKE match the whole string; Kontra's regex rule searches.
  assertEquals(sf.regexSearch('"e"', "^a\\d"), `(REGEXP_INSTR("e", '^a\\\\d') > 0)`);
  assertEquals(sf.castText('"d"'), 'CAST("d" AS VARCHAR)');
  // Each engine checks user SQL with its own parser.
  assertEquals([sf.guard.engine, postgresDialect.guard.engine, duckdb.guard.engine], [
    "Snowflake",
    "PostgreSQL",
    "DuckDB",
  ]);
});

Deno.test("allowed_values: literals typed like the column, impossible values left out", () => {
  const pg = postgresDialect;
  const values = [20, "30", "abc", true, 1.5];
  assertEquals(sqlInList(pg, '"age"', values, "Int32"), '"age" IN (20, 30)');
  assertEquals(sqlInList(pg, '"x"', values, "Float64"), '"x" IN (20, 30, 1.5)');
  // Decimals compare as 64-bit floats, as the scan compares them.
  assertEquals(
    sqlInList(pg, '"x"', values, "Decimal"),
    'CAST("x" AS DOUBLE PRECISION) IN (20, 30, 1.5)',
  );
  // Text compares byte for byte, whatever the column's collation.
  assertEquals(
    sqlInList(pg, '"s"', values, "String"),
    `("s") COLLATE "C" IN (E'20', E'30', E'abc', E'true', E'1.5')`,
  );
  assertEquals(sqlInList(pg, '"b"', [true, "false", 1], "Bool"), '"b" IN (TRUE, FALSE)');
  assertEquals(
    sqlInList(pg, '"d"', ["2024-01-01", 5], "Date"),
    `CAST("d" AS text) IN (E'2024-01-01', E'5')`,
  );
  assertEquals(sqlInList(pg, '"age"', ["abc", 2 ** 60], "Int64"), undefined);
  assertEquals(sqlInList(pg, '"age"', [1, "1", 1.0], "Int64"), '"age" IN (1)');
});
