/**
 * The MySQL/MariaDB guard's checks on the TOKENS of user SQL, read by the server's lexical
 * rules (guard_lexer.ts), independent of node-sql-parser: whatever the parser's tree
 * leaves out or reads differently, the server runs these tokens. One statement starting
 * with SELECT or WITH; no statement keyword (INSERT, SET, CALL, LOAD, HANDLER, …), INTO,
 * FOR (FOR UPDATE, FOR SHARE, FOR SYSTEM_TIME), LOCK, PROCEDURE or RECURSIVE anywhere;
 * every `name(` is an allowed function, a keyword or a cast type; no qualified or quoted
 * function names; no system schema named anywhere; no sequences, no character-set
 * introducers, no adjacent strings (the server joins them) and no string aliases.
 * @module
 */
import { functionNotAllowed } from "../../sql/user_sql.ts";
import { ALLOWED_FUNCTION_SET, MYSQL_ALLOWED_CAST_TYPES, SYSTEM_SCHEMAS } from "./guard_allowed.ts";
import type { MysqlToken } from "./guard_lexer.ts";
import { isName, isWord } from "../../sql/guard_kit.ts";

/** Words that start or belong to statements other than a query (upper case). */
const STATEMENT_KEYWORDS = new Set([
  "ALTER",
  "ANALYZE",
  "BACKUP",
  "BINLOG",
  "CALL",
  "CHANGE",
  "CHECKSUM",
  "CREATE",
  "DEALLOCATE",
  "DECLARE",
  "DELETE",
  "DELIMITER",
  "DESCRIBE",
  "DO",
  "DROP",
  "EXECUTE",
  "EXPLAIN",
  "FLUSH",
  "GRANT",
  "HANDLER",
  "IMPORT",
  "INSERT",
  "INSTALL",
  "KILL",
  "LOAD",
  "OPTIMIZE",
  "PREPARE",
  "PURGE",
  "RELEASE",
  "RENAME",
  "REPAIR",
  "REPLACE",
  "RESIGNAL",
  "REVOKE",
  "ROLLBACK",
  "SAVEPOINT",
  "SET",
  "SHOW",
  "SHUTDOWN",
  "SIGNAL",
  "TRUNCATE",
  "UNINSTALL",
  "UNLOCK",
  "UPDATE",
  "USE",
  "XA",
]);

/** Other words refused wherever they are, and why (upper case). */
const REFUSED_WORDS: Readonly<Record<string, string>> = {
  INTO: "must not write (SELECT … INTO writes files or variables)",
  OUTFILE: "must not write files (INTO OUTFILE)",
  DUMPFILE: "must not write files (INTO DUMPFILE)",
  LOCK: "must not lock rows (LOCK IN SHARE MODE)",
  FOR: "FOR is not allowed (FOR UPDATE, FOR SHARE, FOR SYSTEM_TIME, NEXT VALUE FOR)",
  PROCEDURE: "PROCEDURE is not allowed",
  RECURSIVE: "recursive CTEs are not allowed",
  NEXTVAL: "may not use sequences (NEXTVAL)",
  LASTVAL: "may not use sequences (LASTVAL)",
  SETVAL: "may not use sequences (SETVAL)",
  TABLE: "TABLE is not allowed: use SELECT * FROM",
  VALUES: "VALUES is not allowed",
  LATERAL: "LATERAL is not allowed",
  BINARY: "BINARY is not allowed",
  COLLATE: "collations are not allowed",
  CHARACTER: "character sets are not allowed",
  CHARSET: "character sets are not allowed",
  CONVERT: "CONVERT is not allowed: use CAST",
};

/**
 * The character sets MySQL and MariaDB know, lower case: `_<name>` is an introducer to
 * the server (`_utf8mb4'…'`, `_binary 0x41`) but a plain name to node-sql-parser.
 */
const CHARACTER_SETS = new Set([
  "armscii8",
  "ascii",
  "big5",
  "binary",
  "cp1250",
  "cp1251",
  "cp1256",
  "cp1257",
  "cp850",
  "cp852",
  "cp866",
  "cp932",
  "dec8",
  "eucjpms",
  "euckr",
  "filename",
  "gb18030",
  "gb2312",
  "gbk",
  "geostd8",
  "greek",
  "hebrew",
  "hp8",
  "keybcs2",
  "koi8r",
  "koi8u",
  "latin1",
  "latin2",
  "latin5",
  "latin7",
  "macce",
  "macroman",
  "sjis",
  "swe7",
  "tis620",
  "ucs2",
  "ujis",
  "utf16",
  "utf16le",
  "utf32",
  "utf8",
  "utf8mb3",
  "utf8mb4",
]);

/** Keywords the server reads before a `(` without calling anything (lower case). */
const KEYWORDS_BEFORE_PARENTHESIS = new Set([
  "all",
  "and",
  "any",
  "as",
  "between",
  "both",
  "by",
  "case",
  "distinct",
  "div",
  "else",
  "escape",
  "except",
  "exists",
  "from",
  "having",
  "in",
  "intersect",
  "interval",
  "join",
  "leading",
  "like",
  "not",
  "on",
  "or",
  "over",
  "regexp",
  "rlike",
  "select",
  "some",
  "then",
  "trailing",
  "union",
  "using",
  "when",
  "where",
  "xor",
]);

/** Type names that take `(` in a cast: `CAST(x AS DECIMAL(10, 2))`, `CAST(x AS CHAR(10))`. */
const CAST_TYPE_WORDS = new Set(
  MYSQL_ALLOWED_CAST_TYPES.filter((type) => !type.includes(" ")),
);

/**
 * Why the tokens are refused, or undefined. Reasons found anywhere rank: statement
 * keywords, then system schemas and other refused words, then functions.
 */
export function wordRefusal(tokens: readonly MysqlToken[]): string | undefined {
  const first = tokens[0];
  if (first === undefined) return "must be exactly one statement";
  if (!isWord(first, "SELECT") && !isWord(first, "WITH")) {
    return `must be a SELECT, not ${first.kind === "word" ? first.text.toUpperCase() : first.text}`;
  }
  const found: (string | undefined)[] = [];
  const note = (rank: number, reason: string) => found[rank] ??= reason;
  tokens.forEach((token, i) => {
    const upper = token.text.toUpperCase();
    const next = tokens[i + 1];
    if (token.kind === "word" && STATEMENT_KEYWORDS.has(upper)) {
      // REPLACE(…) and TRUNCATE(…) are also functions.
      if (!isSymbol(next, "(") || !ALLOWED_FUNCTION_SET.has(upper.toLowerCase())) {
        note(
          0,
          upper === "UPDATE" && isWord(tokens[i - 1], "FOR")
            ? "must not lock rows (FOR UPDATE)"
            : `must be a SELECT, not ${upper}`,
        );
      }
    }
    if (token.kind === "word" && Object.hasOwn(REFUSED_WORDS, upper)) {
      note(1, REFUSED_WORDS[upper]);
    }
    if (token.kind === "word" && CHARACTER_SETS.has(token.text.slice(1).toLowerCase())) {
      if (token.text.startsWith("_")) {
        note(1, `character set introducers are not allowed (${token.text})`);
      }
    }
    if (token.kind === "string") {
      const refusal = stringRefusal(tokens, i);
      if (refusal !== undefined) note(1, refusal);
    }
    if (!isName(token)) return;
    if (SYSTEM_SCHEMAS.has(token.text.toLowerCase())) {
      note(1, `may not read system schemas (${dottedName(tokens, i)})`);
    }
    // `NEXT VALUE FOR s`, `PREVIOUS VALUE FOR s` advance or read sequences.
    if ((upper === "NEXT" || upper === "PREVIOUS") && isWord(next, "VALUE")) {
      note(1, `may not use sequences (${upper} VALUE FOR)`);
    }
    // Functions the server also calls without parentheses (CURRENT_USER, CURRENT_ROLE).
    if (
      token.kind === "word" && upper.startsWith("CURRENT_") &&
      !ALLOWED_FUNCTION_SET.has(upper.toLowerCase())
    ) {
      note(2, functionNotAllowed(upper.toLowerCase()));
    }
    if (!isSymbol(next, "(")) return;
    const call = callRefusal(tokens, i);
    if (call !== undefined) note(2, call);
  });
  return found.find((reason) => reason !== undefined);
}

/** Strings the server reads otherwise than as a plain literal. */
function stringRefusal(tokens: readonly MysqlToken[], i: number): string | undefined {
  const previous = tokens[i - 1];
  if (previous?.kind === "string") {
    return "adjacent string literals are not allowed (the server joins them into one)";
  }
  if (previous?.kind === "word" && previous.text.startsWith("_")) {
    return `character set introducers are not allowed (${previous.text} '…')`;
  }
  if (isWord(previous, "AS")) return "string aliases are not allowed: quote names with `…`";
  return undefined;
}

/** Why the name at `i`, followed by `(`, is refused as a call. */
function callRefusal(tokens: readonly MysqlToken[], i: number): string | undefined {
  const token = tokens[i];
  if (isSymbol(tokens[i - 1], ".")) return functionNotAllowed(dottedName(tokens, i));
  if (token.kind === "quoted") return functionNotAllowed(`\`${token.text}\``);
  const lower = token.text.toLowerCase();
  if (ALLOWED_FUNCTION_SET.has(lower) || KEYWORDS_BEFORE_PARENTHESIS.has(lower)) return undefined;
  if (CAST_TYPE_WORDS.has(token.text.toUpperCase()) && isWord(tokens[i - 1], "AS")) {
    return undefined;
  }
  if (isCteColumnList(tokens, i)) return undefined;
  return functionNotAllowed(lower);
}

/** `WITH name (a, b) AS (` or `, name (a, b) AS (`: the column list of a CTE, not a call. */
function isCteColumnList(tokens: readonly MysqlToken[], i: number): boolean {
  if (!isWord(tokens[i - 1], "WITH") && !isSymbol(tokens[i - 1], ",")) return false;
  let depth = 0;
  for (let j = i + 1; j < tokens.length; j++) {
    if (isSymbol(tokens[j], "(")) depth++;
    if (isSymbol(tokens[j], ")")) depth--;
    if (depth === 0) return isWord(tokens[j + 1], "AS") && isSymbol(tokens[j + 2], "(");
  }
  return false;
}

/** `a.b.c` around the name at `i`, as written (quoted parts in backticks). */
function dottedName(tokens: readonly MysqlToken[], i: number): string {
  let first = i;
  while (isSymbol(tokens[first - 1], ".") && isName(tokens[first - 2])) first -= 2;
  let last = i;
  while (isSymbol(tokens[last + 1], ".") && isName(tokens[last + 2])) last += 2;
  return tokens.slice(first, last + 1)
    .map((token) => token.kind === "quoted" ? `\`${token.text}\`` : token.text).join("");
}

function isSymbol(token: MysqlToken | undefined, text: string): boolean {
  return token?.kind === "symbol" && token.text === text;
}
