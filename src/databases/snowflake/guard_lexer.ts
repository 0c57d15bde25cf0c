/**
 * Snowflake's lexical rules, for the part of Snowflake SQL where they cannot be misread.
 *
 * Snowflake has no parser on npm, so its guard reads user SQL with node-sql-parser, whose
 * lexer is not Snowflake's: text one of them takes for a string or a comment, the other
 * may run as code. This tokenizer follows SNOWFLAKE's rules (`'…'` strings where `''` is a
 * quote, `"…"` names, `--` and `/* *\/` comments) and refuses every construct where the
 * two lexers can disagree: backslashes anywhere (Snowflake escapes with them, the parser
 * only sometimes), `$$` strings, `//` comments, nested or unterminated comments, `""`
 * inside a quoted name, a `--` glued to a name (the parser's names may contain `-`), a
 * prefix glued to a string (`E'…'`, `X'…'`), lone carriage returns and other control or
 * line-separator characters, NUL, and any character outside plain ASCII SQL punctuation
 * between tokens. Also refused here, because they reach outside the query: session
 * variables and `$` (`$var`, `$1`), bind variables (`?`, `:1`), stages (`@…`, `~`), and
 * a second statement (`;`). Its tokens then let the guard compare node-sql-parser's view
 * of the text with Snowflake's.
 * @module
 */
import {
  closingQuote,
  near,
  nestingRefusal,
  refusedCharacters,
  unexpectedCharacter,
} from "../../sql/guard_kit.ts";

/** One token of Snowflake SQL; comments and white space are dropped. */
export interface SnowflakeToken {
  /**
   * `word`: an unquoted name or keyword; `quoted`: a `"…"` name (text without quotes);
   * `string`: a `'…'` literal (text as written between the quotes, `''` kept);
   * `number`; `symbol`: punctuation or an operator.
   */
  readonly kind: "word" | "quoted" | "string" | "number" | "symbol";
  readonly text: string;
  /** Offset of the first character in the SQL (the opening quote for strings). */
  readonly start: number;
  /** Offset just past the last character (past the closing quote). */
  readonly end: number;
}

/** The tokens of the SQL, or why it is refused. */
export type LexResult =
  | { readonly tokens: readonly SnowflakeToken[]; readonly refusal?: undefined }
  | { readonly refusal: string; readonly tokens?: undefined };

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME_CHAR = /[A-Za-z0-9_]/;
const TWO_CHAR_SYMBOLS = new Set(["||", "<=", ">=", "<>", "!=", "::"]);
const ONE_CHAR_SYMBOLS = new Set(["(", ")", ",", ".", "+", "-", "*", "/", "%", "<", ">", "="]);
/** Splits `sql` into Snowflake tokens, or says which construct is refused. */
export function lexSnowflake(sql: string): LexResult {
  const anywhere = refusedCharacters(sql, "Snowflake and the SQL parser read them differently");
  if (anywhere !== undefined) return { refusal: anywhere };
  const tokens: SnowflakeToken[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const two = sql.slice(i, i + 2);
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
    } else if (two === "--") {
      if (i > 0 && NAME_CHAR.test(sql[i - 1])) {
        return { refusal: `a -- comment must not touch the name before it (${near(sql, i)})` };
      }
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (two === "//") {
      return { refusal: "// comments are not allowed: use --" };
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) return { refusal: "a /* comment is not closed" };
      // `/* a /*/`: node-sql-parser nests at that `/*`, Snowflake closes at its `*/`.
      if (sql.slice(i + 2, end + 1).includes("/*")) {
        return { refusal: "nested /* comments are not allowed" };
      }
      i = end + 2;
    } else if (ch === "'") {
      if (i > 0 && NAME_CHAR.test(sql[i - 1])) {
        return { refusal: `a prefix before a string literal is not allowed (${near(sql, i)})` };
      }
      const end = closingQuote(sql, i);
      if (end < 0) return { refusal: "a string literal is not closed" };
      tokens.push({ kind: "string", text: sql.slice(i + 1, end), start: i, end: end + 1 });
      i = end + 1;
    } else if (ch === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) return { refusal: "a quoted name is not closed" };
      if (end === i + 1) return { refusal: 'empty quoted names ("") are not allowed' };
      if (sql[end + 1] === '"') {
        return { refusal: `"" inside a quoted name is not allowed (${near(sql, i)})` };
      }
      tokens.push({ kind: "quoted", text: sql.slice(i + 1, end), start: i, end: end + 1 });
      i = end + 1;
    } else {
      const refusal = refusedBetweenTokens(sql, i);
      if (refusal !== undefined) return { refusal };
      const token = codeToken(sql, i);
      if (token === undefined) return { refusal: unexpectedCharacter(sql, i) };
      if (token.kind === "number" && NAME_CHAR.test(sql[token.end] ?? "")) {
        return { refusal: `a name must not start right after a number (${near(sql, i)})` };
      }
      if (token.text === "(") depth++;
      if (token.text === ")") depth--;
      const nesting = nestingRefusal(sql, i, depth);
      if (nesting !== undefined) return { refusal: nesting };
      tokens.push(token);
      i = token.end;
    }
  }
  if (depth !== 0) return { refusal: "a ( is not closed" };
  return { tokens };
}

/** Constructs outside quotes and comments that reach beyond the query, or a 2nd statement. */
function refusedBetweenTokens(sql: string, i: number): string | undefined {
  const ch = sql[i];
  if (ch === ";") return "must be exactly one statement";
  if (ch === "$" && i > 0 && NAME_CHAR.test(sql[i - 1])) {
    let start = i;
    while (start > 0 && NAME_CHAR.test(sql[start - 1])) start--;
    return `names with $ are not allowed outside quotes (${sql.slice(start, i)}${sigilAt(sql, i)})`;
  }
  if (ch === "$") {
    return `$ is not allowed outside quotes: no session variables, $$ strings or $1 columns (${
      sigilAt(sql, i)
    })`;
  }
  if (ch === "?") return "bind variables (?) are not allowed";
  if (ch === ":" && sql[i + 1] !== ":") {
    return `bind variables and : paths are not allowed (${sigilAt(sql, i)})`;
  }
  if (ch === "@" || ch === "~") return `may not read stages (${sigilAt(sql, i)})`;
  if (sql.startsWith("=>", i)) return "named arguments (=>) are not allowed";
  return undefined;
}

function codeToken(sql: string, i: number): SnowflakeToken | undefined {
  for (const [kind, pattern] of [["word", WORD], ["number", NUMBER]] as const) {
    pattern.lastIndex = i;
    const match = pattern.exec(sql);
    if (match) return { kind, text: match[0], start: i, end: i + match[0].length };
  }
  const two = sql.slice(i, i + 2);
  if (TWO_CHAR_SYMBOLS.has(two)) return { kind: "symbol", text: two, start: i, end: i + 2 };
  if (ONE_CHAR_SYMBOLS.has(sql[i])) {
    return { kind: "symbol", text: sql[i], start: i, end: i + 1 };
  }
  return undefined;
}

const SIGIL = /[$:@~]+[A-Za-z0-9_$./~]*/y;

/** `$name`, `:1`, `@stage/path` at `i`, for messages. */
function sigilAt(sql: string, i: number): string {
  SIGIL.lastIndex = i;
  return SIGIL.exec(sql)?.[0].slice(0, 40) ?? sql[i];
}
