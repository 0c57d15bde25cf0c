/**
 * The Kontracts the suite runs: the benchmark Kontract (bench/users.yml), the first 1, 5,
 * 10 and 20 rules of one ordered list (each a superset of the one before), and one that
 * metadata answers alone.
 * @module
 */
import { stringify } from "yaml";

type Rule = { name: string; id?: string; params: Record<string, unknown> };

/** Twenty rules over the users dataset, the heavy ones within the first ten. */
export const RULES: Rule[] = [
  { name: "regex", params: { column: "email", pattern: "^[^@\\s]+@[^@\\s]+\\.[a-z]+$" } },
  { name: "allowed_values", params: { column: "country", values: ["US", "DE", "FR", "JP", "BR"] } },
  { name: "not_null", params: { column: "email" } },
  { name: "unique", params: { column: "user_id" } },
  { name: "min_rows", params: { threshold: 1000 } },
  // 10
  { name: "unique", params: { column: "email" } },
  { name: "regex", params: { column: "name", pattern: "^User [0-9]+$" } },
  { name: "allowed_values", params: { column: "status", values: ["active", "inactive"] } },
  { name: "dtype", params: { column: "score", type: "float" } },
  {
    name: "custom_sql_check",
    id: "sql_age",
    params: { sql: "SELECT * FROM {table} WHERE age < 18 OR age > 120" },
  },
  // 20
  { name: "not_null", params: { column: "user_id" } },
  { name: "not_null", params: { column: "age" } },
  { name: "max_rows", params: { threshold: 1_000_000_000 } },
  { name: "allowed_values", params: { column: "is_active", values: [true, false] } },
  { name: "regex", params: { column: "country", pattern: "^[A-Z]{2}$" } },
  { name: "not_null", params: { column: "signup_date" } },
  { name: "dtype", params: { column: "user_id", type: "int" } },
  { name: "regex", params: { column: "status", pattern: "^[a-z]+$" } },
  { name: "not_null", params: { column: "name" } },
  {
    name: "custom_sql_check",
    id: "sql_score",
    params: { sql: "SELECT * FROM {table} WHERE score < 0 OR score > 100" },
  },
];

/** Rules metadata answers: footer statistics and the schema. */
export const METADATA_RULES: Rule[] = [
  { name: "not_null", params: { column: "user_id" } },
  { name: "not_null", params: { column: "email" } },
  { name: "min_rows", params: { threshold: 1000 } },
  { name: "max_rows", params: { threshold: 1_000_000_000 } },
  { name: "dtype", params: { column: "email", type: "string" } },
  { name: "dtype", params: { column: "score", type: "float" } },
];

/** Writes the Kontracts into `dir`; returns their paths by name. */
export async function writeKontracts(
  dir: string,
  ruleCounts: number[],
): Promise<{ byCount: Map<number, string>; metadata: string; bench: string }> {
  const byCount = new Map<number, string>();
  for (const count of ruleCounts) {
    const path = `${dir}/rules_${count}.yml`;
    await Deno.writeTextFile(
      path,
      stringify({ name: `rules_${count}`, rules: RULES.slice(0, count) }),
    );
    byCount.set(count, path);
  }
  const metadata = `${dir}/metadata.yml`;
  await Deno.writeTextFile(metadata, stringify({ name: "metadata_only", rules: METADATA_RULES }));
  return { byCount, metadata, bench: new URL("./users.yml", import.meta.url).pathname };
}

/** The seven PostgreSQL pushdown rules (bench/postgres.ts, bench/pushdown.ts). */
export const POSTGRES_RULES: Rule[] = [
  { name: "not_null", params: { column: "email" } },
  { name: "unique", params: { column: "user_id" } },
  { name: "allowed_values", params: { column: "country", values: ["US", "DE", "FR", "GB"] } },
  { name: "regex", params: { column: "email", pattern: "^[a-z0-9]+@example\\.com$" } },
  { name: "allowed_values", params: { column: "status", values: ["active", "inactive"] } },
  { name: "not_null", params: { column: "age" } },
  { name: "min_rows", params: { threshold: 1000 } },
];
