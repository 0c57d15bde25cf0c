/**
 * Every measure kind the engine knows, by kind. The type demands one module per
 * `Measure` variant: a new kind in rules/define.ts does not compile until its module is
 * registered here, so no kind can be dropped silently.
 * @module
 */
import type { Measure } from "../../rules/define.ts";
import { aggregate } from "./aggregate.ts";
import { columnType } from "./column_type.ts";
import { duplicates } from "./duplicates.ts";
import { max } from "./max.ts";
import type { MeasureModule } from "./measure_module.ts";
import { rowCount } from "./row_count.ts";
import { schema } from "./schema.ts";
import { references } from "./references.ts";
import { sqlQuery } from "./sql_query.ts";
import { violations } from "./violations.ts";

type Modules = { readonly [K in Measure["kind"]]: MeasureModule<Extract<Measure, { kind: K }>> };

const MODULES: Modules = {
  violations,
  duplicates,
  row_count: rowCount,
  column_type: columnType,
  schema,
  sql_query: sqlQuery,
  max,
  references,
  aggregate,
};

/** The module measuring `measure`'s kind. */
export function measureModule<M extends Measure>(measure: M): MeasureModule<M> {
  return MODULES[measure.kind] as unknown as MeasureModule<M>;
}
