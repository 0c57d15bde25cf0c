/**
 * The three rules that look for a literal text in each value: `contains`, `starts_with`
 * and `ends_with` (one file each, all made here). `value` is plain text, never a pattern:
 * `%`, `_`, `.`, `*` and `\` are characters like any other. With `case_sensitive: false`
 * both the value and the text are lower-cased by the engine that compares them (Polars,
 * or the database's `LOWER`); engines agree on every letter but a few rare ones (e.g.
 * `İ`, or `Σ` at the end of a word, which some lower to `σ` and Polars to `ς`).
 *
 * Every tier matches the LIKE pattern of the value with its `%`, `_` and `\` escaped:
 * Polars as `str.contains(…, literal)`, `str.startsWith`, `str.endsWith` (like_pattern.ts),
 * SQL with the dialect's byte-exact `like`, so MySQL's case-folding collations do not apply.
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { scalarValueProblem } from "./column_support.ts";
import { defineRule, type RuleDefinition } from "./define.ts";
import { literalLike, polarsLike, sqlLikePattern } from "./like_pattern.ts";
import { polarsText, sqlText } from "./text_form.ts";

/** Where the value must be found. */
export type TextPosition = "contains" | "starts" | "ends";

/** The params of a literal text rule. */
export interface LiteralTextParams extends Record<string, unknown> {
  column: string;
  value: string;
  case_sensitive?: boolean;
}

const WORDING: Record<TextPosition, { does: string; doesNot: string; all: string }> = {
  contains: { does: "contains", doesNot: "does not contain", all: "contain" },
  starts: { does: "starts with", doesNot: "does not start with", all: "start with" },
  ends: { does: "ends with", doesNot: "does not end with", all: "end with" },
};

/** The rule `name`: counts non-null values whose text does not have `value` at `position`. */
export function literalTextRule(
  name: string,
  position: TextPosition,
): RuleDefinition<LiteralTextParams> {
  const words = WORDING[position];
  const wanted = ({ value, case_sensitive }: LiteralTextParams) =>
    `${JSON.stringify(value)}${case_sensitive === false ? " (ignoring case)" : ""}`;
  return defineRule<LiteralTextParams>({
    name,
    scope: "column",
    params: z.strictObject({
      column: z.string().min(1),
      value: z.string().min(1, { error: `is empty, and every text ${words.does} ""` }),
      case_sensitive: z.boolean().optional(),
    }),
    columnTypeProblem: (_, column) => scalarValueProblem(name, column),
    measure: ({ value, case_sensitive = true }) => ({
      kind: "violations",
      polars: (column) => {
        const text = polarsText(column);
        const found = case_sensitive
          ? polarsLike(text, literalLike(value, position))
          : polarsFoundIgnoringCase(text, polarsLowerCase(value), position);
        return pl.col(column.name).isNotNull().and(found.not());
      },
      sql: (dialect, column) => {
        const text = sqlText(dialect, column);
        const pattern = dialect.literal(sqlLikePattern(literalLike(value, position)));
        const found = case_sensitive
          ? dialect.like(text, pattern)
          : dialect.like(`LOWER(${text})`, `LOWER(${pattern})`);
        return `${dialect.ident(column.name)} IS NOT NULL AND NOT ${found}`;
      },
    }),
    reason: (params) => `${params.column} ${words.doesNot} ${wanted(params)}`,
    describe: (params, { failed }) =>
      failed === 0
        ? `${params.column} values all ${words.all} ${wanted(params)}`
        : `${failed} values of ${params.column} do not ${words.all} ${wanted(params)}`,
  });
}

/**
 * Whether the lower-cased text holds `lowered` (lower-case already). Lower-casing every
 * value copies the column (at 20M e-mail addresses, 1.6 s where `endsWith` takes 0.4 s),
 * so for an ASCII `lowered` at the start or the end the scan asks a regex of the
 * characters that lower-case to each of its characters instead: the same answer. Why:
 * a character lower-cases to one ASCII character only if it is that letter in either
 * case, or the Kelvin sign (K → k); the only character whose lower case is longer with
 * an ASCII part is İ (→ i + a combining dot), which can end a match at the start only.
 * Σ's context-dependent lower case is never ASCII. `contains` keeps lower-casing.
 */
export function polarsFoundIgnoringCase(
  text: Expr,
  lowered: string,
  position: TextPosition,
): Expr {
  // deno-lint-ignore no-control-regex
  if (position === "contains" || !/^[\x00-\x7f]*$/.test(lowered)) {
    return polarsLike(text.str.toLowerCase(), literalLike(lowered, position));
  }
  const characters = [...lowered];
  const classes = characters.map((character, index) => {
    const sources = new Set([character, character.toUpperCase()]);
    if (character === "k") sources.add("\u212a");
    if (character === "i" && position === "starts" && index === characters.length - 1) {
      sources.add("\u0130");
    }
    const escaped = [...sources].map((source) => `\\x{${source.codePointAt(0)!.toString(16)}}`);
    return escaped.length === 1 ? escaped[0] : `[${escaped.join("")}]`;
  }).join("");
  return text.str.contains(position === "starts" ? `\\A${classes}` : `${classes}\\z`);
}

/** `value` lower-cased by Polars, exactly as the scan lower-cases the column. */
function polarsLowerCase(value: string): string {
  return pl.Series("value", [value]).str.toLowerCase().get(0) as string;
}
