/**
 * The allow-list walk over node-sql-parser's tree of MySQL/MariaDB user SQL (the masked
 * text, guard_lexer.ts). Every object in the tree must be a part the walk knows, in a
 * place where it is allowed: its parent claims each child object for one kind (`select`,
 * `expr`, `fromItem`, …), and each kind lists the keys it may have and what each may hold
 * (guard_tree_fields.ts, guard_tree_expr.ts). Anything else is refused, so a construct
 * the parser learns later is refused until it is added here.
 *
 * On top of the shapes: exactly one SELECT (CTEs, unions and subqueries too), no INTO,
 * no locking read, no named windows; functions, operators, joins and cast types from
 * guard_allowed.ts; no relation in a system schema; under `dataset_only`, no relation but
 * the dataset and the CTEs in scope where it is named. The walk also collects the string
 * literals the parser saw, so the guard can compare them with the server's.
 * @module
 */
import { findInTree, type TreeStep, type UserSqlScope } from "../../sql/user_sql.ts";
import { ALLOWED_JOINS, SYSTEM_SCHEMAS } from "./guard_allowed.ts";
import { EXPRESSION_PARTS, expressionShape, FRAME_SHAPES, SUBQUERY } from "./guard_tree_expr.ts";
import {
  COMMON_FIELDS,
  type Field,
  type Kind,
  type Node,
  notAllowed,
  type Shape,
  type Walk,
} from "./guard_tree_fields.ts";
import { absent, flag, many, one, oneOf, own, text } from "../../sql/guard_kit.ts";

/** A masked name or string in the parser's output: the placeholder, then padding. */
const MASKED_NAME = /^(~\d+)[_\n]*$/;
const MASKED_STRING = /^(s\d+)[_\n]*$/;

/**
 * Why the tree is refused, or undefined. `names` maps the masks of quoted names to their
 * real text; `stringsSeen` receives the mask of every string literal the parser read.
 */
export function treeRefusal(
  ast: unknown,
  scope: UserSqlScope,
  names: ReadonlyMap<string, string>,
  stringsSeen: string[],
): string | undefined {
  const walk = new TreeWalk(scope, names, stringsSeen);
  const root = Array.isArray(ast) && ast.length === 1 ? ast[0] : ast;
  if (Array.isArray(root)) return "must be exactly one statement";
  const claimed = walk.claim(root, "select");
  if (claimed !== undefined) return claimed;
  return findInTree(root, (step) => walk.visit(step));
}

class TreeWalk implements Walk {
  readonly kinds = new Map<object, Kind>();

  constructor(
    readonly scope: UserSqlScope,
    readonly names: ReadonlyMap<string, string>,
    readonly stringsSeen: string[],
  ) {}

  claim(value: unknown, kind: Kind): string | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return `the SQL parser produced an unexpected ${kind}`;
    }
    const previous = this.kinds.get(value);
    if (previous !== undefined && previous !== kind) return "the SQL parse tree is ambiguous";
    this.kinds.set(value, kind);
    return undefined;
  }

  realName(name: string): string {
    const mask = MASKED_NAME.exec(name)?.[1];
    return mask === undefined ? name : this.names.get(mask) ?? name;
  }

  sawString(value: unknown): string | undefined {
    const mask = MASKED_STRING.exec(String(value))?.[1];
    // Every literal the parser sees is a mask: anything else was not a string to the server.
    if (mask === undefined) return "the SQL parser read a string literal the server does not";
    this.stringsSeen.push(mask);
    return undefined;
  }

  visit(step: TreeStep): string | undefined {
    const node = step.node;
    const kind = this.kinds.get(node);
    if (kind === undefined) return "uses SQL the MySQL/MariaDB guard does not know";
    const shape = shapeOf(kind, node);
    if (typeof shape === "string") return shape;
    for (const [key, value] of Object.entries(node)) {
      const field = own(shape.fields, key) ?? own(COMMON_FIELDS, key);
      if (field === undefined) return notAllowed(kind, node, key);
      const reason = field(value, this);
      if (reason !== undefined) return reason === "" ? notAllowed(kind, node, key) : reason;
    }
    return shape.check?.(node, this, step);
  }
}

function shapeOf(kind: Kind, node: Node): Shape | string {
  switch (kind) {
    case "select":
      return node.type === "select" ? SELECT : `must be a SELECT, not ${statementType(node)}`;
    case "expr":
      return expressionShape(node);
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
        : "must not write (SELECT … INTO writes files or variables)";
    default:
      return own(SHAPES, kind) ?? own(EXPRESSION_PARTS, kind) ?? notAllowed(kind, node, "type");
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
    distinct: oneOf(null, "DISTINCT"),
    columns: many("columnItem"),
    into: one("into"),
    from: many("fromItem"),
    where: one("expr"),
    groupby: one("groupBy"),
    having: one("expr"),
    orderby: many("orderItem"),
    limit: one("limit"),
    locking_read: (value) => value == null ? undefined : "must not lock rows",
    window: (value) => value == null ? undefined : "named windows are not allowed",
    collate: absent,
    _next: one("select"),
    set_op: oneOf("union", "union all", "union distinct"),
    parentheses_symbol: flag,
  },
  check: (node) =>
    Array.isArray(node.columns) && node.columns.length > 0
      ? undefined
      : "must select at least one column",
};

const joinKind: Field = (value) =>
  value == null || ALLOWED_JOINS.has(String(value)) ? undefined : `${value} is not allowed`;

const TABLE_FROM_ITEM: Shape = {
  fields: {
    db: text,
    table: text,
    as: text,
    join: joinKind,
    on: one("expr"),
    using: many("usingName"),
  },
  check: relationRefusal,
};

const SUBQUERY_FROM_ITEM: Shape = {
  fields: {
    expr: one("subquery"),
    as: text,
    join: joinKind,
    on: one("expr"),
    using: many("usingName"),
  },
  check: (node) => node.as == null ? "a derived table needs an alias" : undefined,
};

const DUAL: Shape = { fields: { type: oneOf("dual") } };

function fromItemShape(node: Node): Shape | string {
  if (node.type === "dual") return DUAL;
  if (node.type !== undefined) return `reading from ${String(node.type)} is not allowed`;
  if ("table" in node) return TABLE_FROM_ITEM;
  const expr = node.expr as Node | undefined;
  if (expr !== null && typeof expr === "object" && "ast" in expr) return SUBQUERY_FROM_ITEM;
  return "uses SQL the MySQL/MariaDB guard does not allow in FROM";
}

/** Relations in system schemas are refused; `dataset_only` allows the dataset and CTEs. */
function relationRefusal(node: Node, walk: Walk, step: TreeStep): string | undefined {
  const parts = [node.db, node.table].filter((part): part is string => typeof part === "string")
    .map((part) => walk.realName(part));
  if (parts.length === 0 || parts.includes("*")) return "uses a relation the guard cannot read";
  const written = parts.join(".");
  if (parts.some((part) => SYSTEM_SCHEMAS.has(part.toLowerCase()))) {
    return `may not read system schemas (${written})`;
  }
  if (walk.scope.relations !== "dataset_only") return undefined;
  // Exact matches only: table names are case-sensitive on most servers.
  const name = parts[0];
  if (parts.length === 1 && (name === walk.scope.dataset || ctesInScope(step, walk).has(name))) {
    return undefined;
  }
  return `may read only the dataset, not ${written}`;
}

/**
 * The CTE names visible where `step` is: those of every enclosing WITH, up to and
 * including the first WITH whose CTE holds `step`, of which only the CTEs before it
 * (recursive CTEs are refused). MariaDB does not see outer CTEs inside a nested WITH's
 * CTE (it reads a table of that name instead), so neither does the guard.
 */
function ctesInScope(step: TreeStep, walk: Walk): Set<string> {
  const names = new Set<string>();
  let child: TreeStep = step;
  for (let above = step.parent; above !== undefined; child = above, above = above.parent) {
    const ctes = above.node.with;
    if (above.node.type !== "select" || !Array.isArray(ctes)) continue;
    const holder = ctes.indexOf(child.node);
    for (const cte of holder < 0 ? ctes : ctes.slice(0, holder)) {
      const value = ((cte as Node)?.name as Node | undefined)?.value;
      if (typeof value === "string") names.add(walk.realName(value));
    }
    if (holder >= 0) break;
  }
  return names;
}

const WHEN: Shape = {
  fields: { type: oneOf("when"), cond: one("expr"), result: one("expr") },
};

const ELSE: Shape = { fields: { type: oneOf("else"), result: one("expr") } };

/** An empty INTO: the parser always adds `into: { position: null }`. */
const INTO: Shape = { fields: { position: absent } };

const SHAPES: Readonly<Record<string, Shape>> = {
  subquery: SUBQUERY,
  columnItem: { fields: { expr: one("expr"), as: text, type: oneOf(null, "expr") } },
  cte: {
    fields: {
      name: one("cteName"),
      stmt: one("subquery"),
      columns: many("expr"),
      recursive: (value) => value ? "recursive CTEs are not allowed" : undefined,
    },
  },
  cteName: { fields: { type: oneOf("default", "backticks_quote_string"), value: text } },
  usingName: { fields: { type: oneOf("default", "backticks_quote_string"), value: text } },
  groupBy: {
    fields: {
      columns: many("expr"),
      // `[null]` without WITH ROLLUP.
      modifiers: (value) =>
        value == null || (Array.isArray(value) && value.every((item) => item === null))
          ? undefined
          : "WITH ROLLUP is not allowed",
    },
  },
  orderItem: {
    fields: { expr: one("expr"), type: oneOf(null, "ASC", "DESC") },
  },
  limit: { fields: { seperator: oneOf("", ",", "offset"), value: many("limitValue") } },
  limitValue: {
    fields: {
      type: oneOf("number"),
      value: (value) => Number.isInteger(value) ? undefined : "",
    },
  },
  loc: { fields: { start: one("point"), end: one("point") } },
  point: {
    fields: {
      offset: (value) => Number.isInteger(value) ? undefined : "",
      line: (value) => Number.isInteger(value) ? undefined : "",
      column: (value) => Number.isInteger(value) ? undefined : "",
    },
  },
};
