/**
 * The vocabulary of the MySQL/MariaDB guard's tree walk (guard_tree.ts): the kinds of
 * object a parent may claim a child as, the shape each kind must have (which keys, and
 * what each may hold), and the field checks shapes are built from. A field answers
 * undefined (allowed), a reason, or "" (refused: the walk names the key).
 * @module
 */
import type { TreeStep, UserSqlScope } from "../../sql/user_sql.ts";

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
export type Field = (value: unknown, walk: Walk) => string | undefined;

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

/** `record[key]` when it is the record's own entry (never Object.prototype's). */
export function own<T>(record: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === "string" && Object.hasOwn(record, key) ? record[key] : undefined;
}

export const absent: Field = (value) => value === null || value === undefined ? undefined : "";
export const text: Field = (value) => value == null || typeof value === "string" ? undefined : "";
export const flag: Field = (value) => value == null || typeof value === "boolean" ? undefined : "";
export const integer: Field = (value) => value == null || Number.isInteger(value) ? undefined : "";
export const strings: Field = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? undefined : "";
export const oneOf = (...allowed: unknown[]): Field => (value) =>
  allowed.includes(value ?? null) ? undefined : "";
export const one = (kind: Kind): Field => (value, walk) =>
  value === null || value === undefined ? undefined : walk.claim(value, kind);
export const many = (kind: Kind): Field => (value, walk) => {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) return "";
  for (const item of value) {
    const reason = walk.claim(item, kind);
    if (reason !== undefined) return reason;
  }
  return undefined;
};

/** Keys any object may carry: positions and parentheses. */
export const COMMON_FIELDS: Readonly<Record<string, Field>> = {
  loc: one("loc"),
  parentheses: flag,
};
