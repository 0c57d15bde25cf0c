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
import type { TreeStep, UserSqlScope } from "../../sql/user_sql.ts";
import { ALLOWED_JOINS, SYSTEM_SCHEMAS } from "./guard_allowed.ts";
import { EXPRESSION_PARTS, expressionShape, FRAME_SHAPES } from "./guard_tree_expr.ts";
import { GUARD, type Kind, type Node, type Shape, type Walk } from "./guard_tree_fields.ts";
import { absent, flag, many, one, oneOf, own, text } from "../../sql/guard_kit.ts";
import {
  caseArmShape,
  intoShape,
  joinKindField,
  LOCATION,
  notAllowed,
  ShapeWalk,
  statementType,
  SUBQUERY,
  walkTree,
} from "../../sql/guard_walk.ts";

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
  return walkTree(ast, new TreeWalk(scope, names, stringsSeen), "select");
}

class TreeWalk extends ShapeWalk<Kind> implements Walk {
  constructor(
    readonly scope: UserSqlScope,
    readonly names: ReadonlyMap<string, string>,
    readonly stringsSeen: string[],
  ) {
    super(GUARD);
  }

  protected shapeOf(kind: Kind, node: Node): Shape | string {
    return shapeOf(kind, node);
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
      return own(FRAME_SHAPES, node.type) ?? notAllowed(GUARD, kind, node, "type");
    case "caseArm":
      return caseArmShape(GUARD, node);
    case "into":
      return intoShape(node, "must not write (SELECT … INTO writes files or variables)");
    default:
      return own(SHAPES, kind) ?? own(EXPRESSION_PARTS, kind) ??
        notAllowed(GUARD, kind, node, "type");
  }
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

const joinKind = joinKindField(ALLOWED_JOINS);

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
  return `uses SQL ${GUARD} does not allow in FROM`;
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
  loc: LOCATION,
  point: {
    fields: {
      offset: (value) => Number.isInteger(value) ? undefined : "",
      line: (value) => Number.isInteger(value) ? undefined : "",
      column: (value) => Number.isInteger(value) ? undefined : "",
    },
  },
};
