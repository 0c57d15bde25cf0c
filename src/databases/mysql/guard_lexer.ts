/**
 * MySQL/MariaDB lexical rules, for the part of their SQL that reads the same whatever the
 * session's sql_mode, and the text node-sql-parser is given instead of the original.
 *
 * The server's lexer is not node-sql-parser's, and sql_mode changes the server's own:
 * backslashes escape in strings unless NO_BACKSLASH_ESCAPES, `"…"` is a string or a name
 * (ANSI_QUOTES), `||` is OR or concatenation (PIPES_AS_CONCAT). This tokenizer follows
 * the server's rules (`'…'` strings where `''` is a quote, `` `…` `` names where ``` `` ```
 * is a backtick, `-- ` and `/* *\/` comments) and refuses every construct whose reading
 * is in doubt: backslashes and `"` anywhere, executable comments (`/*!`, `/*M!`) and
 * optimizer hints (`/*+`), `#` comments, `--` not followed by white space, nested or
 * unterminated comments, prefixes glued to strings (`N'…'`, `X'…'`, `_utf8'…'`), hex and
 * binary numbers, names glued to numbers (`1e`, `t.1e2`), control and line-separator
 * characters, NUL, lone carriage returns and non-ASCII outside quotes. Also refused here,
 * because they reach outside the query: variables (`@v`, `@@v`, `:=`), placeholders (`?`),
 * ODBC escapes (`{d …}`), `$`, and a second statement (`;`).
 *
 * Besides the tokens, the lexer writes the MASKED text that node-sql-parser reads: every
 * comment becomes spaces, every string literal `'s<k>…'` and every quoted name
 * `` `~<k>…` `` (k its number, padded with `_` to its length where it fits; line breaks
 * kept). So the parser cannot read a comment, string or name boundary differently from the
 * server: it sees only code tokens, each exactly as the server does.
 * @module
 */
import {
  closingQuote,
  near,
  nestingRefusal,
  refusedCharacters,
  unexpectedCharacter as unexpectedInCode,
} from "../../sql/guard_kit.ts";

/** One token of MySQL SQL; comments and white space are dropped. */
export interface MysqlToken {
  /**
   * `word`: an unquoted name or keyword; `quoted`: a `` `…` `` name (text unescaped);
   * `string`: a `'…'` literal (text as written between the quotes, `''` kept);
   * `number`; `symbol`: punctuation or an operator.
   */
  readonly kind: "word" | "quoted" | "string" | "number" | "symbol";
  readonly text: string;
  /** Offset of the first character in the SQL (the opening quote for strings, names). */
  readonly start: number;
  /** Offset just past the last character (past the closing quote). */
  readonly end: number;
  /** For strings and quoted names: the placeholder the masked text holds (`s3`, `~4`). */
  readonly mask?: string;
}

/** The tokens of the SQL and the text the parser reads, or why the SQL is refused. */
export type LexResult =
  | {
    readonly tokens: readonly MysqlToken[];
    readonly masked: string;
    readonly refusal?: undefined;
  }
  | { readonly refusal: string; readonly tokens?: undefined; readonly masked?: undefined };

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
// No `.5`, `1.` or `1.e3`: the server and the parser may split those differently.
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME_CHAR = /[A-Za-z0-9_$]/;
const WHITE = new Set([" ", "\t", "\n", "\r"]);
const TWO_CHAR_SYMBOLS = new Set(["<=", ">=", "<>", "!="]);
const ONE_CHAR_SYMBOLS = new Set(["(", ")", ",", ".", "+", "-", "*", "/", "%", "<", ">", "="]);

/** Multi-character operators refused before their first character is read alone. */
const REFUSED_OPERATORS: readonly [string, string][] = [
  ["<=>", "the operator <=> is not allowed"],
  ["->", "JSON path operators (->, ->>) are not allowed: use JSON_EXTRACT"],
  ["<<", "bit shifts are not allowed"],
  [">>", "bit shifts are not allowed"],
  ["=>", "=> is not allowed"],
  ["*/", "*/ outside a comment is not allowed"],
];

/** Characters refused outside quotes and comments, and why. */
const REFUSED_CHARACTERS: Readonly<Record<string, string>> = {
  ";": "must be exactly one statement",
  '"':
    "\"…\" is a string or a name depending on sql_mode (ANSI_QUOTES): use '…' for strings and `…` for names",
  "#": "# comments are not allowed: use -- or /* */",
  "@": "variables (@name, @@name) are not allowed",
  "?": "placeholders (?) are not allowed",
  ":": "assignments and : are not allowed",
  $: "$ is not allowed outside quotes",
  "{": "ODBC escapes ({d …}, {fn …}) are not allowed",
  "}": "ODBC escapes ({d …}, {fn …}) are not allowed",
  "[": "[ is not allowed outside quotes",
  "]": "] is not allowed outside quotes",
  "|": "| and || are not allowed (|| means OR or concatenation depending on sql_mode)",
  "&": "& and && are not allowed: use AND",
  "^": "bit operators are not allowed",
  "~": "bit operators are not allowed",
  "!": "! is not allowed: use NOT",
};

/** Splits `sql` into MySQL tokens and masks it, or says which construct is refused. */
export function lexMysql(sql: string): LexResult {
  const anywhere = refusedCharacters(sql, "their meaning in strings depends on sql_mode");
  if (anywhere !== undefined) return { refusal: anywhere };
  const tokens: MysqlToken[] = [];
  const masked: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const two = sql.slice(i, i + 2);
    let next: number;
    if (WHITE.has(ch)) {
      next = i + 1;
      masked.push(ch);
    } else if (two === "--") {
      if (!WHITE.has(sql[i + 2] ?? "")) {
        return { refusal: `-- must be followed by a space to start a comment (${near(sql, i)})` };
      }
      const end = sql.indexOf("\n", i);
      next = end < 0 ? sql.length : end;
      masked.push(blank(sql.slice(i, next)));
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      const refusal = commentRefusal(sql, i, end);
      if (refusal !== undefined) return { refusal };
      next = end + 2;
      masked.push(blank(sql.slice(i, next)));
    } else if (ch === "'" || ch === "`") {
      const token = quotedToken(sql, i, tokens.length);
      if (typeof token === "string") return { refusal: token };
      const apart = dotApart(sql, tokens[tokens.length - 1], token);
      if (apart !== undefined) return { refusal: apart };
      tokens.push(token);
      next = token.end;
      masked.push(maskedText(sql.slice(i + 1, next - 1), token.mask!, ch));
    } else {
      const refusal = refusedInCode(sql, i, tokens[tokens.length - 1]);
      if (refusal !== undefined) return { refusal };
      const token = codeToken(sql, i);
      if (token === undefined) return { refusal: unexpectedCharacter(sql, i) };
      const apart = dotApart(sql, tokens[tokens.length - 1], token);
      if (apart !== undefined) return { refusal: apart };
      if (token.text === "(") depth++;
      if (token.text === ")") depth--;
      const nesting = nestingRefusal(sql, i, depth);
      if (nesting !== undefined) return { refusal: nesting };
      tokens.push(token);
      next = token.end;
      masked.push(token.text);
    }
    i = next;
  }
  if (depth !== 0) return { refusal: "a ( is not closed" };
  return { tokens, masked: masked.join("") };
}

/**
 * A `.` must touch the names on both sides: the server reads a keyword right after a
 * glued dot as a name (`t.order`), but not after a spaced one, and the parser always does.
 */
function dotApart(
  sql: string,
  previous: MysqlToken | undefined,
  token: MysqlToken,
): string | undefined {
  const dotBefore = previous?.kind === "symbol" && previous.text === ".";
  const isDot = token.kind === "symbol" && token.text === ".";
  if ((dotBefore && previous.end !== token.start) || (isDot && previous?.end !== token.start)) {
    return `a . must touch the names on both sides (${near(sql, token.start)})`;
  }
  return undefined;
}

/** Why the `/*` comment at `open` (closed at `end`, -1 if not) is refused. */
function commentRefusal(sql: string, open: number, end: number): string | undefined {
  const after = sql.slice(open + 2, open + 4);
  // The server RUNS the text of /*! … */ and /*M! … */, and reads /*+ … */ as hints.
  if (after.startsWith("!") || /^[Mm]!/.test(after)) {
    return "executable comments (/*! … */, /*M! … */) are not allowed";
  }
  if (after.startsWith("+")) return "optimizer hints (/*+ … */) are not allowed";
  if (end < 0) return "a /* comment is not closed";
  if (sql.slice(open + 2, end + 1).includes("/*")) return "nested /* comments are not allowed";
  return undefined;
}

/** The `'…'` string or `` `…` `` name at `i`, or why it is refused. */
function quotedToken(sql: string, i: number, index: number): MysqlToken | string {
  const quote = sql[i];
  if (i > 0 && NAME_CHAR.test(sql[i - 1])) {
    return quote === "'"
      ? `a prefix before a string literal is not allowed (${near(sql, i)})`
      : `a quoted name must not touch the name before it (${near(sql, i)})`;
  }
  const close = closingQuote(sql, i);
  if (close < 0) {
    return quote === "'" ? "a string literal is not closed" : "a quoted name is not closed";
  }
  const raw = sql.slice(i + 1, close);
  if (quote === "`") {
    if (raw === "") return "empty quoted names (``) are not allowed";
    const text = raw.replaceAll("``", "`");
    return { kind: "quoted", text, start: i, end: close + 1, mask: `~${index}` };
  }
  return { kind: "string", text: raw, start: i, end: close + 1, mask: `s${index}` };
}

/** `'s3___'`: the placeholder, padded with `_` to the text's length, line breaks kept. */
function maskedText(raw: string, mask: string, quote: string): string {
  const filler = raw.replace(/[^\n]/g, "_");
  const firstLine = filler.indexOf("\n") < 0 ? filler.length : filler.indexOf("\n");
  return `${quote}${mask}${filler.slice(Math.min(mask.length, firstLine))}${quote}`;
}

/** A comment's replacement: spaces, line breaks kept (so parser positions stay right). */
function blank(text: string): string {
  return text.replace(/[^\n]/g, " ");
}

/** Constructs outside quotes and comments that are refused at `i`. */
function refusedInCode(
  sql: string,
  i: number,
  previous: MysqlToken | undefined,
): string | undefined {
  for (const [operator, reason] of REFUSED_OPERATORS) {
    if (sql.startsWith(operator, i)) return reason;
  }
  const ch = sql[i];
  if (ch === "!" && sql[i + 1] === "=") return undefined;
  if (Object.hasOwn(REFUSED_CHARACTERS, ch)) return REFUSED_CHARACTERS[ch];
  if (/\d/.test(ch) && previous?.kind === "symbol" && previous.text === ".") {
    return `a name after . must not start with a digit (${near(sql, i)})`;
  }
  return undefined;
}

function codeToken(sql: string, i: number): MysqlToken | undefined {
  for (const [kind, pattern] of [["word", WORD], ["number", NUMBER]] as const) {
    pattern.lastIndex = i;
    const match = pattern.exec(sql);
    if (!match) continue;
    const end = i + match[0].length;
    // `1e`, `0x41`, `1.` and `1abc` read differently: the server takes some for names.
    if (kind === "number" && /[A-Za-z0-9_$.]/.test(sql[end] ?? "")) return undefined;
    return { kind, text: match[0], start: i, end };
  }
  const two = sql.slice(i, i + 2);
  if (TWO_CHAR_SYMBOLS.has(two)) return { kind: "symbol", text: two, start: i, end: i + 2 };
  if (ONE_CHAR_SYMBOLS.has(sql[i])) {
    return { kind: "symbol", text: sql[i], start: i, end: i + 1 };
  }
  return undefined;
}

/** Why the character at `i`, which starts no token, is refused. */
function unexpectedCharacter(sql: string, i: number): string {
  if (/\d/.test(sql[i])) {
    return `a number must not touch a name, a dot or another number (${near(sql, i)})`;
  }
  return unexpectedInCode(sql, i);
}
