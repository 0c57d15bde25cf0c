/** docs/security.md lists exactly the functions each guard allows (`deno task doc:security`). */
import { assert, assertEquals } from "../support/assert.ts";
import { withAllowedFunctions } from "../../src/databases/allowed_functions_doc.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import { postgresDialect } from "../../src/databases/postgres/dialect.ts";
import { snowflakeDialect } from "../../src/databases/snowflake/dialect.ts";

const DOC = new URL("../../docs/security.md", import.meta.url);

Deno.test("docs/security.md lists the guards' allowed functions (run `deno task doc:security`)", async () => {
  // deno fmt re-wraps the lists: compare the words, not the line breaks.
  const words = (text: string) => text.split(/\s+/).join(" ");
  const text = await Deno.readTextFile(DOC);
  assertEquals(words(text), words(withAllowedFunctions(text)));
});

Deno.test("every engine allows the everyday functions and none of the dangerous ones", () => {
  for (const { guard } of [duckdb, postgresDialect, snowflakeDialect]) {
    const allowed = new Set(guard.allowedFunctions);
    for (const name of ["count", "sum", "lower", "upper", "row_number"]) {
      assert(allowed.has(name), `${guard.engine} allows ${name}`);
    }
    for (
      const name of ["pg_read_file", "query", "read_csv", "result_scan", "lo_export", "set_config"]
    ) {
      assert(!allowed.has(name), `${guard.engine} refuses ${name}`);
    }
    assertEquals([...guard.allowedFunctions].sort(), guard.allowedFunctions, "sorted for the docs");
  }
});

Deno.test("the generated part must sit between its markers", () => {
  let error: unknown;
  try {
    withAllowedFunctions("# no markers");
  } catch (caught) {
    error = caught;
  }
  assert(error instanceof Error && /markers/.test(error.message));
});
