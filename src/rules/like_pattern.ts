/**
 * SQL LIKE patterns, read once and written out for every tier: `%` matches any run of
 * characters (none included), `_` exactly one character, and `\` makes the next character
 * plain (`\%`, `\_`, `\\`; before any other character it changes nothing, as in
 * PostgreSQL). A pattern matches the whole value, case-sensitively.
 *
 * Engines read the same pattern differently (Snowflake and DuckDB have no escape character
 * unless told, PostgreSQL and MySQL default to `\`, a trailing `\` is an error in one and
 * a silent mismatch in another), so a pattern is parsed here into pieces and written again
 * in ONE form: for SQL with only `%`, `_` and `\` escaped, used with `ESCAPE '\'` by every
 * dialect's `like`; for Polars as a plain text comparison when the pattern is one text
 * with `%` around it or not, else as an anchored regex.
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";

/** One piece of a LIKE pattern. */
export type LikePiece =
  | { kind: "any_run" } // %
  | { kind: "one_character" } // _
  | { kind: "text"; text: string };

/** Why `pattern` is not a LIKE pattern Kontra can read the same everywhere, or undefined. */
export function likePatternProblem(pattern: string): string | undefined {
  const trailing = /\\+$/.exec(pattern)?.[0].length ?? 0;
  return trailing % 2 === 1
    ? "ends with the escape character \\ (write \\\\ for a plain backslash)"
    : undefined;
}

/** The pieces of `pattern` (one without a trailing lone `\`: see likePatternProblem). */
export function parseLike(pattern: string): LikePiece[] {
  const pieces: LikePiece[] = [];
  const text = (character: string) => {
    const last = pieces.at(-1);
    if (last?.kind === "text") last.text += character;
    else pieces.push({ kind: "text", text: character });
  };
  // Code points, so an escaped astral character stays whole.
  const characters = [...pattern];
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index];
    if (character === "\\") text(characters[++index] ?? "");
    else if (character === "%") pieces.push({ kind: "any_run" });
    else if (character === "_") pieces.push({ kind: "one_character" });
    else text(character);
  }
  return pieces;
}

/** The pattern that matches values containing, starting or ending with `text`, literally. */
export function literalLike(text: string, where: "contains" | "starts" | "ends"): LikePiece[] {
  const plain: LikePiece = { kind: "text", text };
  if (where === "starts") return [plain, { kind: "any_run" }];
  if (where === "ends") return [{ kind: "any_run" }, plain];
  return [{ kind: "any_run" }, plain, { kind: "any_run" }];
}

/** The pieces as a LIKE pattern for `Dialect.like`: only `%`, `_` and `\` escaped, by `\`. */
export function sqlLikePattern(pieces: readonly LikePiece[]): string {
  return pieces.map((piece) => {
    if (piece.kind === "any_run") return "%";
    if (piece.kind === "one_character") return "_";
    return piece.text.replace(/[%_\\]/g, "\\$&");
  }).join("");
}

/**
 * Whether `text` (a Polars string expression) matches the pieces. One text piece with
 * `%` on neither, one or both sides is compared as text (`==`, `startsWith`, `endsWith`,
 * literal `contains`): the same matches as the regex, in a fraction of the time (20M
 * values ending in "active": 0.09 s instead of 0.42 s).
 */
export function polarsLike(text: Expr, pieces: readonly LikePiece[]): Expr {
  const { leading, middle, trailing } = trimAnyRuns(pieces);
  const only = middle.length === 1 && middle[0].kind === "text" ? middle[0].text : undefined;
  if (only === undefined) return text.str.contains(polarsLikeRegex(pieces));
  if (leading && trailing) return text.str.contains(only, true);
  if (leading) return text.str.endsWith(only);
  if (trailing) return text.str.startsWith(only);
  return text.eq(pl.lit(only));
}

/** The pieces without the `%`s at either end, and whether there were any. */
function trimAnyRuns(pieces: readonly LikePiece[]) {
  let first = 0;
  let end = pieces.length;
  while (first < end && pieces[first].kind === "any_run") first++;
  while (end > first && pieces[end - 1].kind === "any_run") end--;
  return {
    leading: pieces[0]?.kind === "any_run",
    middle: pieces.slice(first, end),
    trailing: pieces.at(-1)?.kind === "any_run",
  };
}

/**
 * The pieces as a regex for Polars (Rust `regex` syntax) that matches the whole value:
 * `.` matches newlines too (`(?s)`), as `%` and `_` do in SQL, and sees one character (a
 * Unicode code point), as `_` does. Plain text is written as `\x{…}` escapes apart from
 * ASCII letters and digits, so no character of it can ever act as regex syntax.
 */
export function polarsLikeRegex(pieces: readonly LikePiece[]): string {
  // A leading or trailing `%` drops its anchor instead of becoming `.*` (the same
  // matches): `\A.*x\z` took 2.3 times as long as `x\z` on 20M values.
  const { leading, middle, trailing } = trimAnyRuns(pieces);
  const start = leading ? "" : "\\A";
  const finish = trailing ? "" : "\\z";
  const body = middle.map((piece) => {
    if (piece.kind === "any_run") return ".*";
    if (piece.kind === "one_character") return ".";
    return [...piece.text].map((character) =>
      /^[A-Za-z0-9]$/.test(character) ? character : `\\x{${character.codePointAt(0)!.toString(16)}}`
    ).join("");
  }).join("");
  return `(?s)${start}${body}${finish}`;
}
