/**
 * The `when:` condition language: every production of the grammar, precedence, the
 * canonical form, errors with their offsets, the size limits, and compiling against a
 * dataset's columns (unknown columns, values the column's type cannot hold). The truth
 * table on real engines is in condition_tiers_test.ts.
 */
import pl from "nodejs-polars";
import { assert, assertEquals } from "../support/assert.ts";
import {
  conditionColumns,
  ConditionSyntaxError,
  formatCondition,
  MAX_CONDITION_LENGTH,
  MAX_CONDITION_NESTING,
  parseCondition,
} from "../../src/rules/condition.ts";
import { compileCondition, ConditionError } from "../../src/rules/condition_compile.ts";
import type { ColumnInfo } from "../../src/core/dataset.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import { mysqlDialect } from "../../src/databases/mysql/dialect.ts";
import { postgresDialect } from "../../src/databases/postgres/dialect.ts";

/** The tree without offsets: what the text means. */
function meaning(text: string): unknown {
  return JSON.parse(
    JSON.stringify(parseCondition(text), (key, value) => key === "offset" ? undefined : value),
  );
}

const col = (name: string) => ({ kind: "column", name });
const num = (text: string) => ({ kind: "number", text });
const str = (value: string) => ({ kind: "string", value });
const cmp = (left: unknown, op: string, right: unknown) => ({ kind: "compare", op, left, right });

Deno.test("condition grammar: comparisons, every operator, both spellings of = and !=", () => {
  for (
    const [written, op] of [
      ["=", "="],
      ["==", "="],
      ["!=", "!="],
      ["<>", "!="],
      ["<", "<"],
      ["<=", "<="],
      [">", ">"],
      [">=", ">="],
    ]
  ) {
    assertEquals(meaning(`age ${written} 30`), cmp(col("age"), op, num("30")));
    // No spaces needed around an operator.
    assertEquals(meaning(`age${written}30`), cmp(col("age"), op, num("30")));
  }
  // A value may come first; two columns compare directly.
  assertEquals(meaning("'DE' = country"), cmp(str("DE"), "=", col("country")));
  assertEquals(meaning("start_at <= end_at"), cmp(col("start_at"), "<=", col("end_at")));
});

Deno.test("condition grammar: literals (strings, numbers, booleans) and column names", () => {
  assertEquals(meaning("a = 'it''s'"), cmp(col("a"), "=", str("it's")));
  assertEquals(meaning("a = ''"), cmp(col("a"), "=", str("")));
  for (const number of ["0", "-7", "3.25", "-0.5", "1e3", "2.5E-3", "6e+2"]) {
    assertEquals(meaning(`a = ${number}`), cmp(col("a"), "=", num(number)));
  }
  assertEquals(meaning("a = TRUE"), cmp(col("a"), "=", { kind: "boolean", value: true }));
  assertEquals(meaning("a = false"), cmp(col("a"), "=", { kind: "boolean", value: false }));
  // Double quotes name any column, keywords included; "" is one quote.
  assertEquals(meaning('"and" = 1'), cmp(col("and"), "=", num("1")));
  assertEquals(meaning('"we""ird col" = 1'), cmp(col('we"ird col'), "=", num("1")));
  assertEquals(meaning('"日本" = 1'), cmp(col("日本"), "=", num("1")));
  // Bare names are case-sensitive; keywords are not.
  assertEquals(meaning("Status = 1"), cmp(col("Status"), "=", num("1")));
  assertEquals(meaning("_x9 = 1"), cmp(col("_x9"), "=", num("1")));
});

Deno.test("condition grammar: IS [NOT] NULL and [NOT] IN", () => {
  assertEquals(meaning("a IS NULL"), { kind: "is_null", column: col("a"), negated: false });
  assertEquals(meaning("a is not null"), { kind: "is_null", column: col("a"), negated: true });
  assertEquals(meaning("a IN ('x', 2, TRUE)"), {
    kind: "in",
    column: col("a"),
    values: [str("x"), num("2"), { kind: "boolean", value: true }],
    negated: false,
  });
  assertEquals(meaning("a not in (1)"), {
    kind: "in",
    column: col("a"),
    values: [num("1")],
    negated: true,
  });
});

Deno.test("condition grammar: NOT binds tighter than AND, AND tighter than OR", () => {
  const [a, b, c] = ["a = 1", "b = 2", "c = 3"].map(meaning);
  const not = (operand: unknown) => ({ kind: "not", operand });
  const and = (...operands: unknown[]) => ({ kind: "and", operands });
  const or = (...operands: unknown[]) => ({ kind: "or", operands });
  assertEquals(meaning("a = 1 OR b = 2 AND c = 3"), or(a, and(b, c)));
  assertEquals(meaning("a = 1 AND b = 2 OR c = 3"), or(and(a, b), c));
  assertEquals(meaning("NOT a = 1 AND b = 2"), and(not(a), b));
  assertEquals(meaning("NOT (a = 1 AND b = 2)"), not(and(a, b)));
  assertEquals(meaning("(a = 1 OR b = 2) AND c = 3"), and(or(a, b), c));
  assertEquals(meaning("NOT NOT a = 1"), not(not(a)));
  assertEquals(meaning("a = 1 and b = 2 Or c = 3"), or(and(a, b), c));
  // Chains are one flat list, and so are parenthesised parts of the same kind.
  assertEquals(meaning("a = 1 AND (b = 2 AND c = 3)"), and(a, b, c));
  assertEquals(meaning("((a = 1))"), a);
});

Deno.test("condition canonical form: one line, parses back to the same tree", () => {
  const cases: [string, string][] = [
    ["age==30 and  country<>'DE'", "age = 30 AND country != 'DE'"],
    ["a = 1 OR (b = 2 AND c = 3)", "a = 1 OR b = 2 AND c = 3"],
    ["(a = 1 OR b = 2) AND c = 3", "(a = 1 OR b = 2) AND c = 3"],
    ["not (a = 1 or b = 2)", "NOT (a = 1 OR b = 2)"],
    ["NOT a IS NULL", "NOT a IS NULL"],
    ["\"and\" in ('it''s', -1.5e3, true)", `"and" IN ('it''s', -1.5e3, TRUE)`],
    ['"a b" is not null', '"a b" IS NOT NULL'],
    ["status = 'x'\n  AND\tid > 2", "status = 'x' AND id > 2"],
  ];
  for (const [text, canonical] of cases) {
    const formatted = formatCondition(parseCondition(text));
    assertEquals(formatted, canonical);
    assertEquals(meaning(formatted), meaning(text), text);
  }
});

Deno.test("conditionColumns: each column once, in first-use order", () => {
  const node = parseCondition("b = 1 OR a IS NULL AND (b IN (2) OR c < a) AND \"d\" = 'b'");
  assertEquals(conditionColumns(node), ["b", "a", "c", "d"]);
});

Deno.test("condition errors: one line, the character where (counting from 1)", () => {
  // [text, offset (0-based), message]
  const cases: [string, number, RegExp][] = [
    ["", 0, /^empty condition at character 1$/],
    ["   ", 0, /^empty condition/],
    ["status = ", 9, /^expected a value after "=", found the end at character 10$/],
    ["status = AND", 9, /^expected a value after "=", found "AND" at character 10$/],
    ["status", 6, /^expected a comparison \(=, !=, <, <=, >, >=, IS, IN\) after "status"/],
    ["status 'x'", 7, /^expected a comparison .* found "'x'" at character 8$/],
    ["status = NULL", 9, /^"= NULL" is never true; use IS NULL to test for NULL at character 10$/],
    ["status <> null", 10, /^"<> NULL" is never true; use IS NOT NULL/],
    ["NULL = status", 0, /^NULL is not a value to compare with; use IS NULL or IS NOT NULL/],
    ["a IN (1, NULL)", 9, /^NULL is not a value to compare with/],
    ["1 = 1", 0, /^compares two values; one side of a comparison must be a column/],
    ["'a' IS NULL", 0, /^IS NULL tests a column, not a value/],
    ["3 IN (3)", 0, /^IN tests a column, not a value/],
    ["a IN 1", 5, /^expected "\(" after IN, found "1"/],
    ["a IN ()", 6, /^expected a value in the IN list, found "\)"/],
    ["a IN (1 2)", 8, /^expected "," or "\)" in the IN list, found "2"/],
    ["a IN (b)", 6, /^an IN list holds values; write a column name only outside it/],
    ["a IS 1", 5, /^expected NULL after "IS", found "1"/],
    ["a IS NOT 1", 9, /^expected NULL after "IS NOT", found "1"/],
    ["a NOT 1", 6, /^expected IN after "NOT", found "1"/],
    ["(a = 1", 6, /^expected "\)" to close the "\(" at character 1, found the end at character 7$/],
    ["a = 1)", 5, /^unexpected "\)" with no "\(" before it at character 6$/],
    ["a = 1 b = 2", 6, /^expected AND or OR, found "b" at character 7$/],
    ["a = 1 AND", 9, /^expected a column or a value, found the end/],
    ["a = 'x", 4, /^unterminated string \(no closing '\) at character 5$/],
    ['"a = 1', 0, /^unterminated quoted column name/],
    ['"" = 1', 0, /^empty column name/],
    ["a = 5x", 4, /^malformed number "5x"/],
    ["a = 1.", 4, /^malformed number "1\."/],
    ["a = .5", 4, /^unexpected character "\."/],
    ["a ! 1", 2, /^unexpected character "!"/],
    ["a = \u2019x\u2019", 4, /^unexpected character "\u2019"/],
    ["a = \u201cx\u201d", 4, /^unexpected character "\u201c"/],
    ["a = 1; DROP TABLE t", 5, /^unexpected character ";"/],
    ["a = 1 -- c", 6, /^unexpected character "-"/],
    ["a = 1 /* c */", 6, /^unexpected character "\/"/],
    ["a = 'x\u0000y'", 6, /^a condition cannot hold a NUL character at character 7$/],
    // Offsets count characters: an emoji (two UTF-16 units) is one.
    ['"😀😀" = ', 7, /^expected a value after "=", found the end at character 8$/],
  ];
  for (const [text, offset, message] of cases) {
    try {
      parseCondition(text);
      assert.fail(`parsed: ${JSON.stringify(text)}`);
    } catch (error) {
      assert.ok(error instanceof ConditionSyntaxError, `${text}: ${error}`);
      assert.match(error.message, message, JSON.stringify(text));
      assertEquals(error.offset, offset, JSON.stringify(text));
      assert.ok(!/[\n\r]/.test(error.message), "one line");
    }
  }
});

Deno.test("condition limits: length and nesting are bounded, deep input never overflows", () => {
  // Exactly the limit parses; one more character does not.
  const base = "a = ''";
  const atLimit = `a = '${"x".repeat(MAX_CONDITION_LENGTH - base.length)}'`;
  assertEquals(atLimit.length, MAX_CONDITION_LENGTH);
  parseCondition(atLimit);
  const over = `${atLimit} `;
  assert.throws(() => parseCondition(over), (error: ConditionSyntaxError) => {
    assert.match(error.message, /^condition longer than 10000 characters/);
    return error.offset === MAX_CONDITION_LENGTH;
  });
  // Characters, not UTF-16 units: 10,000 emoji are 10,000 characters.
  const emoji = `a = '${"😀".repeat(MAX_CONDITION_LENGTH - base.length)}'`;
  assertEquals(emoji.length > MAX_CONDITION_LENGTH, true);
  parseCondition(emoji);
  // Megabytes are refused without being read through.
  assert.throws(() => parseCondition("(".repeat(5_000_000)), /longer than 10000/);

  const nested = (depth: number, open: string, close: string) =>
    `${open.repeat(depth)}a = 1${close.repeat(depth)}`;
  parseCondition(nested(MAX_CONDITION_NESTING, "(", ")"));
  parseCondition(nested(MAX_CONDITION_NESTING, "NOT ", ""));
  parseCondition(nested(MAX_CONDITION_NESTING / 2, "NOT (", ")"));
  for (const [open, close] of [["(", ")"], ["NOT ", ""], ["NOT (", ")"]]) {
    assert.throws(
      () => parseCondition(nested(MAX_CONDITION_NESTING + 1, open, close)),
      /^ConditionSyntaxError: nesting deeper than 100 levels/,
    );
  }
  // Unbalanced and as deep as the length allows: an error, not a stack overflow.
  assert.throws(() => parseCondition("(".repeat(MAX_CONDITION_LENGTH)), /nesting deeper/);
  assert.throws(() => parseCondition("NOT ".repeat(2_500)), /nesting deeper/);
  // Long flat lists are fine: no nesting.
  const wide = Array.from({ length: 900 }, (_, index) => `a = ${index}`).join(" OR ");
  assert.ok(wide.length < MAX_CONDITION_LENGTH);
  const list = parseCondition(wide);
  assertEquals(list.kind === "or" ? list.operands.length : 0, 900);
});

const COLUMNS: ReadonlyMap<string, ColumnInfo> = new Map(
  [
    ["age", "Int32"],
    ["country", "String"],
    ["score", "Float64"],
    ["active", "Bool"],
    ["joined", "Date"],
    ["seen", "Datetime"],
    ["opens", "Time"],
    ["price", "Decimal"],
    ["tags", "List"],
  ].map(([name, dtype]) => [name, { name, dtype }]),
);

Deno.test("compileCondition: unknown columns and values the column cannot hold are errors", () => {
  const refused: [string, RegExp][] = [
    ["contry = 'DE'", /^column "contry" not found in the data \(did you mean "country"\?\)$/],
    ["age < agee", /^column "agee" not found in the data \(did you mean "age"\?\)$/],
    ["x IS NULL", /^column "x" not found/],
    [
      "age = 'abc'",
      /^'abc' \(at character 7\) cannot be compared with column "age" of type Int32$/,
    ],
    ["age < 2.5", /^2\.5 \(at character 7\) cannot be compared with column "age"/],
    ["age IN (1, 'x')", /^'x' \(at character 12\) cannot be compared/],
    ["age = TRUE", /^TRUE .* cannot be compared with column "age" of type Int32/],
    ["age = 99999999999", /^99999999999 .*of type Int32/],
    ["score = 'nan'", /^'nan' .*: a condition compares with finite numbers only$/],
    ["score < 'inf'", /finite numbers only/],
    ["score = 1e999", /^1e999 .*of type Float64$/],
    ["active = 'yes'", /^'yes' .* of type Bool/],
    [
      "joined >= '2024-02-30'",
      /^'2024-02-30' \(at character 11\) cannot be compared with column "joined" of type Date: "2024-02-30" has no such date$/,
    ],
    ["joined >= '2024-01-01 10:00'", /"2024-01-01 10:00" is not a date \(YYYY-MM-DD\)$/],
    ["joined = 20240101", /"20240101" is not a date/],
    ["joined = TRUE", /: write a date or timestamp as text in quotes$/],
    ["seen > '2024-01-01 25:00'", /"2024-01-01 25:00" has no such time of day$/],
    ["seen > '2024-01-01 10:00:00.1234567'", /is finer than a microsecond$/],
    ["seen > '24-01-01'", /"24-01-01" is not an ISO timestamp/],
    ["seen > '0000-01-01'", /"0000-01-01" has no such date/],
    ["seen > '0001-01-01T00:30:00+01:00'", /in UTC it falls outside the years 0001 to 9999$/],
    ["opens > '10:00'", /^column "opens" is Time: > compares text, numbers, booleans, dates/],
    ["tags IN ('a')", /^column "tags" is List: IN compares/],
    ["age = country", /^cannot compare column "age" \(Int32\) with column "country" \(String\)/],
    ["joined < active", /^cannot compare column "joined" \(Date\) with column "active"/],
    ["age = ", /^expected a value after "=", found the end at character 7$/],
  ];
  for (const [text, message] of refused) {
    assert.throws(
      () => compileCondition(text, COLUMNS),
      (error: Error) => {
        assert.ok(error instanceof ConditionError, `${text}: ${error}`);
        assert.match(error.message, message, text);
        return true;
      },
    );
  }
  // Types with no comparison still take IS [NOT] NULL.
  compileCondition("opens IS NULL AND tags IS NOT NULL", COLUMNS);
});

Deno.test("compileCondition: values read like the column; SQL holds only literals it made", () => {
  const condition = compileCondition(
    "age = '30' AND country IN ('DE', 20) AND joined >= '2024-01-01' AND " +
      "seen < '2024-01-01T01:30:00+01:00' AND price > 1.5 AND score != -0 AND active = 'true'",
    COLUMNS,
  );
  assertEquals(condition.columns, ["age", "country", "joined", "seen", "price", "score", "active"]);
  assertEquals(
    condition.text,
    "age = '30' AND country IN ('DE', 20) AND joined >= '2024-01-01' AND " +
      "seen < '2024-01-01T01:30:00+01:00' AND price > 1.5 AND score != -0 AND active = 'true'",
  );
  // '30' is the integer 30; 20 is the text "20"; the offset is taken off (UTC); a
  // decimal compares as a float; -0 is 0.
  assertEquals(
    condition.sql(postgresDialect),
    `COALESCE((("age" = 30) AND (("country") COLLATE "C" IN (E'DE', E'20')) AND ` +
      `("joined" >= DATE E'2024-01-01') AND ("seen" < E'2024-01-01 00:30:00.000000+00') AND ` +
      `(CAST("price" AS DOUBLE PRECISION) > 1.5) AND ("score" <> 0) AND ("active" = TRUE)), FALSE)`,
  );
  assertEquals(
    condition.sql(mysqlDialect),
    "COALESCE(((`age` = 30) AND (CAST(CONVERT(`country` USING utf8mb4) AS BINARY) IN ('DE', '20')) AND " +
      "(`joined` >= CAST('2024-01-01' AS DATE)) AND " +
      "(`seen` < CAST('2024-01-01 00:30:00.000000' AS DATETIME(6))) AND " +
      "(CAST(`price` AS DOUBLE) > 1.5) AND (`score` <> 0) AND (`active` = TRUE)), FALSE)",
  );
  // Quotes, backslashes and comment markers stay inside the literals the dialect made.
  const hostile = compileCondition(
    `"we""ird" = 'x'' OR 1=1 --' OR "we""ird" = 'a\\b /* */;'`,
    new Map([['we"ird', { name: 'we"ird', dtype: "String" }]]),
  );
  assertEquals(
    hostile.sql(duckdb),
    `COALESCE((("we""ird" = 'x'' OR 1=1 --') OR ("we""ird" = 'a\\b /* */;')), FALSE)`,
  );
  assertEquals(
    hostile.sql(postgresDialect),
    `COALESCE(((("we""ird") COLLATE "C" = E'x'' OR 1=1 --') OR ` +
      `(("we""ird") COLLATE "C" = E'a\\\\b /* */;')), FALSE)`,
  );
});

Deno.test("compileCondition on Polars: three-valued logic, NULL counts as false", () => {
  // By construction: a = 1, NULL, 3; b = 'x', 'y', NULL.
  const frame = pl.DataFrame({
    a: pl.Series("a", [1, null, 3]).cast(pl.Int64),
    b: pl.Series("b", ["x", "y", null], pl.Utf8),
  });
  const columns = new Map(
    [["a", "Int64"], ["b", "String"]].map(([name, dtype]) => [name, { name, dtype }]),
  );
  const rows = (text: string) =>
    frame.select(compileCondition(text, columns).polars().alias("m")).getColumn("m").toArray();
  // Row 2's a is NULL: a = 1 is NULL there, and so is NOT (a = 1): false both times.
  assertEquals(rows("a = 1"), [true, false, false]);
  assertEquals(rows("NOT a = 1"), [false, false, true]);
  assertEquals(rows("a != 1"), [false, false, true]);
  // Kleene: NULL OR TRUE is TRUE; NULL AND FALSE is FALSE; NOT (NULL AND TRUE) is NULL.
  assertEquals(rows("a = 1 OR b = 'y'"), [true, true, false]);
  // Row 1: NOT FALSE; row 2: NOT (NULL AND TRUE) = NULL; row 3: NOT (TRUE AND NULL) = NULL.
  assertEquals(rows("NOT (a = 3 AND b = 'y')"), [true, false, false]);
  // Row 2: NOT (NULL AND FALSE) = NOT FALSE.
  assertEquals(rows("NOT (a > 0 AND b = 'x')"), [false, true, false]);
  assertEquals(rows("a NOT IN (1)"), [false, false, true]);
  assertEquals(rows("a IS NULL OR b IS NULL"), [false, true, true]);
});
