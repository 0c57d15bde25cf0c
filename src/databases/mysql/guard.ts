/**
 * The user-SQL guard for MySQL and MariaDB. The servers' parser is not available outside
 * them, so the SQL is read twice and both readings must accept it:
 *
 * 1. By the servers' LEXICAL rules (guard_lexer.ts), refusing every construct whose
 *    reading depends on sql_mode or on whose lexer reads it, then checking the tokens
 *    (guard_words.ts): one statement starting SELECT/WITH, every `name(` an allowed
 *    function, no system schema, variable, INTO, locking clause or statement keyword.
 * 2. By node-sql-parser (MariaDB grammar), whose tree is walked against allow-lists
 *    (guard_tree.ts): one SELECT, known node shapes only, allowed functions, operators,
 *    cast types and relations.
 *
 * node-sql-parser reads a MASKED copy of the text: comments blanked, each string literal
 * and quoted name replaced by a numbered placeholder. It therefore sees exactly the code
 * tokens the server sees, and the string literals it reports must be exactly the server's
 * (each placeholder once, nothing else): what the tree walk checked is what the server runs.
 * @module
 */
import mariadbSqlParser from "npm:node-sql-parser@5.4.0/build/mariadb.js";
import type { UserSqlGuard, UserSqlScope } from "../../sql/user_sql.ts";
import { MYSQL_ALLOWED_FUNCTIONS, SYSTEM_SCHEMAS } from "./guard_allowed.ts";
import { lexMysql, type MysqlToken } from "./guard_lexer.ts";
import { treeRefusal } from "./guard_tree.ts";
import { wordRefusal } from "./guard_words.ts";
import { leadingWordRefusal, parserFailure } from "../../sql/guard_kit.ts";

/** Checks MySQL/MariaDB user SQL; see the module comment. */
export const mysqlGuard: UserSqlGuard = {
  engine: "MySQL/MariaDB",
  allowedFunctions: MYSQL_ALLOWED_FUNCTIONS,
  check: (sql, scope) => Promise.resolve(mysqlRefusal(sql, scope)),
  refuseRelation: (path) =>
    path.some((name) => SYSTEM_SCHEMAS.has(name.toLowerCase()))
      ? `may not read system schemas (${path.join(".")})`
      : undefined,
};

const parser = new mariadbSqlParser.Parser();
const PARSE_OPTIONS = {
  database: "MariaDB",
  // Positions must be offsets into the text as given.
  trimQuery: false,
  parseOptions: { includeLocations: true },
};

/** Why `sql` is refused on MySQL/MariaDB (one line), or undefined when it is allowed. */
export function mysqlRefusal(sql: string, scope: UserSqlScope): string | undefined {
  // Reasons may quote names and strings, which may hold line breaks.
  return refusal(sql, scope)?.replace(/\s+/g, " ");
}

function refusal(sql: string, scope: UserSqlScope): string | undefined {
  const leading = leadingWordRefusal(sql);
  if (leading !== undefined) return leading;
  const lexed = lexMysql(sql);
  if (lexed.refusal !== undefined) return lexed.refusal;
  const words = wordRefusal(lexed.tokens);
  if (words !== undefined) return words;
  let ast: unknown;
  try {
    ast = parser.astify(lexed.masked, PARSE_OPTIONS);
  } catch (error) {
    return parserFailure(error);
  }
  const names = new Map<string, string>();
  for (const token of lexed.tokens) {
    if (token.kind === "quoted") names.set(token.mask!, token.text);
  }
  const stringsSeen: string[] = [];
  return treeRefusal(ast, scope, names, stringsSeen) ??
    stringsDisagree(lexed.tokens, stringsSeen);
}

/**
 * A refusal unless the parser read every string literal the server reads, once, as a
 * literal (not as an alias or a name), and no other.
 */
function stringsDisagree(
  tokens: readonly MysqlToken[],
  seen: readonly string[],
): string | undefined {
  const expected = tokens.filter((token) => token.kind === "string");
  const unseen = new Map(expected.map((token) => [token.mask!, token]));
  for (const mask of seen) {
    if (!unseen.delete(mask)) return disagreement(undefined);
  }
  const [first] = unseen.values();
  return first === undefined ? undefined : disagreement(first.start);
}

function disagreement(offset: number | undefined): string {
  const where = offset === undefined ? "" : ` (at offset ${offset})`;
  return `the server and the SQL parser read the string literals differently${where}`;
}
