/**
 * A parsed `when:` condition (condition.ts) compiled against the dataset's columns into
 * a {@linkcode RowCondition}: one Polars expression and one SQL expression per dialect
 * that select exactly the same rows.
 *
 * Each comparison is typed once, here, and both renderings follow that typing:
 * - a value is read against its column's type with `coerceLiteral` (core/dtypes.ts), as
 *   every rule reads listed values: `age = '30'` is the integer 30, `age = 'abc'` an
 *   error; numbers compare with the column as written (`country = 20` is the text "20");
 * - text compares byte for byte (Polars' order; `Dialect.exact` in SQL: MySQL as binary
 *   strings, PostgreSQL in the "C" collation), Categorical and Enum by their text;
 * - integers as integers; floats and decimals as 64-bit floats, where NaN equals NaN and
 *   is greater than every number (Polars, PostgreSQL, Snowflake and DuckDB agree; MySQL
 *   holds no NaN); a value must be finite;
 * - `Date` columns with `YYYY-MM-DD`; `Datetime` columns with `YYYY-MM-DD`,
 *   `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (`T` also separates, `Z` or `±HH:MM` may follow: the
 *   time is then converted to UTC), to the microsecond, read by core/iso_time.ts as
 *   `range` reads its bounds. A column of instants compares it as UTC, a naive column as
 *   its wall time;
 * - two columns compare when both are numbers, both text, both booleans, or both dates
 *   or datetimes (a date as its midnight).
 * Other types (times, durations, binary, nested values) take only `IS [NOT] NULL`.
 *
 * Logic is SQL's three-valued logic: a comparison with a NULL is NULL, NOT NULL is NULL,
 * AND and OR are Kleene's (as Polars' `and`/`or`/`not` are); the condition as a whole
 * treats NULL as false, in both renderings (`fill_null(false)`, `COALESCE(…, FALSE)`).
 * @module
 */
import pl, { type Expr } from "npm:nodejs-polars@0.25.2";
import { closest } from "npm:fastest-levenshtein@1.0.16";
import type { ColumnInfo } from "../core/dataset.ts";
import {
  coerceLiteral,
  familyOf,
  INTEGERS_64,
  isStoredText,
  type ListedValue,
} from "../core/dtypes.ts";
import {
  formatIsoDate,
  formatIsoTimestamp,
  type IsoProblem,
  type IsoTimestamp,
  isProblem,
  readIsoDate,
  readIsoTimestamp,
  utcMicros,
} from "../core/iso_time.ts";
import { printable } from "../core/printable.ts";
import type { Dialect } from "../sql/dialect.ts";
import {
  type ComparisonOp,
  conditionColumns,
  type ConditionNode,
  ConditionSyntaxError,
  formatCondition,
  type Literal,
  type Operand,
  parseCondition,
} from "./condition.ts";
import type { RowCondition } from "./define.ts";

/** A condition that cannot apply to the data: an unknown column, a value of the wrong type. */
export class ConditionError extends Error {
  /** A one-line `problem`. */
  constructor(problem: string) {
    super(problem);
    this.name = "ConditionError";
  }
}

/** How one comparison compares its two sides. */
type Domain = "text" | "integer" | "float" | "boolean" | "date" | "datetime";

/** One side of a typed comparison. */
type Side =
  | { kind: "column"; column: ColumnInfo }
  /** `value`: text, a number or a boolean; days (date) or microseconds (datetime) since 1970. */
  | { kind: "value"; value: ListedValue | bigint; dtype: string };

/** A condition checked against the columns: what both renderings are made from. */
type Typed =
  | { kind: "or" | "and"; operands: Typed[] }
  | { kind: "not"; operand: Typed }
  | { kind: "is_null"; column: ColumnInfo; negated: boolean }
  | { kind: "compare"; op: ComparisonOp; domain: Domain; left: Side; right: Side }
  | { kind: "in"; domain: Domain; column: ColumnInfo; values: Side[]; negated: boolean };

/**
 * `text` compiled against `columns`; throws {@linkcode ConditionError} (one line) when it
 * does not parse, names a column the data lacks (with the closest name), or compares a
 * value or column that the column's type cannot be compared with.
 */
export function compileCondition(
  text: string,
  columns: ReadonlyMap<string, ColumnInfo>,
): RowCondition {
  let node: ConditionNode;
  try {
    node = parseCondition(text);
  } catch (error) {
    if (error instanceof ConditionSyntaxError) throw new ConditionError(error.message);
    throw error;
  }
  const typed = typeNode(node, columns);
  return {
    text: formatCondition(node),
    columns: conditionColumns(node),
    polars: () => polarsOf(typed).fillNull(false),
    sql: (dialect) => `COALESCE(${sqlOf(typed, dialect)}, FALSE)`,
  };
}

// ---------------------------------------------------------------- typing

function typeNode(node: ConditionNode, columns: ReadonlyMap<string, ColumnInfo>): Typed {
  switch (node.kind) {
    case "or":
    case "and":
      return { kind: node.kind, operands: node.operands.map((each) => typeNode(each, columns)) };
    case "not":
      return { kind: "not", operand: typeNode(node.operand, columns) };
    case "is_null":
      return {
        kind: "is_null",
        column: columnNamed(node.column.name, columns),
        negated: node.negated,
      };
    case "in": {
      const column = columnNamed(node.column.name, columns);
      const domain = domainOf(column, "IN");
      const values = node.values.map((value) => valueSide(value, column, domain));
      return { kind: "in", domain, column, values, negated: node.negated };
    }
    case "compare":
      return typeComparison(node.op, node.left, node.right, columns);
  }
}

function typeComparison(
  op: ComparisonOp,
  left: Operand,
  right: Operand,
  columns: ReadonlyMap<string, ColumnInfo>,
): Typed {
  if (left.kind === "column" && right.kind === "column") {
    const a = columnNamed(left.name, columns);
    const b = columnNamed(right.name, columns);
    const domain = commonDomain(a, b, op);
    return {
      kind: "compare",
      op,
      domain,
      left: { kind: "column", column: a },
      right: columnSide(b),
    };
  }
  // One side is a column (the parser refuses two values).
  const columnFirst = left.kind === "column";
  const column = columnNamed(((columnFirst ? left : right) as { name: string }).name, columns);
  const domain = domainOf(column, op);
  const value = valueSide((columnFirst ? right : left) as Literal, column, domain);
  const side = columnSide(column);
  return columnFirst
    ? { kind: "compare", op, domain, left: side, right: value }
    : { kind: "compare", op, domain, left: value, right: side };
}

function columnSide(column: ColumnInfo): Side {
  return { kind: "column", column };
}

function columnNamed(name: string, columns: ReadonlyMap<string, ColumnInfo>): ColumnInfo {
  const column = columns.get(name);
  if (column) return column;
  const names = [...columns.keys()];
  const hint = names.length > 0 ? ` (did you mean ${quoted(closest(name, names))}?)` : "";
  throw new ConditionError(`column ${quoted(name)} not found in the data${hint}`);
}

/** The domain a column compares with values in; an error for types with no comparison. */
function domainOf(column: ColumnInfo, test: string): Domain {
  const domain = domainOfType(column.dtype);
  if (domain !== undefined) return domain;
  throw new ConditionError(
    `column ${quoted(column.name)} is ${column.dtype}: ${test} compares text, numbers, ` +
      "booleans, dates and datetimes; test it with IS NULL or IS NOT NULL",
  );
}

function domainOfType(dtype: string): Domain | undefined {
  if (INTEGERS_64.test(dtype)) return "integer";
  switch (familyOf(dtype)) {
    case "text":
      return "text";
    case "float":
    case "decimal":
      return "float";
    case "bool":
      return "boolean";
    case "date":
      return "date";
    case "datetime":
      return "datetime";
    default:
      return undefined;
  }
}

/** The domain two columns compare in, or an error when their types do not compare. */
function commonDomain(a: ColumnInfo, b: ColumnInfo, op: ComparisonOp): Domain {
  const first = domainOf(a, op);
  const second = domainOf(b, op);
  if (first === second) return first;
  const numbers = new Set<Domain>(["integer", "float"]);
  if (numbers.has(first) && numbers.has(second)) return "float";
  const times = new Set<Domain>(["date", "datetime"]);
  if (times.has(first) && times.has(second)) return "datetime";
  throw new ConditionError(
    `cannot compare column ${quoted(a.name)} (${a.dtype}) with column ${quoted(b.name)} ` +
      `(${b.dtype}): compare numbers, text, booleans, or dates and datetimes with each other`,
  );
}

/** A literal read against `column` in `domain`, or an error naming where it is. */
function valueSide(literal: Literal, column: ColumnInfo, domain: Domain): Side {
  const written = literal.kind === "string"
    ? literal.value
    : literal.kind === "number"
    ? literal.text
    : literal.value;
  const shown = literal.kind === "string"
    ? `'${literal.value.replaceAll("'", "''")}'`
    : literal.kind === "number"
    ? literal.text
    : literal.value
    ? "TRUE"
    : "FALSE";
  const refuse = (why: string) =>
    new ConditionError(
      `${printable(shown)} (at character ${literal.offset + 1}) cannot be compared ` +
        `with column ${quoted(column.name)} of type ${column.dtype}${why}`,
    );
  switch (domain) {
    case "date": {
      const days = typeof written === "string" ? readIsoDate(written) : NOT_TEXT;
      if (isProblem(days)) throw refuse(`: ${days.problem}`);
      return { kind: "value", value: days, dtype: "Date" };
    }
    case "datetime": {
      const time = typeof written === "string" ? readIsoTimestamp(written) : NOT_TEXT;
      if (isProblem(time)) throw refuse(`: ${time.problem}`);
      const micros = utcMicros(time);
      if (micros < FIRST_MICROS || micros > LAST_MICROS) {
        throw refuse(": in UTC it falls outside the years 0001 to 9999");
      }
      return { kind: "value", value: micros, dtype: "Datetime" };
    }
    default: {
      const value = coerceLiteral(written, column.dtype);
      if (value === undefined) throw refuse("");
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw refuse(": a condition compares with finite numbers only");
      }
      return { kind: "value", value, dtype: column.dtype };
    }
  }
}

/** TRUE or FALSE where a date or timestamp is meant. */
const NOT_TEXT: IsoProblem = { problem: "write a date or timestamp as text in quotes" };
// Every engine holds the years 0001 to 9999 (an offset can move a time out of them).
const FIRST_MICROS = utcMicros(readIsoTimestamp("0001-01-01") as IsoTimestamp);
const LAST_MICROS = utcMicros(readIsoTimestamp("9999-12-31 23:59:59.999999") as IsoTimestamp);

function quoted(name: string): string {
  const shown = printable(name);
  return shown === name ? `"${name}"` : shown;
}

// ---------------------------------------------------------------- Polars

function polarsOf(node: Typed): Expr {
  switch (node.kind) {
    case "or":
      return balanced(node.operands.map(polarsOf), (a, b) => a.or(b));
    case "and":
      return balanced(node.operands.map(polarsOf), (a, b) => a.and(b));
    case "not":
      return polarsOf(node.operand).not();
    case "is_null": {
      const column = pl.col(node.column.name);
      return node.negated ? column.isNotNull() : column.isNull();
    }
    case "compare":
      return polarsCompare(
        node.op,
        polarsSide(node.left, node.domain),
        polarsSide(node.right, node.domain),
      );
    case "in": {
      // A chain of `==`, not `isIn`: one straight streaming pipeline (see literals.ts).
      const column = polarsSide({ kind: "column", column: node.column }, node.domain);
      const member = balanced(
        node.values.map((value) => column.eq(polarsSide(value, node.domain))),
        (a, b) => a.or(b),
      );
      return node.negated ? member.not() : member;
    }
  }
}

/** `left op right` in Polars. */
export function polarsCompare(op: ComparisonOp, left: Expr, right: Expr): Expr {
  switch (op) {
    case "=":
      return left.eq(right);
    case "!=":
      return left.neq(right);
    case "<":
      return left.lt(right);
    case "<=":
      return left.ltEq(right);
    case ">":
      return left.gt(right);
    case ">=":
      return left.gtEq(right);
  }
}

function polarsSide(side: Side, domain: Domain): Expr {
  if (side.kind === "column") {
    const column = pl.col(side.column.name);
    const dtype = side.column.dtype;
    switch (domain) {
      case "text":
        return isStoredText(dtype) ? column : column.cast(pl.Utf8);
      case "float":
        return dtype === "Float64" ? column : column.cast(pl.Float64);
      case "datetime":
        // Microseconds, naive: an instant column keeps its UTC value, a date its midnight.
        return column.cast(pl.Datetime("us"));
      default:
        return column;
    }
  }
  const { value, dtype } = side;
  switch (domain) {
    case "integer":
      // Typed like the column, so Polars can skip row groups by their statistics.
      return pl.lit(value).cast(pl.DataType[dtype as "Int64"]);
    case "float":
      return pl.lit(value).cast(pl.Float64);
    case "date":
      return pl.lit(value).cast(pl.Int32).cast(pl.Date);
    case "datetime":
      return pl.lit(value).cast(pl.Int64).cast(pl.Datetime("us"));
    default:
      return pl.lit(value);
  }
}

/** `items` combined pairwise: depth log2(n), so a long OR list cannot exhaust a stack. */
function balanced(items: Expr[], combine: (a: Expr, b: Expr) => Expr): Expr {
  let level = items;
  while (level.length > 1) {
    const next: Expr[] = [];
    for (let index = 0; index < level.length; index += 2) {
      next.push(index + 1 < level.length ? combine(level[index], level[index + 1]) : level[index]);
    }
    level = next;
  }
  return level[0];
}

// ---------------------------------------------------------------- SQL

/** Each operator as SQL writes it. */
export const SQL_OPS: Record<ComparisonOp, string> = {
  "=": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

function sqlOf(node: Typed, dialect: Dialect): string {
  switch (node.kind) {
    case "or":
    case "and":
      return `(${
        node.operands.map((operand) => sqlOf(operand, dialect)).join(` ${node.kind.toUpperCase()} `)
      })`;
    case "not":
      return `(NOT ${sqlOf(node.operand, dialect)})`;
    case "is_null":
      return `(${dialect.ident(node.column.name)} IS ${node.negated ? "NOT " : ""}NULL)`;
    case "compare":
      return `(${sqlSide(node.left, node.domain, dialect)} ${SQL_OPS[node.op]} ${
        sqlSide(node.right, node.domain, dialect)
      })`;
    case "in": {
      const column = sqlSide({ kind: "column", column: node.column }, node.domain, dialect);
      const values = node.values.map((value) => sqlSide(value, node.domain, dialect));
      return `(${column} ${node.negated ? "NOT " : ""}IN (${values.join(", ")}))`;
    }
  }
}

function sqlSide(side: Side, domain: Domain, dialect: Dialect): string {
  if (side.kind === "column") {
    const column = dialect.ident(side.column.name);
    const dtype = side.column.dtype;
    switch (domain) {
      case "text":
        // Byte for byte whatever the collation; Categorical/Enum by their text.
        return isStoredText(dtype)
          ? dialect.exact(column, dtype)
          : dialect.exact(dialect.castText(column), "String");
      case "float":
        return dtype === "Float64" ? column : dialect.castDouble(column);
      default:
        return column;
    }
  }
  const { value } = side;
  switch (domain) {
    case "date":
      return dialect.temporalLiteral(formatIsoDate(value as number), "Date");
    case "datetime":
      return dialect.temporalLiteral(formatIsoTimestamp(value as bigint), "Datetime");
    default:
      return dialect.literal(value as ListedValue);
  }
}
