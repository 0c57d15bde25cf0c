/**
 * Ten rows in two Parquet files (ids 1–5, 6–10) whose violations are known by
 * construction, and a Kontract with row-level and dataset-level rules over them.
 *
 * | id | email | country | violates                                       |
 * |----|-------|---------|------------------------------------------------|
 * | 1  | a     | US      | COL:email:unique                               |
 * | 2  | NULL  | XX      | COL:country:allowed_values, COL:email:not_null |
 * | 4  | a     | US      | COL:email:unique                               |
 * | 5  | x y   | US      | COL:email:regex                                |
 * | 6  | c     | ZZ      | COL:country:allowed_values                     |
 * | 7  | NULL  | US      | COL:email:not_null                             |
 * | 8  | d     | US      | DATASET:custom_sql_check (id = 8)              |
 * | 9  | a     | US      | COL:email:unique                               |
 *
 * `min_rows` (100) and `dtype` (id as string) fail too, but are dataset-level.
 * @module
 */
import { createHash } from "node:crypto";
import pl, { type DataFrame } from "nodejs-polars";

/** The ten rows. */
export function shopFrame(): DataFrame {
  return pl.DataFrame({
    id: pl.Series("id", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pl.Int64),
    email: ["a", null, "b", "a", "x y", "c", null, "d", "a", "e"],
    country: ["US", "XX", "US", "US", "US", "ZZ", "US", "US", "US", "US"],
  });
}

/** Writes the rows as `<dir>/part-0.<ext>` (ids 1–5) and `part-1` (6–10); returns `dir`. */
export async function writeShop(dir: string, format: "parquet" | "csv" = "parquet") {
  await Deno.mkdir(dir, { recursive: true });
  const frame = shopFrame();
  const halves = [frame.slice(0, 5), frame.slice(5, 5)];
  halves.forEach((half, index) => {
    const path = `${dir}/part-${index}.${format}`;
    if (format === "parquet") half.writeParquet(path);
    else half.writeCSV(path);
  });
  return dir;
}

/** The quarantined (id, rule) pairs, in the order they must appear. */
export const EXPECTED_ROWS: [number, string][] = [
  [1, "COL:email:unique"],
  [2, "COL:country:allowed_values"],
  [2, "COL:email:not_null"],
  [4, "COL:email:unique"],
  [5, "COL:email:regex"],
  [6, "COL:country:allowed_values"],
  [7, "COL:email:not_null"],
  [8, "DATASET:custom_sql_check"],
  [9, "COL:email:unique"],
];

/** The Kontract as an object; `actions` is added by the tests that want it. */
export function shopKontract(
  actions?: Record<string, unknown>,
  sql = "SELECT * FROM {table} WHERE id = 8",
): Record<string, unknown> {
  return {
    name: "shop",
    rules: [
      { name: "not_null", params: { column: "id" } },
      { name: "not_null", params: { column: "email" } },
      { name: "unique", params: { column: "email" }, severity: "warning" },
      { name: "regex", params: { column: "email", pattern: "^[a-z]+$" } },
      { name: "allowed_values", params: { column: "country", values: ["US"] } },
      { name: "min_rows", params: { threshold: 100 } },
      { name: "dtype", params: { column: "id", type: "string" } },
      { name: "custom_sql_check", params: { sql }, severity: "info" },
    ],
    ...(actions ? { actions } : {}),
  };
}

/** Files of a directory tree, relative, sorted. */
export async function listFiles(root: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${root}${prefix ? `/${prefix}` : ""}`)) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) found.push(...await listFiles(root, path));
    else found.push(path);
  }
  return found.sort();
}

/** Every file's SHA-256 under a directory, by relative path. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const path of await listFiles(root)) {
    const bytes = await Deno.readFile(`${root}/${path}`);
    files[path] = createHash("sha256").update(bytes).digest("hex");
  }
  return files;
}
