/**
 * The vocabulary of the MySQL/MariaDB guard's tree walk (guard_tree.ts): the kinds of
 * object a parent may claim a child as, the shape each kind must have (which keys, and
 * what each may hold), and the field checks shapes are built from. A field answers
 * undefined (allowed), a reason, or "" (refused: the walk names the key).
 * @module
 */
import type { TreeStep, UserSqlScope } from "../../sql/user_sql.ts";
import { type FieldCheck, flag, one } from "../../sql/guard_kit.ts";

/** An object of node-sql-parser's tree. */
export type Node = Record<string, unknown>;

/** What a parent expects a child object to be. */
export type Kind =
  | "select"
  | "subquery"
  | "cte"
  | "cteName"
  | "into"
  | "columnItem"
  | "fromItem"
  | "usingName"
  | "groupBy"
  | "orderItem"
  | "limit"
  | "limitValue"
  | "expr"
  | "quotedPart"
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

/** What the walk offers fields and shapes. */
export interface Walk {
  readonly scope: UserSqlScope;
  /** Marks `value` (an object) as a `kind`: its parent expects it there. */
  claim(value: unknown, kind: Kind): string | undefined;
  /** The real name behind a masked quoted name (`~3__` → `my table`), or the name itself. */
  realName(name: string): string;
  /** Records a string literal's value (a mask, `s4___`) as read by the parser. */
  sawString(value: unknown): string | undefined;
}

/** Checks one value of a key; may claim the objects it holds. */
export type Field = FieldCheck<Walk>;

/** What a kind of object may hold, and what else must hold for it. */
export interface Shape {
  readonly fields: Readonly<Record<string, Field>>;
  readonly check?: (node: Node, walk: Walk, step: TreeStep) => string | undefined;
}

/** `… is not allowed` for a key the kind does not know. */
export function notAllowed(kind: Kind, node: Node, key: string): string {
  const type = typeof node.type === "string" ? node.type : kind;
  return `uses SQL the MySQL/MariaDB guard does not allow (${type}.${key})`;
}

/** Keys any object may carry: positions and parentheses. */
export const COMMON_FIELDS: Readonly<Record<string, Field>> = {
  loc: one("loc"),
  parentheses: flag,
};
