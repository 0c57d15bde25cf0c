/**
 * The vocabulary of the MySQL/MariaDB guard's tree walk (guard_tree.ts): the kinds of
 * object a parent may claim a child as, and what the walk offers the shapes of each kind
 * (the walk itself and the shape type are shared with the Snowflake guard:
 * src/sql/guard_walk.ts). A field answers undefined (allowed), a reason, or "" (refused:
 * the walk names the key).
 * @module
 */
import type { UserSqlScope } from "../../sql/user_sql.ts";
import type { FieldCheck } from "../../sql/guard_kit.ts";
import type { Shape as ShapeOf } from "../../sql/guard_walk.ts";

export type { Node } from "../../sql/guard_walk.ts";

/** How this guard names itself in refusals. */
export const GUARD = "the MySQL/MariaDB guard";

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
  /** Which relations the SQL may read. */
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
export type Shape = ShapeOf<Walk>;
