/**
 * Which column types a rule can check, for `RuleDefinition.columnTypeProblem`: the
 * answers are the same on every tier, so a Kontract that works on a Parquet file does
 * not break on the same table in a database.
 * @module
 */
import type { ColumnInfo } from "../core/dataset.ts";
import { type DtypeFamily, familyOf, isStoredText } from "../core/dtypes.ts";

// Values that hold other values, bytes, and durations (Polars cannot cast them to text,
// and its streaming engine panics trying): no single text form, no single literal.
const NOT_SCALAR: Partial<Record<DtypeFamily, string>> = {
  nested: "made of other values",
  binary: "bytes, with no text form",
  duration: "durations, with no text form Polars can compare",
};

/** True when the column already holds text (no cast needed to match it). */
export function isTextType(dtype: string): boolean {
  return isStoredText(dtype);
}

/**
 * Why `rule` cannot read a value of this column as one text or one scalar (lists,
 * arrays, structs, binary, durations), or undefined when it can.
 */
export function scalarValueProblem(rule: string, column: ColumnInfo): string | undefined {
  const family = familyOf(column.dtype);
  const why = family === undefined ? undefined : NOT_SCALAR[family];
  if (why === undefined) return undefined;
  return `${rule} cannot check column "${column.name}" of type ${column.dtype}: ` +
    `it checks single values, and ${column.dtype} values are ${why}`;
}
