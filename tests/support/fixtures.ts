/**
 * Small datasets whose every count is known by construction, written as Parquet
 * and CSV into a temporary directory; the temporary directory and the files tests write.
 * @module
 */
import { dirname, join } from "node:path";
import pl, { type DataFrame } from "nodejs-polars";

/** A temporary directory removed by `using`. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "kontra-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Runs `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  await using dir = await tempDir();
  await body(dir.path);
}

/** Writes `text` to `dir/name` (creating sub-directories) and returns the path. */
export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
  return path;
}

/**
 * Five users, ids 1 to 5, followed by `columns`. By construction: email has 1 NULL and
 * 1 duplicate ("a@x.io" twice); 2 ids are above 3.
 */
export function fiveUsers(columns: Record<string, unknown[]> = {}): DataFrame {
  return pl.DataFrame({
    id: pl.Series("id", [1, 2, 3, 4, 5], pl.Int64),
    email: ["a@x.io", "b@x.io", null, "a@x.io", "c@x.io"],
    ...columns,
  });
}

/**
 * Ten rows covering NULLs, empty strings, duplicates and unicode. Expected counts are
 * written next to the rules in the tests that use it.
 */
export function peopleFrame(): DataFrame {
  return pl.DataFrame({
    id: pl.Series("id", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pl.Int64),
    email: [
      "a@x.io",
      "b@x.io",
      null,
      "",
      "a@x.io",
      "ünï@x.io",
      null,
      "bad",
      "a@x.io",
      "c@x.io",
    ],
    country: ["US", "DE", null, "US", "FR", "日本", "US", "de", "DE", ""],
    // Cast after building: nodejs-polars turns NULL into 0 when a dtype is given up front.
    age: pl.Series("age", [20, 30, null, 40, 20, 30, 20, null, 99, 30]).cast(pl.Int32),
    score: pl.Series("score", [1.5, 2.5, 1.5, null, 0, -1, 2.5, 3, 4, 5], pl.Float64),
    active: [true, false, true, null, true, true, false, true, true, true],
  });
}

/** Writes `frame` as `<dir>/<name>.parquet` and `.csv`; returns both paths. */
export function writeBoth(
  frame: DataFrame,
  dir: string,
  name: string,
): { parquet: string; csv: string } {
  const parquet = `${dir}/${name}.parquet`;
  const csv = `${dir}/${name}.csv`;
  frame.writeParquet(parquet);
  frame.writeCSV(csv);
  return { parquet, csv };
}

/** Runs `body` with these variables set in the process environment, restored afterwards. */
export async function withEnv(
  vars: Record<string, string>,
  body: () => Promise<void>,
): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, Deno.env.get(key)]));
  for (const [key, value] of Object.entries(vars)) Deno.env.set(key, value);
  try {
    await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
  }
}
