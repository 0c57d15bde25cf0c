/** The checked-in JSON schema is generated from the zod model and validates real output. */
import Ajv2020 from "ajv/dist/2020.js";
import { assert, assertEquals } from "../support/assert.ts";
import { resultJsonSchema } from "../../src/report/json_schema.ts";
import { validate } from "../../mod.ts";
import { renderJson } from "../../src/report/json.ts";

const SCHEMA_FILE = new URL("../../schema/result-1.0.json", import.meta.url);

Deno.test("schema/result-1.0.json is what the zod model generates (run `deno task schema`)", async () => {
  assertEquals(await Deno.readTextFile(SCHEMA_FILE), resultJsonSchema());
});

Deno.test("the example's JSON, with and without timings, is valid against the schema", async () => {
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false });
  const check = ajv.compile(JSON.parse(await Deno.readTextFile(SCHEMA_FILE)));
  for (const timings of [false, true]) {
    const result = await validate("examples/users.yml", { timings });
    const document = JSON.parse(result.toJsonText());
    assert.ok(check(document), JSON.stringify(check.errors));
  }
  assert.ok(!check({ schema_version: "1.0" }), "an incomplete document is rejected");
});

Deno.test("JSON keys come in schema order and free-form context keys are sorted", async () => {
  const result = await validate({
    name: "order",
    datasource: "examples/users.parquet",
    rules: [{ name: "min_rows", params: { threshold: 1 }, context: { z: 1, a: { y: 2, b: 3 } } }],
  });
  const text = renderJson(result.document);
  assertEquals(Object.keys(JSON.parse(text)), [
    "schema_version",
    "kontract",
    "dataset",
    "passed",
    "summary",
    "results",
  ]);
  assert.ok(text.indexOf('"a"') < text.indexOf('"z"'));
  assert.ok(text.indexOf('"b"') < text.indexOf('"y"'));
});
