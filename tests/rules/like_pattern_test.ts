/**
 * LIKE patterns (src/rules/like_pattern.ts): the text comparison or anchored regex the
 * scan uses (and the regex alone) must match exactly the values DuckDB's own `LIKE … ESCAPE '\'` matches with the SQL form, for
 * patterns holding every regex metacharacter, `%`, `_`, `\`, quotes, newlines and
 * characters outside ASCII. DuckDB is the reference here because it is in-process; the
 * string rules' every-tier test compares PostgreSQL, MySQL and Snowflake too.
 */
import pl, { type Expr } from "nodejs-polars";
import { DuckDBInstance } from "@duckdb/node-api";
import { assertEquals } from "../support/assert.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import {
  likePatternProblem,
  literalLike,
  parseLike,
  polarsLike,
  polarsLikeRegex,
  sqlLikePattern,
} from "../../src/rules/like_pattern.ts";

/** Every character Rust's regex syntax gives a meaning to, and then some. */
const REGEX_METACHARACTERS = "\\.+*?()|[]{}^$#&-~";

const VALUES = [
  "",
  "abc",
  "ABC",
  "a%c",
  "a_c",
  "a\\c",
  "a\\\\c",
  "axc",
  "a\nc",
  "it's",
  REGEX_METACHARACTERS,
  `x${REGEX_METACHARACTERS}y`,
  "ü",
  "日本",
  "🦆",
  "e\u0301",
  "trail ",
  "100%",
];

const PATTERNS = [
  "",
  "%",
  "%%",
  "%%a%%",
  "a%%c",
  "_",
  "__",
  "abc",
  "a_c",
  "a\\_c",
  "a%c",
  "a\\%c",
  "a\\\\c", // a, one plain backslash, c
  "a\\\\\\\\c", // a, two plain backslashes, c
  "a\\xc", // \x is x: the escape changes nothing before other characters
  "%'%",
  "it's",
  REGEX_METACHARACTERS.replace("\\", "\\\\"),
  `x${REGEX_METACHARACTERS.replace("\\", "\\\\")}%`,
  `%${"[]{}"}_`,
  "%.%",
  "%*%",
  "^%",
  "%$",
  "_a",
  "a%",
  "%c",
  "a_\nc",
  "a\nc",
  "%\n%",
  "__%",
  "e_",
  "%\\%",
  "100\\%",
  "trail",
  "trail_",
];

Deno.test("a LIKE pattern matches the same values in Polars (text or regex) and in DuckDB (LIKE)", async () => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const rows = VALUES.map((value, index) => `(${index}, ${duckdb.literal(value)})`).join(", ");
    for (const pattern of PATTERNS) {
      const pieces = parseLike(pattern);
      const polars = (matches: Expr) =>
        pl.DataFrame({ v: VALUES }).select(matches.alias("m")).getColumn("m")
          .toArray() as boolean[];
      const scan = polars(polarsLike(pl.col("v"), pieces));
      const regex = polars(pl.col("v").str.contains(polarsLikeRegex(pieces)));
      const reader = await connection.runAndReadAll(
        `SELECT ${duckdb.like("v", duckdb.literal(sqlLikePattern(pieces)))} AS m
         FROM (VALUES ${rows}) AS t(i, v) ORDER BY i`,
      );
      const sql = reader.getRows().map(([matched]) => matched as boolean);
      const matched = (flags: boolean[]) => VALUES.filter((_, index) => flags[index]);
      assertEquals(matched(scan), matched(sql), `pattern ${JSON.stringify(pattern)}`);
      assertEquals(matched(regex), matched(sql), `regex of ${JSON.stringify(pattern)}`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

Deno.test("LIKE patterns match whole values, code point by code point", () => {
  const matches = (pattern: string) =>
    pl.DataFrame({ v: VALUES })
      .filter(pl.col("v").str.contains(polarsLikeRegex(parseLike(pattern))))
      .getColumn("v").toArray();
  // Known by construction from VALUES: one-character values are ü and 🦆 (é is two).
  assertEquals(matches("_"), ["ü", "🦆"]);
  assertEquals(matches("__"), ["日本", "e\u0301"]);
  assertEquals(matches("a_c"), ["abc", "a%c", "a_c", "a\\c", "axc", "a\nc"]);
  assertEquals(matches("a\\_c"), ["a_c"]);
  assertEquals(matches("a\\\\c"), ["a\\c"]);
  assertEquals(matches("a\\xc"), ["axc"]);
  assertEquals(matches("abc"), ["abc"]);
  assertEquals(matches(""), [""]);
  assertEquals(matches(REGEX_METACHARACTERS.replace("\\", "\\\\")), [REGEX_METACHARACTERS]);
  assertEquals(matches("trail"), []);
});

Deno.test("the SQL form escapes only %, _ and \\, and literal text escapes all three", () => {
  assertEquals(sqlLikePattern(parseLike("a\\xc%_\\%\\_\\\\")), "axc%_\\%\\_\\\\");
  assertEquals(sqlLikePattern(literalLike("50%_\\.*", "contains")), "%50\\%\\_\\\\.*%");
  assertEquals(sqlLikePattern(literalLike("a%", "starts")), "a\\%%");
  assertEquals(sqlLikePattern(literalLike("a%", "ends")), "%a\\%");
});

Deno.test("a pattern ending in a lone escape character is refused; an escaped one is not", () => {
  assertEquals(
    likePatternProblem("abc\\"),
    "ends with the escape character \\ (write \\\\ for a plain backslash)",
  );
  assertEquals(likePatternProblem("abc\\\\\\"), likePatternProblem("abc\\"));
  assertEquals(likePatternProblem("abc\\\\"), undefined);
  assertEquals(likePatternProblem("\\%"), undefined);
});

Deno.test("a leading or trailing % drops the regex anchor rather than adding .*", () => {
  assertEquals(polarsLikeRegex(parseLike("%@x.io")), "(?s)\\x{40}x\\x{2e}io\\z");
  assertEquals(polarsLikeRegex(parseLike("ab%")), "(?s)\\Aab");
  assertEquals(polarsLikeRegex(parseLike("%%a_%b%%")), "(?s)a..*b");
  assertEquals(polarsLikeRegex(parseLike("%")), "(?s)");
  assertEquals(polarsLikeRegex(parseLike("")), "(?s)\\A\\z");
});
