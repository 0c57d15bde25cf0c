/**
 * The Snowflake guard's checks on the TOKENS of user SQL, read by Snowflake's lexical rules
 * (snowflake_lexer.ts), independent of node-sql-parser: whatever the parser's tree leaves
 * out or reads differently, Snowflake runs these tokens. One statement starting with
 * SELECT, WITH or `(`; no statement keyword (INSERT, MERGE, CALL, …) or INTO anywhere;
 * every `name(` is an allowed function, a keyword or a cast type; no qualified or quoted
 * function names; no name of system data (SNOWFLAKE, INFORMATION_SCHEMA, …); no sequences;
 * no string where a table belongs (`FROM '@stage'`).
 * @module
 */
import { functionNotAllowed } from "../../sql/user_sql.ts";
import {
  ALLOWED_FUNCTION_SET,
  SNOWFLAKE_ALLOWED_CAST_TYPES,
  SYSTEM_NAMES,
} from "./guard_allowed.ts";
import type { SnowflakeToken } from "./guard_lexer.ts";
import { isName, isWord } from "../../sql/guard_kit.ts";

/** Words that start or belong to statements other than a query. */
const STATEMENT_KEYWORDS = new Set([
  "ALTER",
  "BEGIN",
  "CALL",
  "COMMIT",
  "COPY",
  "CREATE",
  "DELETE",
  "DROP",
  "EXEC",
  "EXECUTE",
  "GRANT",
  "INSERT",
  "MERGE",
  "PUT",
  "REVOKE",
  "ROLLBACK",
  "TRUNCATE",
  "UNDROP",
  "UPDATE",
  "UPSERT",
]);

/** Keywords Snowflake reads before a `(` without calling anything (lower case). */
const KEYWORDS_BEFORE_PARENTHESIS = new Set([
  "all",
  "and",
  "any",
  "as",
  "between",
  "by",
  "case",
  "distinct",
  "else",
  "exists",
  "from",
  "group",
  "having",
  "ilike",
  "in",
  "join",
  "like",
  "not",
  "on",
  "or",
  "over",
  "qualify",
  "regexp",
  "select",
  "some",
  "then",
  "union",
  "using",
  "when",
  "where",
]);

/** Type names that take `(` in a cast: `CAST(x AS NUMBER(10, 2))`, `x::VARCHAR(10)`. */
const CAST_TYPE_WORDS = new Set(
  SNOWFLAKE_ALLOWED_CAST_TYPES.filter((type) => !type.includes(" ")),
);

/** Syntax that looks like a call but reads other objects or other queries' output. */
const NOT_FUNCTIONS = new Set([
  "AT",
  "BEFORE",
  "CHANGES",
  "IDENTIFIER",
  "LATERAL",
  "MATCH_RECOGNIZE",
  "PIVOT",
  "SAMPLE",
  "TABLE",
  "TABLESAMPLE",
  "UNPIVOT",
  "VALUES",
]);

/**
 * Why the tokens are refused, or undefined. Reasons found anywhere rank: statement
 * keywords, then system names, then functions, then call-like syntax (so that
 * `TABLE(RESULT_SCAN(…))` is refused for RESULT_SCAN).
 */
export function wordRefusal(tokens: readonly SnowflakeToken[]): string | undefined {
  const first = tokens[0];
  if (first === undefined) return "must be exactly one statement";
  if (!isWord(first, "SELECT") && !isWord(first, "WITH") && first.text !== "(") {
    return `must be a SELECT, not ${first.kind === "word" ? first.text.toUpperCase() : first.text}`;
  }
  const found: (string | undefined)[] = [];
  const note = (rank: number, reason: string) => found[rank] ??= reason;
  tokens.forEach((token, i) => {
    const upper = token.text.toUpperCase();
    if (token.kind === "word" && STATEMENT_KEYWORDS.has(upper)) {
      note(
        0,
        upper === "UPDATE" && isWord(tokens[i - 1], "FOR")
          ? "must not lock rows (FOR UPDATE)"
          : `must be a SELECT, not ${upper}`,
      );
    }
    if (token.kind === "word" && upper === "INTO") {
      note(0, "must not write (SELECT … INTO creates a table)");
    }
    // Snowflake reads `FROM '@stage/path'` as a stage.
    if (
      token.kind === "string" && (isWord(tokens[i - 1], "FROM") || isWord(tokens[i - 1], "JOIN"))
    ) {
      note(1, `may not read stages or files ('${token.text.slice(0, 40)}')`);
    }
    if (!isName(token)) return;
    if (SYSTEM_NAMES.has(upper)) note(1, `may not read system catalogs (${dottedName(tokens, i)})`);
    if (upper === "NEXTVAL") note(1, `may not advance sequences (${dottedName(tokens, i)})`);
    // Context functions Snowflake also calls without parentheses (CURRENT_ROLE, …).
    if (
      token.kind === "word" && upper.startsWith("CURRENT_") &&
      !ALLOWED_FUNCTION_SET.has(upper.toLowerCase())
    ) {
      note(2, functionNotAllowed(upper.toLowerCase()));
    }
    if (tokens[i + 1]?.text !== "(") return;
    const call = callRefusal(tokens, i);
    if (call !== undefined) note(call.rank, call.reason);
  });
  return found.find((reason) => reason !== undefined);
}

/** Why the name at `i`, followed by `(`, is refused as a call. */
function callRefusal(
  tokens: readonly SnowflakeToken[],
  i: number,
): { rank: number; reason: string } | undefined {
  const token = tokens[i];
  if (tokens[i - 1]?.text === ".") {
    return { rank: 2, reason: functionNotAllowed(dottedName(tokens, i)) };
  }
  if (token.kind === "quoted") return { rank: 2, reason: functionNotAllowed(`"${token.text}"`) };
  const lower = token.text.toLowerCase();
  const upper = token.text.toUpperCase();
  if (ALLOWED_FUNCTION_SET.has(lower) || KEYWORDS_BEFORE_PARENTHESIS.has(lower)) return undefined;
  const previous = tokens[i - 1]?.text.toUpperCase();
  if (CAST_TYPE_WORDS.has(upper) && (previous === "AS" || previous === "::")) return undefined;
  if (isCteColumnList(tokens, i)) return undefined;
  if (NOT_FUNCTIONS.has(upper)) return { rank: 3, reason: `${upper}(…) is not allowed` };
  return { rank: 2, reason: functionNotAllowed(lower) };
}

/** `name (a, b) AS (`: the column list of a CTE, not a call. */
function isCteColumnList(tokens: readonly SnowflakeToken[], i: number): boolean {
  let depth = 0;
  for (let j = i + 1; j < tokens.length; j++) {
    if (tokens[j].text === "(") depth++;
    if (tokens[j].text === ")") depth--;
    if (depth === 0) return isWord(tokens[j + 1], "AS") && tokens[j + 2]?.text === "(";
  }
  return false;
}

/** `a.b.c` around the name at `i`, as written. */
function dottedName(tokens: readonly SnowflakeToken[], i: number): string {
  let first = i;
  while (tokens[first - 1]?.text === "." && isName(tokens[first - 2])) first -= 2;
  let last = i;
  while (tokens[last + 1]?.text === "." && isName(tokens[last + 2])) last += 2;
  return tokens.slice(first, last + 1)
    .map((token) => token.kind === "quoted" ? `"${token.text}"` : token.text).join("");
}
