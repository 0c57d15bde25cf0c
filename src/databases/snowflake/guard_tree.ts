/**
 * The allow-list walk over node-sql-parser's tree of Snowflake user SQL. Every object in
 * the tree must be a part the walk knows, in a place where it is allowed: its parent
 * claims each child object for one kind (`select`, `expr`, `fromItem`, …), and each kind
 * lists the keys it may have and what each may hold. Anything else is refused, so a
 * construct the parser learns later is refused until it is added here.
 *
 * On top of the shapes: exactly one SELECT (CTEs and subqueries too), no INTO, functions,
 * operators, joins and cast types from snowflake_allowed.ts, and no relation in system
 * data. The walk also collects where the parser saw string literals, so the guard can
 * compare them with Snowflake's tokens.
 * @module
 */
import { functionNotAllowed, type UserSqlScope } from "../../sql/user_sql.ts";
import {
  ALLOWED_BINARY_OPERATORS,
  ALLOWED_FUNCTION_SET,
  ALLOWED_JOINS,
  ALLOWED_UNARY_OPERATORS,
  SNOWFLAKE_ALLOWED_CAST_TYPES,
  SYSTEM_NAMES,
} from "./guard_allowed.ts";
import {
  absent,
  type FieldCheck,
  flag,
  integer,
  many,
  one,
  oneOf,
  own,
  text,
} from "../../sql/guard_kit.ts";
import {
  AGGREGATE_ARGS,
  caseArmShape,
  COMMON_FRAME_SHAPES,
  FUNCTION_NAME,
  intoShape,
  joinKindField,
  LIKE_ESCAPE,
  LOCATION,
  type Node,
  notAllowed,
  operatorCheck,
  type Shape as ShapeOf,
  ShapeWalk,
  statementType,
  SUBQUERY,
  subqueryOperatorRefusal,
  walkTree,
  WINDOW_AS,
  WINDOW_SPEC,
} from "../../sql/guard_walk.ts";

/** How this guard names itself in refusals. */
const GUARD = "the Snowflake guard";

/** What the parser said about string literals, for comparing with Snowflake's tokens. */
export interface ParsedStrings {
  /** `[start, end)` offsets of every `'…'` literal in the tree. */
  readonly spans: [number, number][];
  /** The text of every `DATE '…'`-style literal (the parser gives no position for them). */
  readonly typedLiterals: string[];
}

/**
 * Why the tree is refused, or undefined. `strings` receives the parser's string literals.
 */
export function treeRefusal(
  ast: unknown,
  scope: UserSqlScope,
  strings: ParsedStrings,
): string | undefined {
  const walk = new TreeWalk(scope, strings);
  return walkTree(ast, walk, "select") ?? walk.afterWalk();
}

type Kind =
  | "select"
  | "subquery"
  | "cte"
  | "cteName"
  | "distinct"
  | "into"
  | "columnItem"
  | "fromItem"
  | "surround"
  | "usingName"
  | "groupBy"
  | "orderItem"
  | "limit"
  | "limitValue"
  | "top"
  | "expr"
  | "functionName"
  | "namePart"
  | "aggrArgs"
  | "separator"
  | "caseArm"
  | "castTarget"
  | "extractArgs"
  | "escape"
  | "over"
  | "windowAs"
  | "windowSpec"
  | "frame"
  | "loc"
  | "point";

/** Checks one value of a key; may claim the objects it holds. */
type Field = FieldCheck<TreeWalk>;

/** What a kind of object may hold, and what else must hold for it. */
type Shape = ShapeOf<TreeWalk>;

class TreeWalk extends ShapeWalk<Kind> {
  /** One-part relation names, and CTE names, for `dataset_only`. */
  readonly bareRelations: string[] = [];
  readonly cteNames = new Set<string>();

  constructor(readonly scope: UserSqlScope, readonly strings: ParsedStrings) {
    super(GUARD);
  }

  protected shapeOf(kind: Kind, node: Node): Shape | string {
    return shapeOf(kind, node);
  }

  afterWalk(): string | undefined {
    if (this.scope.relations !== "dataset_only") return undefined;
    const dataset = this.scope.dataset.toLowerCase();
    const other = this.bareRelations.find((name) =>
      name.toLowerCase() !== dataset && !this.cteNames.has(name.toLowerCase())
    );
    return other === undefined ? undefined : `may read only the dataset, not ${other}`;
  }
}

// ---------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------

function shapeOf(kind: Kind, node: Node): Shape | string {
  switch (kind) {
    case "select":
      return node.type === "select" ? SELECT : `must be a SELECT, not ${statementType(node)}`;
    case "expr":
      return expressionShape(node);
    case "columnItem":
      return node.type === "cast" ? CAST_COLUMN_ITEM : COLUMN_ITEM;
    case "fromItem":
      return fromItemShape(node);
    case "frame":
      return own(FRAME_SHAPES, node.type) ?? notAllowed(GUARD, kind, node, "type");
    case "caseArm":
      return caseArmShape(GUARD, node);
    case "into":
      return intoShape(node, "must not write (SELECT … INTO creates a table)");
    default:
      return own(SHAPES, kind) ?? notAllowed(GUARD, kind, node, "type");
  }
}

const SELECT: Shape = {
  fields: {
    with: many("cte"),
    type: oneOf("select"),
    options: absent,
    distinct: one("distinct"),
    columns: many("columnItem"),
    into: one("into"),
    from: many("fromItem"),
    where: one("expr"),
    groupby: one("groupBy"),
    having: one("expr"),
    qualify: one("expr"),
    orderby: many("orderItem"),
    top: one("top"),
    limit: one("limit"),
    window: absent,
    _next: one("select"),
    set_op: oneOf("union", "union all"),
    _orderby: many("orderItem"),
    _limit: one("limit"),
    parentheses_symbol: flag,
  },
  check: (node) => node.columns === undefined ? "must select at least one column" : undefined,
};

const COLUMN_ITEM: Shape = {
  fields: { type: oneOf("expr"), expr: one("expr"), as: text },
};

const CAST_FIELDS: Readonly<Record<string, Field>> = {
  type: oneOf("cast"),
  keyword: oneOf("cast", "try_cast"),
  expr: one("expr"),
  symbol: oneOf("as", "::"),
  target: many("castTarget"),
};

/** `x::INT AS y` in the select list; its `tail` (`x::INT + 1`) keeps one term only. */
const CAST_COLUMN_ITEM: Shape = {
  fields: { ...CAST_FIELDS, as: text, tail: castTail },
};

function castTail(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return "put a :: cast followed by an operator in parentheses: (x::INT) + 1";
}

const joinKind = joinKindField(ALLOWED_JOINS);

const TABLE_FROM_ITEM: Shape = {
  fields: {
    db: text,
    catalog: text,
    schema: text,
    table: text,
    surround: one("surround"),
    as: text,
    operator: absent,
    join: joinKind,
    on: one("expr"),
    using: many("usingName"),
  },
  check: relationRefusal,
};

const SUBQUERY_FROM_ITEM: Shape = {
  fields: {
    prefix: absent,
    expr: one("subquery"),
    as: text,
    operator: absent,
    join: joinKind,
    on: one("expr"),
    using: many("usingName"),
  },
};

function fromItemShape(node: Node): Shape | string {
  if (node.type === "var") return `may not read stages (${node.prefix ?? ""}${node.name ?? ""})`;
  if (node.type === "expr") return tableFunctionRefusal(node.expr);
  if (node.type !== undefined) return `reading from ${String(node.type)} is not allowed`;
  if ("tablesample" in node) return "TABLESAMPLE is not allowed";
  if ("table" in node) return quotedTableRefusal(node) ?? TABLE_FROM_ITEM;
  const expr = node.expr as Node | undefined;
  if (expr !== null && typeof expr === "object" && "ast" in expr) return SUBQUERY_FROM_ITEM;
  return `uses SQL ${GUARD} does not allow in FROM`;
}

/** The parser takes `FROM '…'` for a name; Snowflake reads a stage path there. */
function quotedTableRefusal(node: Node): string | undefined {
  const surround = Object.values((node.surround ?? {}) as Node);
  if (surround.every((quote) => quote === "" || quote === '"')) return undefined;
  const table = String(node.table);
  return table.startsWith("@") || table.startsWith("~")
    ? `may not read stages ('${table}')`
    : "a string literal is not a table name";
}

/** `FROM TABLE(f(…))`: named for the function inside when there is one. */
function tableFunctionRefusal(expr: unknown): string {
  const outer = functionName(expr);
  const args = (expr as Node | undefined)?.args as Node | undefined;
  const inner = Array.isArray(args?.value) ? functionName(args.value[0]) : undefined;
  const name = outer === "table" && inner !== undefined ? inner : outer;
  if (name === undefined || ALLOWED_FUNCTION_SET.has(name)) {
    return "table functions (TABLE(…)) are not allowed";
  }
  return functionNotAllowed(name);
}

/** The lower-case name of a function node, if it is one. */
function functionName(node: unknown): string | undefined {
  if (node === null || typeof node !== "object") return undefined;
  const name = (node as Node).name;
  if (typeof name === "string") return name.toLowerCase();
  const parts = (name as Node | undefined)?.name;
  if (!Array.isArray(parts)) return undefined;
  return parts.map((part) => String((part as Node)?.value)).join(".").toLowerCase();
}

/** Relations in system data are refused; `dataset_only` is settled after the walk. */
function relationRefusal(node: Node, walk: TreeWalk): string | undefined {
  const parts = [node.catalog ?? (node.schema === undefined ? node.db : undefined)];
  parts.push(node.schema ?? undefined, node.table);
  const names = parts.filter((part): part is string => typeof part === "string");
  if (node.table === "*" || names.length === 0) return "uses a relation the guard cannot read";
  const system = names.find((name) => SYSTEM_NAMES.has(name.toUpperCase()));
  if (system !== undefined) return `may not read system catalogs (${names.join(".")})`;
  if (walk.scope.relations === "dataset_only" && names.length !== 1) {
    return `may read only the dataset, not ${names.join(".")}`;
  }
  if (names.length === 1) walk.bareRelations.push(names[0]);
  return undefined;
}

// Expressions ------------------------------------------------------------------------------

/** The parser keeps decimals as text: `1.5` is `"1.5"`. */
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Grammar words the parser stores as `origin` values (TRIM(BOTH … FROM …), GROUP BY ALL). */
const ORIGIN_WORDS = new Set(["all", "from", "in", "both", "leading", "trailing"]);

function expressionShape(node: Node): Shape | string {
  if (node.type === undefined && "ast" in node) return SUBQUERY;
  const shape = own(EXPRESSIONS, node.type);
  if (shape !== undefined) return shape;
  return `uses SQL ${GUARD} does not allow (${String(node.type)})`;
}

const EXPRESSIONS: Readonly<Record<string, Shape>> = {
  column_ref: {
    fields: {
      type: oneOf("column_ref"),
      schema: text,
      table: text,
      column: (value) =>
        typeof value === "string" ? undefined : "paths into semi-structured values are not allowed",
      notations: (value) =>
        Array.isArray(value) && value.every((notation) => notation === ".") ? undefined : "",
      collate: absent,
      suffix: absent,
    },
  },
  // The parser reads some "…" names as strings; Snowflake reads them as names.
  double_quote_string: { fields: { type: oneOf("double_quote_string"), value: text } },
  single_quote_string: {
    fields: { type: oneOf("single_quote_string"), value: text, escape: one("escape") },
    check: (node, walk) => {
      const loc = node.loc as { start?: { offset?: unknown }; end?: { offset?: unknown } };
      const start = loc?.start?.offset;
      const end = loc?.end?.offset;
      if (typeof start !== "number" || typeof end !== "number") {
        return "the SQL parser read a quoted name where Snowflake reads a string";
      }
      walk.strings.spans.push([start, end]);
      return undefined;
    },
  },
  number: {
    fields: {
      type: oneOf("number"),
      value: (value) =>
        typeof value === "number" || NUMERIC_TEXT.test(String(value)) ? undefined : "",
    },
  },
  bigint: { fields: { type: oneOf("bigint"), value: text } },
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
  interval: { fields: { type: oneOf("interval"), expr: one("expr"), unit: text } },
  binary_expr: {
    fields: { type: oneOf("binary_expr"), operator: text, left: one("expr"), right: one("expr") },
    check: operatorCheck(ALLOWED_BINARY_OPERATORS),
  },
  unary_expr: {
    fields: { type: oneOf("unary_expr"), operator: text, expr: one("expr") },
    check: operatorCheck(ALLOWED_UNARY_OPERATORS),
  },
  expr_list: {
    fields: { type: oneOf("expr_list"), value: many("expr"), separator: oneOf(null, ",") },
  },
  case: {
    fields: { type: oneOf("case"), expr: one("expr"), args: many("caseArm") },
  },
  cast: { fields: CAST_FIELDS },
  extract: { fields: { type: oneOf("extract"), args: one("extractArgs") } },
  function: {
    fields: {
      type: oneOf("function"),
      name: one("functionName"),
      args: one("expr"),
      over: one("over"),
      separator: oneOf(null, " "),
      suffix: absent,
    },
    check: functionRefusal,
  },
  aggr_func: {
    fields: {
      type: oneOf("aggr_func"),
      name: text,
      args: one("aggrArgs"),
      over: one("over"),
      within_group_orderby: many("orderItem"),
    },
    check: functionRefusal,
  },
  window_func: {
    fields: {
      type: oneOf("window_func"),
      name: text,
      args: one("expr"),
      over: one("over"),
      consider_nulls: oneOf(null, "IGNORE NULLS", "RESPECT NULLS"),
    },
    check: functionRefusal,
  },
};

function typedLiteral(type: string): Shape {
  return {
    fields: { type: oneOf(type), value: text },
    check: (node, walk) => {
      walk.strings.typedLiterals.push(String(node.value));
      return undefined;
    },
  };
}

/** Functions must be on the allow-list, unqualified and unquoted. EXISTS takes a subquery. */
function functionRefusal(node: Node): string | undefined {
  const name = node.name as Node | string;
  if (typeof name === "object") {
    const parts = name.name;
    if (!Array.isArray(parts) || parts.length !== 1 || name.schema != null) {
      const schema = (name.schema as Node | undefined)?.value;
      return functionNotAllowed([schema, functionName(node)].filter(Boolean).join("."));
    }
  }
  const lower = functionName(node) ?? "";
  if (lower.includes(".")) return functionNotAllowed(lower);
  if (SUBQUERY_OPERATORS.has(lower)) return subqueryOperatorRefusal(node, lower);
  if (lower === "not") return notRefusal(node);
  return ALLOWED_FUNCTION_SET.has(lower) ? undefined : functionNotAllowed(lower);
}

/** The parser reads `EXISTS (SELECT …)`, `= ANY (SELECT …)` as functions of a subquery. */
const SUBQUERY_OPERATORS = new Set(["exists", "any", "all", "some"]);

/** The parser reads `NOT (a = 1)` as a function NOT of one argument. */
function notRefusal(node: Node): string | undefined {
  const args = (node.args as Node | undefined)?.value;
  return Array.isArray(args) && args.length === 1 ? undefined : functionNotAllowed("not");
}

// Everything else --------------------------------------------------------------------------

const FRAME_VALUE = /^(rows|range|current row|unbounded( preceding| following)?)$/i;
const FRAME_NUMBER = /^\d+ (PRECEDING|FOLLOWING)$/;

/** The shapes of a window frame clause: the shared ones and Snowflake's bounds (no RANGE type). */
const FRAME_SHAPES: Readonly<Record<string, Shape>> = {
  ...COMMON_FRAME_SHAPES,
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
  interval: {
    fields: { type: oneOf("interval"), expr: one("expr"), unit: text, suffix: one("frame") },
  },
};

const CAST_TYPES = new Set(SNOWFLAKE_ALLOWED_CAST_TYPES);
const DECIMAL_TYPE = /^DECIMAL\(\d+(, \d+)?\)$/;

const SHAPES: Readonly<Record<string, Shape>> = {
  subquery: SUBQUERY,
  cte: {
    fields: {
      name: one("cteName"),
      stmt: one("subquery"),
      columns: many("expr"),
    },
  },
  cteName: {
    fields: { type: oneOf("default"), value: text },
    check: (node, walk) => {
      walk.cteNames.add(String(node.value).toLowerCase());
      return undefined;
    },
  },
  distinct: { fields: { type: oneOf(null, "DISTINCT") } },
  surround: { fields: { table: oneOf("", '"'), db: oneOf("", '"'), schema: oneOf("", '"') } },
  usingName: { fields: { type: oneOf("default", "double_quote_string"), value: text } },
  groupBy: { fields: { columns: many("expr") } },
  orderItem: {
    fields: {
      expr: one("expr"),
      type: oneOf(null, "ASC", "DESC"),
      nulls: oneOf(null, "", "NULLS", "NULLS FIRST", "NULLS LAST"),
    },
  },
  limit: { fields: { seperator: oneOf("", "offset"), value: many("limitValue") } },
  limitValue: {
    fields: {
      type: oneOf("number", "bigint"),
      value: (value) => typeof value === "number" || typeof value === "string" ? undefined : "",
    },
  },
  top: { fields: { value: integer, percent: absent } },
  functionName: FUNCTION_NAME,
  namePart: { fields: { type: oneOf("default", "origin"), value: text } },
  aggrArgs: AGGREGATE_ARGS,
  separator: { fields: { symbol: oneOf(","), delimiter: one("expr") } },
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
      return CAST_TYPES.has(type) || DECIMAL_TYPE.test(type)
        ? undefined
        : `casts to ${type} are not allowed`;
    },
  },
  extractArgs: { fields: { field: text, cast_type: text, source: one("expr") } },
  escape: LIKE_ESCAPE,
  over: {
    fields: {
      type: oneOf("window"),
      as_window_specification: (value, walk) =>
        typeof value === "string" ? "named windows are not allowed" : one("windowAs")(value, walk),
      partitionby: many("columnItem"),
      orderby: many("orderItem"),
    },
  },
  windowAs: WINDOW_AS,
  windowSpec: WINDOW_SPEC,
  loc: LOCATION,
  point: { fields: { offset: integer, line: integer, column: integer } },
};
