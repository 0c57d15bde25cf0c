/**
 * Every rule with an expected failed_count on `peopleFrame()`, shared by the tests
 * that prove all sources and tiers agree.
 * @module
 */

/** [rule, params, expected failed_count] on `peopleFrame()`, for every source. */
export const RULE_CASES: [string, Record<string, unknown>, number][] = [
  ["not_null", { column: "email" }, 2],
  ["not_null", { column: "country" }, 1],
  ["not_null", { column: "age" }, 2],
  ["not_null", { column: "id" }, 0],
  ["unique", { column: "email" }, 2], // a@x.io three times; "" counts as a value
  ["unique", { column: "id" }, 0],
  ["unique", { column: "age" }, 4],
  ["unique", { column: "score" }, 2],
  ["unique", { column: "country" }, 3], // "de" and "DE" differ
  ["allowed_values", { column: "country", values: ["US", "DE", "FR"] }, 3],
  ["allowed_values", { column: "age", values: [20, 30] }, 2],
  ["allowed_values", { column: "age", values: ["20", 30, "abc"] }, 2],
  ["allowed_values", { column: "active", values: [true] }, 2],
  ["allowed_values", { column: "score", values: [1.5, 2.5] }, 5],
  ["allowed_values", { column: "email", values: [] }, 8],
  ["regex", { column: "email", pattern: "@" }, 2],
  ["regex", { column: "email", pattern: "^[a-z]+@" }, 3],
  ["regex", { column: "country", pattern: "本" }, 8],
  ["regex", { column: "country", pattern: "^\\p{Han}+$" }, 8],
  ["dtype", { column: "id", type: "int" }, 0],
  ["dtype", { column: "id", type: "string" }, 10],
  ["dtype", { column: "email", type: "utf8" }, 0],
  ["dtype", { column: "score", type: "numeric" }, 0],
  ["dtype", { column: "score", type: "float64" }, 0],
  ["dtype", { column: "active", type: "boolean" }, 0],
  ["min_rows", { threshold: 5 }, 0],
  ["min_rows", { threshold: 15 }, 5],
  ["max_rows", { threshold: 8 }, 2],
  ["max_rows", { threshold: 10 }, 0],
  ["custom_sql_check", { sql: "SELECT * FROM {table} WHERE age > 50" }, 1],
  ["custom_sql_check", { sql: "SELECT email FROM {table} GROUP BY email HAVING count(*) > 1" }, 2],
  ["not_null", { column: "no_such_column" }, 10],
];

/** A Kontract object with every case as a rule (ids r0, r1, …). */
export function kontractOf(
  cases: typeof RULE_CASES,
  datasource: string,
): Record<string, unknown> {
  return {
    name: "people",
    datasource,
    rules: cases.map(([name, params], index) => ({ name, params, id: `r${index}` })),
  };
}

/** The [rule, column, expected count] triples of the cases, to compare with results. */
export function expectedCounts(cases: typeof RULE_CASES): [string, string, number][] {
  return cases.map(([rule, params, count]) => [rule, String(params.column ?? ""), count]);
}
