/**
 * The allow-list walk the guards without an engine parser (Snowflake, MySQL/MariaDB) run
 * over node-sql-parser's tree, and the shapes both guards allow alike. Every object in the
 * tree must be claimed by its parent as one kind of node (`select`, `expr`, …), and each
 * kind has a shape: the keys it may have, what each may hold, and what else must hold for
 * it. Anything else is refused. Each guard keeps its own kinds, shapes and allow-lists;
 * only what is the same logic in both lives here.
 * @module
 */
import { findInTree, functionNotAllowed, type TreeStep } from "./user_sql.ts";
import {
  absent,
  type Claims,
  type FieldCheck,
  flag,
  many,
  one,
  oneOf,
  own,
  strings,
} from "./guard_kit.ts";

/** An object of node-sql-parser's tree. */
export type Node = Record<string, unknown>;

/** What a kind of object may hold, and what else must hold for it. */
export interface Shape<W> {
  /** The keys the object may have, and what each may hold. */
  readonly fields: Readonly<Record<string, FieldCheck<W>>>;
  /** A check on the whole object, once its fields are allowed. */
  readonly check?: (node: Node, walk: W, step: TreeStep) => string | undefined;
}

/** Keys any object may carry: positions and parentheses (so every walk has the kind `loc`). */
const COMMON_FIELDS: Readonly<Record<string, FieldCheck<Claims<"loc">>>> = {
  loc: one("loc"),
  parentheses: flag,
};

/**
 * The walk over one tree: remembers which kind each object was claimed as, and checks each
 * object against its kind's shape. `guard` names the guard in refusals ("the Snowflake
 * guard").
 */
export abstract class ShapeWalk<K extends string> implements Claims<K | "loc"> {
  /** The kind each object was claimed as. */
  readonly kinds: Map<object, K | "loc"> = new Map();

  /** `guard` names the guard in refusals: "the Snowflake guard". */
  constructor(readonly guard: string) {}

  /** The shape a node of `kind` must have, or why it is refused. */
  protected abstract shapeOf(kind: K | "loc", node: Node): Shape<this> | string;

  /** Marks `value` (an object) as a `kind`: its parent expects it there. */
  claim(value: unknown, kind: K | "loc"): string | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return `the SQL parser produced an unexpected ${kind}`;
    }
    const previous = this.kinds.get(value);
    if (previous !== undefined && previous !== kind) return "the SQL parse tree is ambiguous";
    this.kinds.set(value, kind);
    return undefined;
  }

  /** Why the object at `step` is refused: unclaimed, or not of its kind's shape. */
  visit(step: TreeStep): string | undefined {
    const node = step.node;
    const kind = this.kinds.get(node);
    if (kind === undefined) return `uses SQL ${this.guard} does not know`;
    const shape = this.shapeOf(kind, node);
    if (typeof shape === "string") return shape;
    for (const [key, value] of Object.entries(node)) {
      const field: FieldCheck<this> | undefined = own(shape.fields, key) ?? own(COMMON_FIELDS, key);
      if (field === undefined) return notAllowed(this.guard, kind, node, key);
      const reason = field(value, this);
      if (reason !== undefined) {
        return reason === "" ? notAllowed(this.guard, kind, node, key) : reason;
      }
    }
    return shape.check?.(node, this, step);
  }
}

/**
 * Why the parse `ast` is refused, or undefined: it must be one statement, claimed as
 * `rootKind`, and every object in it must pass `walk`.
 */
export function walkTree<K extends string>(
  ast: unknown,
  walk: Claims<K> & Pick<ShapeWalk<K>, "visit">,
  rootKind: K,
): string | undefined {
  const root = Array.isArray(ast) && ast.length === 1 ? ast[0] : ast;
  if (Array.isArray(root)) return "must be exactly one statement";
  const claimed = walk.claim(root, rootKind);
  if (claimed !== undefined) return claimed;
  return findInTree(root, (step) => walk.visit(step));
}

/** `… does not allow (type.key)` for a key (or type) the kind does not know. */
export function notAllowed(guard: string, kind: string, node: Node, key: string): string {
  const type = typeof node.type === "string" ? node.type : kind;
  return `uses SQL ${guard} does not allow (${type}.${key})`;
}

/** The statement type of a node that is not a SELECT, for `must be a SELECT, not …`. */
export function statementType(node: Node): string {
  return typeof node.type === "string" ? node.type.toUpperCase() : "a statement";
}

// --- shapes both guards allow alike ---------------------------------------------------------

/** `(SELECT …)` wherever an expression or a derived table may be. */
export const SUBQUERY: Shape<Claims<"select">> = {
  fields: { tableList: strings, columnList: strings, ast: one("select") },
};

/** `WHEN cond THEN result` of a CASE. */
const WHEN: Shape<Claims<"expr">> = {
  fields: { type: oneOf("when"), cond: one("expr"), result: one("expr") },
};

/** `ELSE result` of a CASE. */
const ELSE: Shape<Claims<"expr">> = { fields: { type: oneOf("else"), result: one("expr") } };

/** The shape of an arm of a CASE (WHEN or ELSE), or why it is refused. */
export function caseArmShape(guard: string, node: Node): Shape<Claims<"expr">> | string {
  return node.type === "when"
    ? WHEN
    : node.type === "else"
    ? ELSE
    : notAllowed(guard, "caseArm", node, "type");
}

/** An empty INTO: the parser always adds `into: { position: null }`. */
const INTO: Shape<unknown> = { fields: { position: absent } };

/** The shape of a SELECT's `into`: allowed only empty; `refusal` says why any other is not. */
export function intoShape(node: Node, refusal: string): Shape<unknown> | string {
  return Object.keys(node).every((key) => key === "position") && node.position == null
    ? INTO
    : refusal;
}

/** Where a node is in the SQL text. */
export const LOCATION: Shape<Claims<"point">> = {
  fields: { start: one("point"), end: one("point") },
};

/** `ESCAPE '!'` of a LIKE. */
export const LIKE_ESCAPE: Shape<Claims<"expr">> = {
  fields: { type: oneOf("ESCAPE"), value: one("expr") },
};

/** A possibly qualified function name: the walk's function check refuses qualified ones. */
export const FUNCTION_NAME: Shape<Claims<"namePart">> = {
  fields: { name: many("namePart"), schema: one("namePart") },
};

/** The arguments of an aggregate: `DISTINCT x ORDER BY y SEPARATOR …`. */
export const AGGREGATE_ARGS: Shape<Claims<"expr" | "orderItem" | "separator">> = {
  fields: {
    expr: one("expr"),
    distinct: oneOf(null, "DISTINCT"),
    orderby: many("orderItem"),
    separator: one("separator"),
  },
};

/** `OVER (…)` holds its window specification in this wrapper. */
export const WINDOW_AS: Shape<Claims<"windowSpec">> = {
  fields: { window_specification: one("windowSpec") },
};

/** `PARTITION BY … ORDER BY … <frame>`; named windows are refused. */
export const WINDOW_SPEC: Shape<Claims<"columnItem" | "orderItem" | "frame">> = {
  fields: {
    name: absent,
    partitionby: many("columnItem"),
    orderby: many("orderItem"),
    window_frame_clause: one("frame"),
  },
};

/**
 * The frame shapes both guards allow: `ROWS <frame>`, `BETWEEN a AND b`, and lists.
 * Each guard adds its own bounds (and any other frame type it allows).
 */
export const COMMON_FRAME_SHAPES: Readonly<Record<string, Shape<Claims<"frame">>>> = {
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
};

// --- checks both guards make alike -----------------------------------------------------------

/** A check that the node's operator is on the `allowed` list. */
export function operatorCheck(allowed: ReadonlySet<string>): (node: Node) => string | undefined {
  return (node) =>
    allowed.has(String(node.operator)) ? undefined : `the operator ${node.operator} is not allowed`;
}

/** A field check that a join kind, if any, is on the `allowed` list. */
export function joinKindField(allowed: ReadonlySet<string>): FieldCheck<unknown> {
  return (value) =>
    value == null || allowed.has(String(value)) ? undefined : `${value} is not allowed`;
}

/** The parser reads `= ANY (SELECT …)`, `EXISTS (SELECT …)` as functions of a subquery. */
export function subqueryOperatorRefusal(node: Node, name: string): string | undefined {
  const args = (node.args as Node | undefined)?.value;
  const only = Array.isArray(args) && args.length === 1 ? args[0] as Node : undefined;
  const isSubquery = only !== null && typeof only === "object" && "ast" in only;
  return isSubquery && node.over == null ? undefined : functionNotAllowed(name);
}
