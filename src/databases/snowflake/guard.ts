/**
 * The user-SQL guard for Snowflake. Snowflake's own parser is not available, so the SQL is
 * read twice and both readings must accept it:
 *
 * 1. By Snowflake's LEXICAL rules (snowflake_lexer.ts), refusing every construct where
 *    node-sql-parser's lexer could read the text differently, then checking the tokens
 *    (snowflake_words.ts): one statement starting SELECT/WITH, every `name(` an allowed
 *    function, no system names, stages, variables or statement keywords.
 * 2. By node-sql-parser (Snowflake grammar), whose tree is walked against allow-lists
 *    (snowflake_tree.ts): one SELECT, known node shapes only, allowed functions,
 *    operators, cast types and relations.
 *
 * The two readings must agree on every string literal, position for position: text the
 * parser takes for a string is a string to Snowflake and the other way round, so what
 * the tree walk checked is what Snowflake runs.
 * @module
 */
import snowflakeSqlParser from "npm:node-sql-parser@5.4.0/build/snowflake.js";
import type { UserSqlGuard, UserSqlScope } from "../../sql/user_sql.ts";
import { SNOWFLAKE_ALLOWED_FUNCTIONS, SYSTEM_NAMES } from "./guard_allowed.ts";
import { lexSnowflake, type SnowflakeToken } from "./guard_lexer.ts";
import { type ParsedStrings, treeRefusal } from "./guard_tree.ts";
import { wordRefusal } from "./guard_words.ts";
import { leadingWordRefusal, parserFailure } from "../../sql/guard_kit.ts";

/** Checks Snowflake user SQL; see the module comment. */
export const snowflakeGuard: UserSqlGuard = {
  engine: "Snowflake",
  allowedFunctions: SNOWFLAKE_ALLOWED_FUNCTIONS,
  check: (sql, scope) => Promise.resolve(snowflakeRefusal(sql, scope)),
  refuseRelation: (path) =>
    path.some((name) => SYSTEM_NAMES.has(name.toUpperCase()))
      ? `may not read system catalogs (${path.join(".")})`
      : undefined,
};

const parser = new snowflakeSqlParser.Parser();
const PARSE_OPTIONS = {
  database: "Snowflake",
  // Positions must be offsets into the text as given.
  trimQuery: false,
  parseOptions: { includeLocations: true },
};

/** Why `sql` is refused on Snowflake (one line), or undefined when it is allowed. */
export function snowflakeRefusal(sql: string, scope: UserSqlScope): string | undefined {
  // Reasons may quote names and strings, which may hold line breaks.
  return refusal(sql, scope)?.replace(/\s+/g, " ");
}

function refusal(sql: string, scope: UserSqlScope): string | undefined {
  const leading = leadingWordRefusal(sql);
  if (leading !== undefined) return leading;
  const lexed = lexSnowflake(sql);
  if (lexed.refusal !== undefined) return lexed.refusal;
  const words = wordRefusal(lexed.tokens);
  if (words !== undefined) return words;
  let ast: unknown;
  try {
    ast = parser.astify(sql, PARSE_OPTIONS);
  } catch (error) {
    return parserFailure(error);
  }
  const strings: ParsedStrings = { spans: [], typedLiterals: [] };
  return treeRefusal(ast, scope, strings) ?? stringsDisagree(lexed.tokens, strings);
}

const TYPED_LITERAL_WORDS = new Set(["DATE", "TIME", "TIMESTAMP", "DATETIME"]);

/**
 * A refusal unless the parser's string literals are exactly Snowflake's: the same
 * `[start, end)` spans, and `DATE '…'`-style literals (the parser gives no position for
 * them) matching the remaining strings, each right after its type word.
 */
function stringsDisagree(
  tokens: readonly SnowflakeToken[],
  parsed: ParsedStrings,
): string | undefined {
  const unmatched = new Map<number, number>(); // start offset -> token index
  tokens.forEach((token, i) => token.kind === "string" && unmatched.set(token.start, i));
  for (const [start, end] of parsed.spans) {
    const index = unmatched.get(start);
    if (index === undefined || tokens[index].end !== end) return disagreement(start);
    unmatched.delete(start);
  }
  // What is left must be the typed literals: the same texts, each after DATE, TIME, ….
  const typed = new Map<string, number>();
  for (const index of unmatched.values()) {
    const typeWord = tokens[index - 1];
    if (typeWord?.kind !== "word" || !TYPED_LITERAL_WORDS.has(typeWord.text.toUpperCase())) {
      return disagreement(tokens[index].start);
    }
    typed.set(tokens[index].text, (typed.get(tokens[index].text) ?? 0) + 1);
  }
  for (const value of parsed.typedLiterals) {
    const count = typed.get(value) ?? 0;
    if (count === 0) return disagreement(undefined);
    typed.set(value, count - 1);
  }
  return parsed.typedLiterals.length === unmatched.size ? undefined : disagreement(undefined);
}

function disagreement(offset: number | undefined): string {
  const where = offset === undefined ? "" : ` (at offset ${offset})`;
  return `Snowflake and the SQL parser read the string literals differently${where}`;
}
