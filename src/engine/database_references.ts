/**
 * `references` of a database table against files: the one pass that takes data out of
 * a database. The column's distinct non-null values (of the rows `when:` selects) and
 * how many rows hold each are streamed ONCE through a cursor into private local
 * Parquet files (engine/references.ts), then ONE hash anti-join in DuckDB against the
 * reference's column sums the rows of the values it lacks. Run after the pushed-down
 * statement, one pass per such rule; a failure fails only its rule.
 * @module
 */
import type { SqlAccess } from "../sql/sql_access.ts";
import { countMissingReferences } from "./duckdb_references.ts";
import { passesOfKind, type Plan } from "./plan_model.ts";
import { ROWS_COLUMN, streamDistinctValues } from "./references.ts";
import { failureReason, type RuleErrors } from "./rule_failure.ts";

/** The counts of the plan's `references` passes over a database dataset. */
export async function measureStreamedReferences(
  plan: Plan,
  access: SqlAccess,
): Promise<{ counts: Map<string, number>; errors: RuleErrors; passes: number }> {
  const counts = new Map<string, number>();
  const errors: RuleErrors = new Map();
  let passes = 0;
  for (const { rule, column, input } of passesOfKind(plan, "references")) {
    const { measure, instance } = rule;
    if (input !== "database" || measure.kind !== "references") continue;
    const reference = measure.reference;
    try {
      if (!reference?.table) throw new Error("its reference was not resolved");
      const where = measure.where;
      const data = await streamDistinctValues(access, column, {
        counted: true,
        ...(where ? { where } : {}),
      });
      try {
        const target = await reference.table();
        try {
          counts.set(
            instance.id,
            await countMissingReferences({
              data,
              column: column.name,
              reference: target,
              referenceColumn: reference.column.name,
              weight: ROWS_COLUMN,
            }),
          );
        } finally {
          await target.release();
        }
      } finally {
        await data.release();
      }
      passes += 1;
    } catch (error) {
      errors.set(instance.id, failureReason(error));
    }
  }
  return { counts, errors, passes };
}
