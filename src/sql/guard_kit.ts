/**
 * The parts the guards without an engine parser (Snowflake, MySQL/MariaDB) share: the
 * characters refused wherever they stand, the first-word check, the lexing pieces both
 * tokenizers read alike (nesting depth, doubled-quote strings, messages), token tests, how
 * a node-sql-parser failure is reported, and the field checks their tree walks are built
 * from (the walk itself: guard_walk.ts). Each guard keeps its own lexer rules, shapes and
 * allow-lists.
 * @module
 */

/** The first word, for the plainest message about other statements (INSERT, PUT, …). */
const LEADING_WORD = /^\s*([A-Za-z_]+)/;

/** Why a statement that does not start with SELECT or WITH is refused, or undefined. */
export function leadingWordRefusal(sql: string): string | undefined {
  const leading = LEADING_WORD.exec(sql)?.[1].toUpperCase();
  return leading !== undefined && leading !== "SELECT" && leading !== "WITH"
    ? `must be a SELECT, not ${leading}`
    : undefined;
}

/**
 * Characters refused wherever they are, even inside strings and comments: NUL, controls
 * other than tab and line breaks, line separators, a byte-order mark, a lone carriage
 * return, and backslashes (`backslashes` says why, in the engine's terms).
 */
export function refusedCharacters(sql: string, backslashes: string): string | undefined {
  if (sql.includes("\0")) return "NUL characters are not allowed";
  if (sql.includes("\\")) return `backslashes are not allowed (${backslashes})`;
  for (let i = 0; i < sql.length; i++) {
    const code = sql.charCodeAt(i);
    if (isForbiddenControl(code)) {
      const hex = code.toString(16).toUpperCase().padStart(4, "0");
      return `the control or line-separator character U+${hex} is not allowed`;
    }
  }
  if (/\r(?!\n)/.test(sql)) return "a carriage return must be followed by a line feed";
  return undefined;
}

function isForbiddenControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f ||
    code === 0x85 || code === 0x2028 || code === 0x2029 || code === 0xfeff;
}

// --- lexing: pieces both guards' tokenizers read alike ------------------------------------

/** Deeper nesting is refused: node-sql-parser recurses once per level. */
export const MAX_NESTING = 100;

/** Why parentheses `depth` deep after the token at `i` is refused: too deep, or unopened. */
export function nestingRefusal(sql: string, i: number, depth: number): string | undefined {
  if (depth > MAX_NESTING) return `the SQL is nested more than ${MAX_NESTING} parentheses deep`;
  // An extra ")" would close the statement Kontra wraps the SQL in.
  if (depth < 0) return `a ) has no matching ( (${near(sql, i)})`;
  return undefined;
}

/** The offset of the quote closing the one at `open` (a doubled quote is text), or -1. */
export function closingQuote(sql: string, open: number): number {
  const quote = sql[open];
  let i = open + 1;
  while (true) {
    const at = sql.indexOf(quote, i);
    if (at < 0) return -1;
    if (sql[at + 1] !== quote) return at;
    i = at + 2;
  }
}

/** Why the character at `i`, which starts no token, is refused. */
export function unexpectedCharacter(sql: string, i: number): string {
  const code = sql.codePointAt(i)!;
  if (code > 0x7e) {
    return `non-ASCII characters are only allowed inside quotes and comments (${near(sql, i)})`;
  }
  return `the character ${JSON.stringify(sql[i])} is not allowed outside quotes`;
}

/** A short excerpt of the SQL at `i`, for messages. */
export function near(sql: string, i: number): string {
  return sql.slice(Math.max(0, i - 10), i + 10).replace(/\s+/g, " ").trim();
}

/** A token as the guards' word checks read it (both lexers' tokens are this and more). */
export interface WordToken {
  /** `word`, `quoted` (a quoted name), `string`, `number` or `symbol`. */
  readonly kind: string;
  /** The token's text (without quotes for quoted names and strings). */
  readonly text: string;
}

/** Whether `token` is a name: an unquoted word or a quoted name. */
export function isName<T extends WordToken>(token: T | undefined): token is T {
  return token?.kind === "word" || token?.kind === "quoted";
}

/** Whether `token` is the unquoted word `upper`, in any case. */
export function isWord(token: WordToken | undefined, upper: string): boolean {
  return token?.kind === "word" && token.text.toUpperCase() === upper;
}

/** A node-sql-parser failure as a refusal: it recurses per nesting level, so deep SQL overflows. */
export function parserFailure(error: unknown): string {
  if (error instanceof RangeError) return "the SQL is nested too deeply to check";
  const location = (error as { location?: { start?: { line?: number; column?: number } } })
    ?.location?.start;
  if (location?.line !== undefined) {
    return `the SQL parser cannot read it at line ${location.line}, column ${location.column}`;
  }
  return "the SQL parser cannot read it";
}

// --- fields of a tree walk: "" means "refused, say which key" -----------------------------

/** A walk that can claim an object as a kind of node. */
export interface Claims<K extends string> {
  /** Marks `value` (an object) as a `kind`: its parent expects it there. */
  claim(value: unknown, kind: K): string | undefined;
}

/** Checks one value of a key; may claim the objects it holds. */
export type FieldCheck<W> = (value: unknown, walk: W) => string | undefined;

/** No value. */
export const absent: FieldCheck<unknown> = (value) =>
  value === null || value === undefined ? undefined : "";
/** Text or nothing. */
export const text: FieldCheck<unknown> = (value) =>
  value == null || typeof value === "string" ? undefined : "";
/** A boolean or nothing. */
export const flag: FieldCheck<unknown> = (value) =>
  value == null || typeof value === "boolean" ? undefined : "";
/** An integer or nothing. */
export const integer: FieldCheck<unknown> = (value) =>
  value == null || Number.isInteger(value) ? undefined : "";
/** A list of texts. */
export const strings: FieldCheck<unknown> = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? undefined : "";
/** One of these values (nothing counts as null). */
export const oneOf = (...allowed: unknown[]): FieldCheck<unknown> => (value) =>
  allowed.includes(value ?? null) ? undefined : "";
/** Nothing, or one node of `kind`. */
export const one = <K extends string>(kind: K): FieldCheck<Claims<K>> => (value, walk) =>
  value === null || value === undefined ? undefined : walk.claim(value, kind);
/** Nothing, or a list of nodes of `kind`. */
export const many = <K extends string>(kind: K): FieldCheck<Claims<K>> => (value, walk) => {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) return "";
  for (const item of value) {
    const reason = walk.claim(item, kind);
    if (reason !== undefined) return reason;
  }
  return undefined;
};

/** `record[key]` when it is the record's own entry (never Object.prototype's). */
export function own<T>(record: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === "string" && Object.hasOwn(record, key) ? record[key] : undefined;
}
