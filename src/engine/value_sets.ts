/**
 * Membership in long lists of values (`allowed_values` of 10,000 product ids) for the scan
 * tier: each list is ONE hash join of the rows with a small in-memory frame of the values,
 * so the single pass keeps its shape and its memory bound, whatever the list's length.
 * (Lists of text that one regex automaton can hold need no join: see rules/literals.ts.)
 *
 * Measured in nodejs-polars 0.25.2 (streaming engine, 100M rows, next to other
 * aggregates in one query): a chain of `==` grows the plan with the square of the list
 * (1,000 values: 52 s on 10 rows); `isIn` (a Series, a typed or an imploded literal) and
 * `replaceStrict` to a boolean split the scan into branches that the engine re-zips,
 * buffering the rows (peak 10.6 GB and 14.5 GB, against 0.87 GB for 5 `==`); the same
 * `isIn` in a `withColumns` stage of its own too (3.8 GB); a left join streams the rows
 * past a hash table of the values (0.45 GB, 10,000 values as fast as 5). nodejs-polars
 * has no `searchSorted` expression and no Enum type to cast to.
 *
 * A rule asks for it with `ViolationsMeasure.valueSets`; its predicate then tests the
 * column the join adds (`pl.col(set.name).isNotNull()`: the row's value is in the set).
 * @module
 */
import pl, { type LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import type { Measure, ValueSet } from "../rules/define.ts";
import type { ColumnInfo } from "../core/dataset.ts";

/** The value sets a rule's predicate needs, none for measures without any. */
export function valueSetsOf(measure: Measure, column: ColumnInfo | undefined): ValueSet[] {
  return measure.kind === "violations" && column ? measure.valueSets?.(column) ?? [] : [];
}

/**
 * `rows` with each set's column added by a left join: true where the set holds the row's
 * key, NULL elsewhere; the rows, their number and (with `keepOrder`) their order are kept.
 */
export function joinValueSets(
  rows: LazyDataFrame,
  sets: readonly ValueSet[],
  { keepOrder = false }: { keepOrder?: boolean } = {},
): LazyDataFrame {
  const distinct = new Map(sets.map((set) => [set.name, set]));
  let joined = rows;
  for (const { name, key, values } of distinct.values()) {
    // The key as a column of its own, joined with the values beside a `true` flag: only
    // the flag is gathered into the rows (measured: cheaper than keeping the matched
    // value). The values are distinct, so no row is repeated.
    const keyName = `${name}_key`;
    const flags = pl.Series(name, new Array<boolean>(values.length).fill(true), pl.Bool);
    joined = joined.withColumns(key.alias(keyName))
      .join(pl.DataFrame([values.alias(keyName), flags]).lazy(), {
        on: keyName,
        how: "left",
        maintainOrder: keepOrder ? "left" : "none",
      })
      .drop(keyName);
  }
  return joined;
}

/** The names of the columns the sets add, to drop before rows are written out. */
export function valueSetColumns(sets: readonly ValueSet[]): string[] {
  return [...new Set(sets.map((set) => set.name))];
}
