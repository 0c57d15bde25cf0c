/**
 * The `when:` condition language: a small boolean expression over a row's columns,
 * parsed into a typed tree that `condition_compile.ts` turns into a Polars expression and
 * into SQL for each dialect. The text itself never reaches SQL.
 *
 * ```
 * expr       := or
 * or         := and ("OR" and)*
 * and        := not ("AND" not)*
 * not        := "NOT" not | "(" expr ")" | comparison
 * comparison := operand cmpop operand
 *             | column "IS" ["NOT"] "NULL"
 *             | column ["NOT"] "IN" "(" literal ("," literal)* ")"
 * operand    := column | literal
 * column     := [A-Za-z_][A-Za-z0-9_]*  |  "double-quoted" ("" escapes a quote)
 * literal    := 'single-quoted' ('' escapes) | -?digits[.digits][e±digits] | TRUE | FALSE
 * cmpop      := = | == | != | <> | < | <= | > | >=
 * ```
 *
 * Keywords (AND, OR, NOT, IS, NULL, IN, TRUE, FALSE) are case-insensitive; a column with
 * a keyword's name is written double-quoted. Column names are case-sensitive. A
 * comparison needs a column on at least one side, and `= NULL` is refused (it is never
 * true: `IS NULL` is meant). Conditions are at most {@linkcode MAX_CONDITION_LENGTH}
 * characters and nest (parentheses, NOT) at most {@linkcode MAX_CONDITION_NESTING} deep,
 * so no text can exhaust the stack; they hold no NUL character (PostgreSQL text cannot).
 * Errors say where, counting characters from 1.
 * @module
 */

/** The longest condition accepted, in characters. */
export const MAX_CONDITION_LENGTH = 10_000;
/** The deepest nesting of parentheses and NOTs accepted. */
export const MAX_CONDITION_NESTING = 100;

/** A comparison operator, in canonical form (`==` reads as `=`, `<>` as `!=`). */
export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** A column named in a condition. `offset`: where it starts (0-based characters). */
export interface ColumnRef {
  readonly kind: "column";
  readonly name: string;
  readonly offset: number;
}

/** A value written in a condition. */
export type Literal =
  | { readonly kind: "string"; readonly value: string; readonly offset: number }
  /** A number as written (`text`), read against the column's type when compiled. */
  | { readonly kind: "number"; readonly text: string; readonly offset: number }
  | { readonly kind: "boolean"; readonly value: boolean; readonly offset: number };

/** One side of a comparison. */
export type Operand = ColumnRef | Literal;

/** A parsed condition: a tree of these nodes. */
export type ConditionNode =
  /** True where any operand is (Kleene OR). */
  | { readonly kind: "or"; readonly operands: readonly ConditionNode[] }
  /** True where every operand is (Kleene AND). */
  | { readonly kind: "and"; readonly operands: readonly ConditionNode[] }
  | { readonly kind: "not"; readonly operand: ConditionNode }
  /** `left op right`; at least one side is a column. */
  | {
    readonly kind: "compare";
    readonly op: ComparisonOp;
    readonly left: Operand;
    readonly right: Operand;
  }
  /** `column IS NULL`, or `IS NOT NULL` when `negated`. */
  | { readonly kind: "is_null"; readonly column: ColumnRef; readonly negated: boolean }
  /** `column IN (values)`, or `NOT IN` when `negated`. */
  | {
    readonly kind: "in";
    readonly column: ColumnRef;
    readonly values: readonly Literal[];
    readonly negated: boolean;
  };

/** A condition that does not parse; `offset` is where (0-based, in characters). */
export class ConditionSyntaxError extends Error {
  /** Where the problem is: 0-based, in characters (Unicode code points). */
  readonly offset: number;

  /** `problem` at `offset`; the message names the position counting from 1. */
  constructor(problem: string, offset: number) {
    super(`${problem} at character ${offset + 1}`);
    this.name = "ConditionSyntaxError";
    this.offset = offset;
  }
}

const KEYWORDS = new Set(["AND", "OR", "NOT", "IS", "NULL", "IN", "TRUE", "FALSE"]);
const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPERATORS: Record<string, ComparisonOp> = {
  "=": "=",
  "==": "=",
  "!=": "!=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

type Token =
  | { kind: "word"; text: string; at: number } // a bare name or a keyword
  | { kind: "name"; text: string; at: number } // a "double-quoted" name
  | { kind: "string"; text: string; at: number }
  | { kind: "number"; text: string; at: number }
  | { kind: "op"; text: ComparisonOp; written: string; at: number }
  | { kind: "(" | ")" | ","; at: number }
  | { kind: "end"; at: number };

/** Parses a condition; throws {@linkcode ConditionSyntaxError} when it does not parse. */
export function parseCondition(text: string): ConditionNode {
  const length = characterCount(text, MAX_CONDITION_LENGTH + 1);
  if (length > MAX_CONDITION_LENGTH) {
    throw new ConditionSyntaxError(
      `condition longer than ${MAX_CONDITION_LENGTH} characters`,
      MAX_CONDITION_LENGTH,
    );
  }
  return new Parser(text).parse();
}

/** The distinct columns a condition reads, in order of first use. */
export function conditionColumns(node: ConditionNode): string[] {
  const seen = new Set<string>();
  const visit = (current: ConditionNode): void => {
    switch (current.kind) {
      case "or":
      case "and":
        current.operands.forEach(visit);
        break;
      case "not":
        visit(current.operand);
        break;
      case "compare":
        for (const side of [current.left, current.right]) {
          if (side.kind === "column") seen.add(side.name);
        }
        break;
      case "is_null":
      case "in":
        seen.add(current.column.name);
        break;
    }
  };
  visit(node);
  return [...seen];
}

/**
 * The condition in canonical form: keywords in capitals, `=` and `!=`, single spaces,
 * only the parentheses precedence needs. Parsing it again gives the same tree.
 */
export function formatCondition(node: ConditionNode): string {
  switch (node.kind) {
    case "or":
      return node.operands.map((operand) => formatCondition(operand)).join(" OR ");
    case "and":
      return node.operands.map((operand) =>
        operand.kind === "or" ? `(${formatCondition(operand)})` : formatCondition(operand)
      ).join(" AND ");
    case "not": {
      const inner = formatCondition(node.operand);
      const group = node.operand.kind === "or" || node.operand.kind === "and";
      return group ? `NOT (${inner})` : `NOT ${inner}`;
    }
    case "compare":
      return `${formatOperand(node.left)} ${node.op} ${formatOperand(node.right)}`;
    case "is_null":
      return `${formatColumn(node.column.name)} IS ${node.negated ? "NOT " : ""}NULL`;
    case "in":
      return `${formatColumn(node.column.name)} ${node.negated ? "NOT " : ""}IN (${
        node.values.map(formatOperand).join(", ")
      })`;
  }
}

function formatOperand(operand: Operand): string {
  switch (operand.kind) {
    case "column":
      return formatColumn(operand.name);
    case "string":
      return `'${operand.value.replaceAll("'", "''")}'`;
    case "number":
      return operand.text;
    case "boolean":
      return operand.value ? "TRUE" : "FALSE";
  }
}

function formatColumn(name: string): string {
  return BARE_NAME.test(name) && !KEYWORDS.has(name.toUpperCase())
    ? name
    : `"${name.replaceAll('"', '""')}"`;
}

/** Unicode code points in `text`, counting no further than `limit`. */
function characterCount(text: string, limit: number): number {
  let count = 0;
  for (const _ of text) {
    if (++count >= limit) break;
  }
  return count;
}

/** A recursive-descent parser over the tokens; depth bounded by MAX_CONDITION_NESTING. */
class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  /** The code-point index of each UTF-16 index of the text (and of its end). */
  readonly #characters: Uint32Array;
  #position = 0;
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
    this.#characters = characterIndexes(text);
    this.#tokens = tokenize(text, (problem, at) => this.#error(problem, at));
  }

  parse(): ConditionNode {
    if (this.#peek().kind === "end") throw this.#error("empty condition", 0);
    const node = this.#or();
    const next = this.#peek();
    if (next.kind === ")") throw this.#error(`unexpected ")" with no "(" before it`, next.at);
    if (next.kind !== "end") {
      throw this.#error(`expected AND or OR, found ${this.#describe(next)}`, next.at);
    }
    return node;
  }

  #or(): ConditionNode {
    const operands = [this.#and()];
    while (this.#keyword("OR")) {
      this.#position++;
      operands.push(this.#and());
    }
    return joined("or", operands);
  }

  #and(): ConditionNode {
    const operands = [this.#not()];
    while (this.#keyword("AND")) {
      this.#position++;
      operands.push(this.#not());
    }
    return joined("and", operands);
  }

  #not(): ConditionNode {
    const token = this.#peek();
    if (this.#keyword("NOT")) {
      this.#position++;
      return { kind: "not", operand: this.#nested(token.at, () => this.#not()) };
    }
    if (token.kind === "(") {
      this.#position++;
      const inner = this.#nested(token.at, () => this.#or());
      const close = this.#peek();
      if (close.kind !== ")") {
        throw this.#error(
          `expected ")" to close the "(" at character ${this.#character(token.at) + 1}, ` +
            `found ${this.#describe(close)}`,
          close.at,
        );
      }
      this.#position++;
      return inner;
    }
    return this.#comparison();
  }

  #nested(at: number, parse: () => ConditionNode): ConditionNode {
    if (++this.#depth > MAX_CONDITION_NESTING) {
      throw this.#error(`nesting deeper than ${MAX_CONDITION_NESTING} levels`, at);
    }
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  #comparison(): ConditionNode {
    const start = this.#peek();
    const left = this.#operand("expected a column or a value", start);
    const next = this.#peek();
    if (this.#keyword("IS")) {
      this.#position++;
      const negated = this.#keyword("NOT");
      if (negated) this.#position++;
      const word = this.#peek();
      if (!this.#keyword("NULL")) {
        throw this.#error(
          `expected NULL after "IS${negated ? " NOT" : ""}", found ${this.#describe(word)}`,
          word.at,
        );
      }
      this.#position++;
      return { kind: "is_null", column: this.#columnOf(left, "IS NULL"), negated };
    }
    if (this.#keyword("NOT") || this.#keyword("IN")) {
      const negated = this.#keyword("NOT");
      if (negated) {
        this.#position++;
        const word = this.#peek();
        if (!this.#keyword("IN")) {
          throw this.#error(`expected IN after "NOT", found ${this.#describe(word)}`, word.at);
        }
      }
      this.#position++;
      const column = this.#columnOf(left, "IN");
      return { kind: "in", column, values: this.#list(), negated };
    }
    if (next.kind !== "op") {
      throw this.#error(
        `expected a comparison (=, !=, <, <=, >, >=, IS, IN) after ${this.#describe(start)}, ` +
          `found ${this.#describe(next)}`,
        next.at,
      );
    }
    this.#position++;
    const right = this.#operand(`expected a value after "${next.written}"`, next);
    if (left.kind !== "column" && right.kind !== "column") {
      throw this.#error(
        "compares two values; one side of a comparison must be a column",
        start.at,
      );
    }
    return { kind: "compare", op: next.text, left, right };
  }

  /** `( literal, … )` after IN. */
  #list(): Literal[] {
    const open = this.#peek();
    if (open.kind !== "(") {
      throw this.#error(`expected "(" after IN, found ${this.#describe(open)}`, open.at);
    }
    this.#position++;
    const values: Literal[] = [];
    while (true) {
      const token = this.#peek();
      const value = this.#operand("expected a value in the IN list", token);
      if (value.kind === "column") {
        throw this.#error(
          "an IN list holds values; write a column name only outside it",
          token.at,
        );
      }
      values.push(value);
      const after = this.#peek();
      this.#position++;
      if (after.kind === ")") return values;
      if (after.kind !== ",") {
        throw this.#error(
          `expected "," or ")" in the IN list, found ${this.#describe(after)}`,
          after.at,
        );
      }
    }
  }

  /** A column or a literal; `expected` is the message when the token is neither. */
  #operand(expected: string, after: Token): Operand {
    const token = this.#peek();
    const at = this.#character(token.at);
    switch (token.kind) {
      case "name":
        this.#position++;
        return { kind: "column", name: token.text, offset: at };
      case "string":
        this.#position++;
        return { kind: "string", value: token.text, offset: at };
      case "number":
        this.#position++;
        return { kind: "number", text: token.text, offset: at };
      case "word": {
        const upper = token.text.toUpperCase();
        if (upper === "TRUE" || upper === "FALSE") {
          this.#position++;
          return { kind: "boolean", value: upper === "TRUE", offset: at };
        }
        if (upper === "NULL") throw this.#error(nullProblem(after), token.at);
        if (!KEYWORDS.has(upper)) {
          this.#position++;
          return { kind: "column", name: token.text, offset: at };
        }
        break;
      }
    }
    throw this.#error(`${expected}, found ${this.#describe(token)}`, token.at);
  }

  #columnOf(operand: Operand, test: string): ColumnRef {
    if (operand.kind === "column") return operand;
    throw new ConditionSyntaxError(`${test} tests a column, not a value`, operand.offset);
  }

  #peek(): Token {
    return this.#tokens[this.#position];
  }

  #keyword(word: string): boolean {
    const token = this.#peek();
    return token.kind === "word" && token.text.toUpperCase() === word;
  }

  #describe(token: Token): string {
    switch (token.kind) {
      case "end":
        return "the end";
      case "(":
      case ")":
      case ",":
        return `"${token.kind}"`;
      case "op":
        return `"${token.written}"`;
      default: {
        const raw = this.#text.slice(token.at, this.#endOf(token)).trimEnd();
        const shown = raw.length > 40 ? `${raw.slice(0, 37)}...` : raw;
        return JSON.stringify(shown);
      }
    }
  }

  #endOf(token: Token): number {
    const next = this.#tokens[this.#tokens.indexOf(token) + 1];
    return next ? next.at : this.#text.length;
  }

  /** The code-point index of the UTF-16 index `at`. */
  #character(at: number): number {
    return this.#characters[at];
  }

  /** An error at the UTF-16 index `at`. */
  #error(problem: string, at: number): ConditionSyntaxError {
    return new ConditionSyntaxError(problem, this.#character(at));
  }
}

/** For each UTF-16 index of `text` (and its end), the code-point index. */
function characterIndexes(text: string): Uint32Array {
  const indexes = new Uint32Array(text.length + 1);
  let character = 0;
  for (let at = 0; at < text.length; at++) {
    indexes[at] = character;
    // The second half of a surrogate pair belongs to the character before it.
    const high = text.charCodeAt(at) >= 0xd800 && text.charCodeAt(at) <= 0xdbff;
    const low = text.charCodeAt(at + 1) >= 0xdc00 && text.charCodeAt(at + 1) <= 0xdfff;
    if (high && low) indexes[++at] = character;
    character++;
  }
  indexes[text.length] = character;
  return indexes;
}

/** Why NULL cannot follow `after`: comparing with NULL is never true. */
function nullProblem(after: Token): string {
  if (after.kind !== "op" || (after.text !== "=" && after.text !== "!=")) {
    return "NULL is not a value to compare with; use IS NULL or IS NOT NULL";
  }
  const test = after.text === "=" ? "IS NULL" : "IS NOT NULL";
  return `"${after.written} NULL" is never true; use ${test} to test for NULL`;
}

function joined(kind: "or" | "and", operands: ConditionNode[]): ConditionNode {
  if (operands.length === 1) return operands[0];
  // `a AND (b AND c)` is `a AND b AND c`: one flat list, so formatting round-trips.
  return {
    kind,
    operands: operands.flatMap((operand) => operand.kind === kind ? operand.operands : [operand]),
  };
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The match of the sticky `pattern` starting exactly at `at`. */
function match(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/** The condition's tokens, ending with an `end` token; `fail` makes a syntax error. */
function tokenize(text: string, fail: (problem: string, at: number) => Error): Token[] {
  // PostgreSQL text cannot hold NUL, and DuckDB reads SQL as a C string: refused
  // everywhere, so a condition means the same on every tier.
  const nul = text.indexOf("\0");
  if (nul >= 0) throw fail("a condition cannot hold a NUL character", nul);
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    const word = match(WORD, text, at);
    if (word) {
      tokens.push({ kind: "word", text: word[0], at });
      at += word[0].length;
      continue;
    }
    const number = match(NUMBER, text, at);
    if (number) {
      const end = at + number[0].length;
      if (end < text.length && /[A-Za-z0-9_.]/.test(text[end])) {
        throw fail(`malformed number ${JSON.stringify(text.slice(at, end + 1))}`, at);
      }
      tokens.push({ kind: "number", text: number[0], at });
      at = end;
      continue;
    }
    if (char === "'" || char === '"') {
      const [value, end] = quoted(text, at, char);
      if (end < 0) {
        const what = char === "'" ? "string" : "quoted column name";
        throw fail(`unterminated ${what} (no closing ${char})`, at);
      }
      if (char === '"' && value === "") throw fail("empty column name", at);
      tokens.push({ kind: char === "'" ? "string" : "name", text: value, at });
      at = end;
      continue;
    }
    const op = ["<=", ">=", "<>", "!=", "==", "<", ">", "="].find((candidate) =>
      text.startsWith(candidate, at)
    );
    if (op) {
      tokens.push({ kind: "op", text: OPERATORS[op], written: op, at });
      at += op.length;
      continue;
    }
    if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: char, at });
      at++;
      continue;
    }
    const shown = JSON.stringify(String.fromCodePoint(text.codePointAt(at)!));
    throw fail(`unexpected character ${shown}`, at);
  }
  tokens.push({ kind: "end", at: text.length });
  return tokens;
}

/** The text between `quote`s starting at `start` (doubled quotes read as one), and the end. */
function quoted(text: string, start: number, quote: string): [string, number] {
  let value = "";
  let at = start + 1;
  while (at < text.length) {
    const next = text.indexOf(quote, at);
    if (next < 0) break;
    value += text.slice(at, next);
    if (text[next + 1] === quote) {
      value += quote;
      at = next + 2;
      continue;
    }
    return [value, next + 1];
  }
  return ["", -1];
}
