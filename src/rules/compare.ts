/**
 * `compare`: rows where `left` and `right` are both set and `left <op> right` does not
 * hold. A row with a NULL on either side is not compared (`not_null` counts NULLs).
 *
 * The columns must be comparable the same way on every tier: both numbers, both text, or
 * both dates and timestamps. Text compares byte for byte (`Dialect.exact`: MySQL's
 * default collations fold case, PostgreSQL's order by locale); numbers as the engines
 * compare them (integers exactly, an integer with a float as floats, NaN equal to NaN and
 * above every number); a date with a wall-clock timestamp as its midnight. Instants
 * (timestamps with a time zone) compare only with instants, since a wall-clock time
 * names no instant; two instants compare as instants whatever their zones. In a scan,
 * timestamps compare in `left`'s unit (ms, µs or ns).
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import type { ColumnInfo } from "../core/dataset.ts";
import { familyOf, isStoredText } from "../core/dtypes.ts";
import type { Dialect } from "../sql/dialect.ts";
import { defineRule } from "./define.ts";
import { describeType } from "./ordered_bound.ts";
import { polarsCompare, SQL_OPS } from "./condition_compile.ts";

const OPERATORS = ["<", "<=", "=", "!=", ">=", ">"] as const;
/** A comparison `compare` checks. */
export type CompareOp = (typeof OPERATORS)[number];

/** `compare`'s params (`==` is read as `=`, as Python Kontra writes it). */
export interface CompareParams extends Record<string, unknown> {
  left: string;
  op: CompareOp;
  right: string;
}

const params = z.strictObject({
  left: z.string().min(1),
  op: z.enum([...OPERATORS, "=="]).transform((op) => op === "==" ? "=" : op),
  right: z.string().min(1),
});

/** Counts rows where both columns are set and the comparison does not hold. */
export default defineRule<CompareParams>({
  name: "compare",
  scope: "column",
  params: params as z.ZodType<CompareParams>,
  columnOf: ({ left }) => left,
  otherColumns: ({ right }) => [right],
  columnTypeProblem: ({ left, op, right }, leftColumn, columns) => {
    const rightColumn = columns.get(right);
    // A missing right column fails the rule like a missing column (the plan's part).
    if (rightColumn === undefined) return undefined;
    const problem = comparableProblem(leftColumn, rightColumn);
    return problem && `compare cannot check ${left} ${op} ${right}: ${problem}`;
  },
  measure: ({ left, op, right }) => ({
    kind: "violations",
    polars: (leftColumn) => {
      const [l, r] = polarsSides(leftColumn, right);
      return l.isNotNull().and(r.isNotNull()).and(polarsCompare(op, l, r).not());
    },
    sql: (dialect, leftColumn) => {
      const [l, r] = sqlSides(dialect, leftColumn, left, right);
      return `${l} IS NOT NULL AND ${r} IS NOT NULL AND NOT (${l} ${SQL_OPS[op]} ${r})`;
    },
  }),
  reason: ({ left, op, right }) => `${left} ${op} ${right} does not hold`,
  describe: ({ left, op, right }, { failed }) =>
    failed === 0
      ? `${left} ${op} ${right} holds on every row where both are set`
      : `${failed} rows where ${left} ${op} ${right} does not hold`,
});

/** The kind of value a column holds, for comparing two columns. */
type Kind = "number" | "text" | "date" | "wall_time" | "instant";

function kindOf(column: ColumnInfo): Kind | undefined {
  switch (familyOf(column.dtype)) {
    case "signed":
    case "unsigned":
    case "float":
    case "decimal":
      return "number";
    case "text":
      return "text";
    case "date":
      return "date";
    case "datetime":
      return column.timeZone === undefined ? "wall_time" : "instant";
    default:
      return undefined;
  }
}

/** Why two columns cannot be compared alike on every tier, or undefined when they can. */
export function comparableProblem(left: ColumnInfo, right: ColumnInfo): string | undefined {
  const describe = (column: ColumnInfo) => `"${column.name}" is ${describeType(column)}`;
  const kinds = [kindOf(left), kindOf(right)];
  const unknown = [left, right].find((_, index) => kinds[index] === undefined);
  if (unknown) {
    return `${describe(unknown)}; it compares numbers, text, dates and timestamps`;
  }
  const [l, r] = kinds;
  const temporal = (kind: Kind | undefined) =>
    kind === "date" || kind === "wall_time" || kind === "instant";
  if (l === r || (temporal(l) && temporal(r) && l !== "instant" && r !== "instant")) {
    return undefined;
  }
  if (temporal(l) && temporal(r)) {
    return `${describe(left)} and ${describe(right)}: an instant compares only with ` +
      "an instant (a date or a time without a time zone names none)";
  }
  return `${describe(left)} and ${describe(right)}: both must be numbers, text, or dates ` +
    "and timestamps";
}

/** Both sides as Polars compares them; the right column's type is `left`'s kind. */
function polarsSides(left: ColumnInfo, right: string): [Expr, Expr] {
  const l = pl.col(left.name);
  const r = pl.col(right);
  switch (kindOf(left)) {
    case "text":
      // Categorical and Enum by their text, not their dictionary order.
      return [isStoredText(left.dtype) ? l : l.cast(pl.Utf8), r.cast(pl.Utf8)];
    case "number":
      // Floats and decimals as 64-bit floats, as SQL compares a float with a decimal.
      // Integers stay integers (Polars widens the narrower one).
      return familyOf(left.dtype) === "float" || left.dtype === "Decimal"
        ? [l.cast(pl.Float64), r.cast(pl.Float64)]
        : [l, r];
    case "wall_time":
      // A date on the right becomes its midnight; another unit, left's.
      return [l, r.cast(pl.Datetime(left.timeUnit ?? "us"))];
    case "instant":
      // Another zone is converted, keeping the instant; another unit becomes left's.
      return [
        l,
        r.dt.convertTimeZone(left.timeZone!).cast(
          pl.Datetime(left.timeUnit ?? "us", left.timeZone),
        ),
      ];
    default:
      // A date: Polars compares it with a timestamp as its midnight.
      return [l, r];
  }
}

function sqlSides(
  dialect: Dialect,
  left: ColumnInfo,
  leftName: string,
  right: string,
): [string, string] {
  const l = dialect.ident(leftName);
  const r = dialect.ident(right);
  switch (kindOf(left)) {
    case "text":
      // Both sides byte for byte: the right column is text too.
      return [dialect.exact(l, left.dtype), dialect.exact(r, "String")];
    case "number":
      return familyOf(left.dtype) === "float" || left.dtype === "Decimal"
        ? [dialect.castDouble(l), dialect.castDouble(r)]
        : [l, r];
    default:
      return [l, r];
  }
}
