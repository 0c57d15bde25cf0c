/**
 * The shapes of EXPRESSIONS in node-sql-parser's tree of MySQL/MariaDB user SQL, for the
 * tree walk (guard_tree.ts): literals, column references, operators, CASE, casts,
 * intervals, function calls (allowed, unqualified, unquoted), windows and their frames.
 * Anything else is refused. String literals are reported to the walk, which checks that
 * the parser read every string the server reads, and nothing else, as a literal.
 * @module
 */
import { functionNotAllowed } from "../../sql/user_sql.ts";
import {
  ALLOWED_BINARY_OPERATORS,
  ALLOWED_FUNCTION_SET,
  ALLOWED_UNARY_OPERATORS,
  MYSQL_ALLOWED_CAST_TYPES,
} from "./guard_allowed.ts";
import { type Field, GUARD, type Node, type Shape, type Walk } from "./guard_tree_fields.ts";
import { absent, flag, integer, many, one, oneOf, own, text } from "../../sql/guard_kit.ts";
import {
  AGGREGATE_ARGS,
  COMMON_FRAME_SHAPES,
  FUNCTION_NAME,
  LIKE_ESCAPE,
  operatorCheck,
  SUBQUERY,
  subqueryOperatorRefusal,
  WINDOW_AS,
  WINDOW_SPEC,
} from "../../sql/guard_walk.ts";

/** The parser keeps some numbers as text. */
const NUMERIC_TEXT = /^(\d+(\.\d+)?)([eE][+-]?\d+)?$/;

/** Units of INTERVAL, EXTRACT, TIMESTAMPADD and TIMESTAMPDIFF (lower case). */
const UNITS = new Set([
  "microsecond",
  "second",
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "quarter",
  "year",
]);

/** Grammar words the parser stores as `origin` values: TRIM(LEADING 'x' FROM a), units. */
const ORIGIN_WORDS = new Set(["from", "in", "both", "leading", "trailing", ...UNITS]);

/** The shape of an expression node, or why it is refused. */
export function expressionShape(node: Node): Shape | string {
  if (node.type === undefined && "ast" in node) return SUBQUERY;
  const shape = own(EXPRESSIONS, node.type);
  if (shape !== undefined) return shape;
  return `uses SQL ${GUARD} does not allow (${String(node.type)})`;
}

const unit: Field = (value) => UNITS.has(String(value).toLowerCase()) ? undefined : "";

const EXPRESSIONS: Readonly<Record<string, Shape>> = {
  column_ref: {
    fields: {
      type: oneOf("column_ref"),
      db: text,
      schema: text,
      table: (value, walk) =>
        value !== null && typeof value === "object"
          ? walk.claim(value, "quotedPart")
          : text(value, walk),
      column: text,
      collate: absent,
      suffix: absent,
    },
  },
  single_quote_string: {
    fields: { type: oneOf("single_quote_string"), value: text, escape: one("escape") },
    check: (node, walk) => walk.sawString(node.value),
  },
  number: {
    fields: {
      type: oneOf("number"),
      value: (value) =>
        typeof value === "number" || NUMERIC_TEXT.test(String(value)) ? undefined : "",
    },
  },
  bigint: {
    fields: {
      type: oneOf("bigint"),
      value: (value) => NUMERIC_TEXT.test(String(value)) ? undefined : "",
    },
  },
  bool: { fields: { type: oneOf("bool"), value: flag } },
  null: { fields: { type: oneOf("null"), value: absent } },
  star: { fields: { type: oneOf("star"), value: oneOf("*") } },
  origin: {
    fields: {
      type: oneOf("origin"),
      value: (value) => ORIGIN_WORDS.has(String(value).toLowerCase()) ? undefined : "",
    },
  },
  date: typedLiteral("date"),
  time: typedLiteral("time"),
  timestamp: typedLiteral("timestamp"),
  datetime: typedLiteral("datetime"),
  interval: { fields: { type: oneOf("interval"), expr: one("expr"), unit } },
  binary_expr: {
    fields: { type: oneOf("binary_expr"), operator: text, left: one("expr"), right: one("expr") },
    check: (node) => operatorCheck(ALLOWED_BINARY_OPERATORS)(node) ?? listRefusal(node),
  },
  unary_expr: {
    fields: { type: oneOf("unary_expr"), operator: text, expr: one("expr") },
    check: operatorCheck(ALLOWED_UNARY_OPERATORS),
  },
  expr_list: {
    fields: { type: oneOf("expr_list"), value: many("expr") },
  },
  case: {
    fields: { type: oneOf("case"), expr: one("expr"), args: many("caseArm") },
  },
  cast: {
    fields: {
      type: oneOf("cast"),
      keyword: oneOf("cast"),
      expr: one("expr"),
      symbol: oneOf("as"),
      target: many("castTarget"),
    },
    check: (node) =>
      Array.isArray(node.target) && node.target.length === 1
        ? undefined
        : "casts to more than one type are not allowed",
  },
  extract: { fields: { type: oneOf("extract"), args: one("extractArgs") } },
  function: {
    fields: {
      type: oneOf("function"),
      name: one("functionName"),
      args: one("expr"),
      over: one("over"),
      suffix: absent,
    },
    check: (node, walk) => functionRefusal(node, walk),
  },
  aggr_func: {
    fields: {
      type: oneOf("aggr_func"),
      name: text,
      args: one("aggrArgs"),
      over: one("over"),
    },
    check: (node, walk) => functionRefusal(node, walk),
  },
};

/** `x IN 'a'` reads to the parser, not to the server: IN takes a list or a subquery. */
function listRefusal(node: Node): string | undefined {
  if (node.operator !== "IN" && node.operator !== "NOT IN") return undefined;
  const right = node.right as Node | undefined;
  return right?.type === "expr_list" || (right != null && "ast" in right)
    ? undefined
    : `${node.operator} needs a list in parentheses`;
}

function typedLiteral(type: string): Shape {
  return {
    fields: { type: oneOf(type), value: text },
    check: (node, walk) => walk.sawString(node.value),
  };
}

/** The lower-case name of a function node (real names for quoted parts), if it has one. */
function functionName(node: Node, walk: Walk): string | undefined {
  const name = node.name;
  if (typeof name === "string") return name.toLowerCase();
  const parts = (name as Node | undefined)?.name;
  if (!Array.isArray(parts)) return undefined;
  return parts.map((part) => walk.realName(String((part as Node)?.value))).join(".")
    .toLowerCase();
}

/** Functions must be on the allow-list, unqualified and unquoted. ANY/ALL take a subquery. */
function functionRefusal(node: Node, walk: Walk): string | undefined {
  const name = node.name as Node | string;
  const lower = functionName(node, walk) ?? "";
  if (typeof name === "object") {
    const parts = name.name as Node[];
    const schema = name.schema as Node | undefined;
    if (parts.length !== 1 || schema != null) {
      const prefix = schema == null ? "" : `${walk.realName(String(schema.value))}.`;
      return functionNotAllowed(`${prefix}${lower}`);
    }
    if (parts[0]?.type !== "default" && parts[0]?.type !== "origin") {
      return functionNotAllowed(lower);
    }
  }
  if (lower === "any" || lower === "all" || lower === "some") {
    return subqueryOperatorRefusal(node, lower);
  }
  if (lower === "not") return notRefusal(node);
  return ALLOWED_FUNCTION_SET.has(lower) ? undefined : functionNotAllowed(lower);
}

/** The parser reads `NOT (a = 1)` as a function NOT of one argument. */
function notRefusal(node: Node): string | undefined {
  const args = (node.args as Node | undefined)?.value;
  return Array.isArray(args) && args.length === 1 && node.over == null
    ? undefined
    : functionNotAllowed("not");
}

// Frames ------------------------------------------------------------------------------------

const FRAME_VALUE = /^(rows|range|current row|unbounded preceding|unbounded following)$/i;
const FRAME_NUMBER = /^\d+ (PRECEDING|FOLLOWING)$/i;

/** The shapes of a window frame clause (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW). */
export const FRAME_SHAPES: Readonly<Record<string, Shape>> = {
  ...COMMON_FRAME_SHAPES,
  range: { fields: { type: oneOf("range"), expr: one("frame") } },
  origin: {
    fields: {
      type: oneOf("origin"),
      value: (value) => FRAME_VALUE.test(String(value)) ? undefined : "",
    },
  },
  number: {
    fields: {
      type: oneOf("number"),
      value: (value) =>
        Number.isInteger(value) || FRAME_NUMBER.test(String(value)) ? undefined : "",
    },
  },
};

// Parts of expressions ----------------------------------------------------------------------

const CAST_TYPES = new Set(MYSQL_ALLOWED_CAST_TYPES);

/** Shapes of the parts expressions hold (not expressions themselves). */
export const EXPRESSION_PARTS: Readonly<Record<string, Shape>> = {
  quotedPart: { fields: { type: oneOf("backticks_quote_string"), value: text } },
  functionName: FUNCTION_NAME,
  namePart: { fields: { type: oneOf("default", "origin", "backticks_quote_string"), value: text } },
  aggrArgs: AGGREGATE_ARGS,
  separator: { fields: { keyword: oneOf("SEPARATOR"), value: one("expr") } },
  castTarget: {
    fields: {
      dataType: text,
      length: integer,
      scale: integer,
      suffix: (value) =>
        value == null || (Array.isArray(value) && value.length === 0) ? undefined : "",
    },
    check: (node) => {
      const type = String(node.dataType).toUpperCase();
      if (!CAST_TYPES.has(type)) return `casts to ${type} are not allowed`;
      const sized = node.length != null || node.scale != null;
      if (sized && type !== "DECIMAL" && type !== "CHAR") {
        return `casts to ${type}(…) are not allowed`;
      }
      return undefined;
    },
  },
  extractArgs: { fields: { field: unit, source: one("expr") } },
  escape: LIKE_ESCAPE,
  over: {
    fields: {
      type: oneOf("window"),
      as_window_specification: (value, walk) =>
        typeof value === "string" ? "named windows are not allowed" : one("windowAs")(value, walk),
    },
  },
  windowAs: WINDOW_AS,
  windowSpec: WINDOW_SPEC,
};
