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
import { findInTree, functionNotAllowed, type UserSqlScope } from "../../sql/user_sql.ts";
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
  flag,
  integer,
  many,
  one,
  oneOf,
  own,
  strings,
  text,
} from "../../sql/guard_kit.ts";

type Node = Record<string, unknown>;

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
  const root = Array.isArray(ast) && ast.length === 1 ? ast[0] : ast;
  if (Array.isArray(root)) return "must be exactly one statement";
  const claimed = walk.claim(root, "select");
  if (claimed !== undefined) return claimed;
  return findInTree(root, (step) => walk.visit(step.node)) ?? walk.afterWalk();
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
type Field = (value: unknown, walk: TreeWalk) => string | undefined;

/** What a kind of object may hold, and what else must hold for it. */
interface Shape {
  readonly fields: Readonly<Record<string, Field>>;
  readonly check?: (node: Node, walk: TreeWalk) => string | undefined;
}

class TreeWalk {
  readonly kinds = new Map<object, Kind>();
  /** One-part relation names, and CTE names, for `dataset_only`. */
  readonly bareRelations: string[] = [];
  readonly cteNames = new Set<string>();

  constructor(readonly scope: UserSqlScope, readonly strings: ParsedStrings) {}

  /** Marks `value` (an object) as a `kind`: its parent expects it there. */
  claim(value: unknown, kind: Kind): string | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return `the SQL parser produced an unexpected ${kind}`;
    }
    const previous = this.kinds.get(value);
    if (previous !== undefined && previous !== kind) return "the SQL parse tree is ambiguous";
    this.kinds.set(value, kind);
    return undefined;
  }

  visit(node: Node): string | undefined {
    const kind = this.kinds.get(node);
    if (kind === undefined) return "uses SQL the Snowflake guard does not know";
    const shape = shapeOf(kind, node);
    if (typeof shape === "string") return shape;
    for (const [key, value] of Object.entries(node)) {
      const field = own(shape.fields, key) ?? own(COMMON_FIELDS, key);
      if (field === undefined) return notAllowed(kind, node, key);
      const reason = field(value, this);
      if (reason !== undefined) return reason === "" ? notAllowed(kind, node, key) : reason;
    }
    return shape.check?.(node, this);
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

/** `… is not allowed` for a key the kind does not know. */
function notAllowed(kind: Kind, node: Node, key: string): string {
  const type = typeof node.type === "string" ? node.type : kind;
  return `uses SQL the Snowflake guard does not allow (${type}.${key})`;
}

// ---------------------------------------------------------------------------------------
// Fields: "" means "refused, say which key".
// ---------------------------------------------------------------------------------------

/** Keys any object may carry: positions and parentheses. */
const COMMON_FIELDS: Readonly<Record<string, Field>> = {
  loc: one("loc"),
  parentheses: flag,
};

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
      return own(FRAME_SHAPES, node.type) ?? notAllowed(kind, node, "type");
    case "caseArm":
      return node.type === "when"
        ? WHEN
        : node.type === "else"
        ? ELSE
        : notAllowed(kind, node, "type");
    case "into":
      return Object.keys(node).every((key) => key === "position") && node.position == null
        ? INTO
        : "must not write (SELECT … INTO creates a table)";
    default:
      return own(SHAPES, kind) ?? notAllowed(kind, node, "type");
  }
}

function statementType(node: Node): string {
  return typeof node.type === "string" ? node.type.toUpperCase() : "a statement";
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

function joinKind(value: unknown): string | undefined {
  return value == null || ALLOWED_JOINS.has(String(value)) ? undefined : `${value} is not allowed`;
}

function fromItemShape(node: Node): Shape | string {
  if (node.type === "var") return `may not read stages (${node.prefix ?? ""}${node.name ?? ""})`;
  if (node.type === "expr") return tableFunctionRefusal(node.expr);
  if (node.type !== undefined) return `reading from ${String(node.type)} is not allowed`;
  if ("tablesample" in node) return "TABLESAMPLE is not allowed";
  if ("table" in node) return quotedTableRefusal(node) ?? TABLE_FROM_ITEM;
  const expr = node.expr as Node | undefined;
  if (expr !== null && typeof expr === "object" && "ast" in expr) return SUBQUERY_FROM_ITEM;
  return "uses SQL the Snowflake guard does not allow in FROM";
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
  return `uses SQL the Snowflake guard does not allow (${String(node.type)})`;
}

const SUBQUERY: Shape = {
  fields: { tableList: strings, columnList: strings, ast: one("select") },
};

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
    check: (node) =>
      ALLOWED_BINARY_OPERATORS.has(String(node.operator))
        ? undefined
        : `the operator ${node.operator} is not allowed`,
  },
  unary_expr: {
    fields: { type: oneOf("unary_expr"), operator: text, expr: one("expr") },
    check: (node) =>
      ALLOWED_UNARY_OPERATORS.has(String(node.operator))
        ? undefined
        : `the operator ${node.operator} is not allowed`,
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

function subqueryOperatorRefusal(node: Node, name: string): string | undefined {
  const args = (node.args as Node | undefined)?.value;
  const only = Array.isArray(args) && args.length === 1 ? args[0] as Node : undefined;
  const isSubquery = only !== null && typeof only === "object" && "ast" in only;
  return isSubquery && node.over == null ? undefined : functionNotAllowed(name);
}

/** The parser reads `NOT (a = 1)` as a function NOT of one argument. */
function notRefusal(node: Node): string | undefined {
  const args = (node.args as Node | undefined)?.value;
  return Array.isArray(args) && args.length === 1 ? undefined : functionNotAllowed("not");
}

// Everything else --------------------------------------------------------------------------

const FRAME_VALUE = /^(rows|range|current row|unbounded( preceding| following)?)$/i;
const FRAME_NUMBER = /^\d+ (PRECEDING|FOLLOWING)$/;

const FRAME_SHAPES: Readonly<Record<string, Shape>> = {
  rows: { fields: { type: oneOf("rows"), expr: one("frame") } },
  binary_expr: {
    fields: {
      type: oneOf("binary_expr"),
      operator: oneOf("BETWEEN"),
      left: one("frame"),
      right: one("frame"),
    },
  },
  expr_list: { fields: { type: oneOf("expr_list"), value: many("frame") } },
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

const WHEN: Shape = {
  fields: { type: oneOf("when"), cond: one("expr"), result: one("expr") },
};

const ELSE: Shape = { fields: { type: oneOf("else"), result: one("expr") } };

/** An empty INTO: the parser always adds `into: { position: null }`. */
const INTO: Shape = { fields: { position: absent } };

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
  functionName: { fields: { name: many("namePart"), schema: one("namePart") } },
  namePart: { fields: { type: oneOf("default", "origin"), value: text } },
  aggrArgs: {
    fields: {
      expr: one("expr"),
      distinct: oneOf(null, "DISTINCT"),
      orderby: many("orderItem"),
      separator: one("separator"),
    },
  },
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
  escape: { fields: { type: oneOf("ESCAPE"), value: one("expr") } },
  over: {
    fields: {
      type: oneOf("window"),
      as_window_specification: (value, walk) =>
        typeof value === "string" ? "named windows are not allowed" : one("windowAs")(value, walk),
      partitionby: many("columnItem"),
      orderby: many("orderItem"),
    },
  },
  windowAs: { fields: { window_specification: one("windowSpec") } },
  windowSpec: {
    fields: {
      name: absent,
      partitionby: many("columnItem"),
      orderby: many("orderItem"),
      window_frame_clause: one("frame"),
    },
  },
  loc: { fields: { start: one("point"), end: one("point") } },
  point: { fields: { offset: integer, line: integer, column: integer } },
};
