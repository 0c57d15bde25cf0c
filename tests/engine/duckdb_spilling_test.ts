/**
 * The private DuckDB of the engine's counting passes (src/engine/duckdb_spilling.ts):
 * a statement past its deadline is interrupted and named, and the instance reads only
 * the files it was given, whatever path or function a statement tries.
 */
import { DataSourceError } from "../../mod.ts";
import { withSpillingDuckdb } from "../../src/engine/duckdb_spilling.ts";
import { assert, assertEquals, assertRejectsWith } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";

Deno.test("a counting pass past its deadline is interrupted: a one-line error naming the pass", async () => {
  const started = performance.now();
  await assertRejectsWith(
    withSpillingDuckdb(
      { allowedPaths: [], timeoutS: 0.2, pass: "duplicates count" },
      (run) => run("SELECT COUNT(DISTINCT range % 1000003) FROM range(100000000000)"),
    ),
    DataSourceError,
    /^duplicates count failed: timed out after 0\.2 s \(raise KONTRA_SQL_TIMEOUT/,
    3,
  );
  assert.ok(performance.now() - started < 30_000, "interrupted, not run to the end");
});

Deno.test("a counting pass reads only the files it is given", async () => {
  await using dir = await tempDir();
  const allowed = `${dir.path}/allowed.csv`;
  const other = `${dir.path}/other.csv`;
  await Deno.writeTextFile(allowed, "a\n1\n2\n");
  await Deno.writeTextFile(other, "a\n3\n");
  const rows = await withSpillingDuckdb(
    { allowedPaths: [allowed], pass: "test" },
    (run) => run(`SELECT SUM(a) FROM read_csv('${allowed}')`),
  );
  assertEquals(Number(rows[0][0]), 3);
  for (
    const sql of [
      `SELECT * FROM read_csv('${other}')`,
      `SELECT * FROM read_text('/etc/passwd')`,
      `COPY (SELECT 1) TO '${dir.path}/out.csv'`,
      `SET enable_external_access = true`,
      `INSTALL httpfs`,
    ]
  ) {
    await assertRejectsWith(
      withSpillingDuckdb({ allowedPaths: [allowed], pass: "test" }, (run) => run(sql)),
      DataSourceError,
      /^test failed: /,
      3,
    );
  }
});
