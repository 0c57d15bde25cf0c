/**
 * `schema/kontract-1.0.json`: generated from the zod model, accepts the Kontracts that ship
 * with Kontra, and agrees with the loader on what is a valid Kontract.
 */
import Ajv2020 from "ajv/dist/2020.js";
import { parse } from "yaml";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { assert, assertEquals } from "../support/assert.ts";
import { kontractJsonSchema, PLACEHOLDER_PATTERN } from "../../src/kontract/json_schema.ts";
import { registeredRules } from "../../src/rules/registry.ts";
import { KontractError, loadKontract } from "../../mod.ts";

const SCHEMA_FILE = new URL("../../schema/kontract-1.0.json", import.meta.url);
const REPO = fromFileUrl(new URL("../../", import.meta.url));
/** Every Kontract checked into the repository. */
const KONTRACT_FILES = ["examples/users.yml", "bench/users.yml"];

async function compileSchema() {
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(await Deno.readTextFile(SCHEMA_FILE)));
}

Deno.test("schema/kontract-1.0.json is what the zod model generates (run `deno task schema`)", async () => {
  assertEquals(await Deno.readTextFile(SCHEMA_FILE), kontractJsonSchema());
});

Deno.test("the schema has one rules: variant per registered rule, told apart by name", async () => {
  const schema = JSON.parse(await Deno.readTextFile(SCHEMA_FILE));
  const variants = schema.properties.rules.items.oneOf as {
    properties: { name: { const: string } };
  }[];
  assertEquals(
    variants.map((variant) => variant.properties.name.const),
    registeredRules().map((rule) => rule.name),
  );
});

Deno.test("every Kontract in the repository validates and names the schema for editors", async () => {
  const check = await compileSchema();
  for (const file of KONTRACT_FILES) {
    const text = await Deno.readTextFile(join(REPO, file));
    assert.ok(check(parse(text)), `${file}: ${JSON.stringify(check.errors)}`);
    const modeline = text.split("\n")[0].match(/^# yaml-language-server: \$schema=(\S+)$/);
    assert.ok(modeline, `${file}: first line names the schema`);
    assertEquals(resolve(dirname(join(REPO, file)), modeline[1]), fromFileUrl(SCHEMA_FILE));
  }
});

/** A Kontract that uses every top-level field and most rule fields. */
const FULL = {
  name: "orders",
  description: "every field",
  datasource: { connection: "postgres://kontra@localhost:5432/shop", query: "SELECT * FROM o" },
  csv: { ragged_rows: "fail" },
  actions: {
    quarantine: { location: "dlq/", format: "csv" },
    alert: { slack: { webhook_url: "https://hooks.example.com/x", on: "always" } },
  },
  rules: [
    { name: "not_null", params: { column: "id", treat_as_null: ["", 0, false] }, tally: false },
    { name: "unique", params: { columns: ["id", "day"] }, id: "id_day" },
    { name: "column_count", params: { min: 2 } },
    { name: "range", params: { column: "amount", min: 0, max: "1e6", inclusive: "left" } },
    { name: "compare", params: { left: "shipped", op: ">=", right: "ordered" } },
    {
      name: "references",
      params: { column: "customer", to: { datasource: "customers.parquet", column: "id" } },
      when: "status = 'active'",
      tolerance: { max_failed_ratio: 0.01 },
      severity: "warning",
      context: { owner: "sales", links: ["x"] },
    },
    { name: "aggregate", params: { column: "amount", stat: "mean", min: 1 } },
    { name: "schema", params: { columns: ["id", { amount: "float" }] } },
  ],
};

/** One rule of `FULL`'s shape, for cases that change a single thing. */
function withRule(rule: Record<string, unknown>): Record<string, unknown> {
  return { name: "one", datasource: "data.parquet", rules: [rule] };
}

/** Kontracts the schema and the loader must both accept (true) or both reject (false). */
const CASES: { title: string; kontract: Record<string, unknown>; valid: boolean }[] = [
  { title: "every field", kontract: FULL, valid: true },
  { title: "no rules", kontract: { name: "empty" }, valid: true },
  {
    title: "`${VAR}` in a field of a few values",
    kontract: withRule({
      name: "min_rows",
      params: { threshold: 1 },
      severity: "${KONTRA_SCHEMA_TEST_SEVERITY}",
    }),
    valid: true,
  },
  { title: "no name", kontract: { rules: [] }, valid: false },
  { title: "an unknown top-level field", kontract: { name: "x", rule: [] }, valid: false },
  { title: "an unknown rule", kontract: withRule({ name: "not_nul" }), valid: false },
  {
    title: "params missing where the rule needs them",
    kontract: withRule({ name: "not_null" }),
    valid: false,
  },
  {
    title: "a misspelt param",
    kontract: withRule({ name: "not_null", params: { colum: "id" } }),
    valid: false,
  },
  {
    title: "a param of another rule",
    kontract: withRule({ name: "not_null", params: { column: "id", values: [1] } }),
    valid: false,
  },
  {
    title: "a number written as a string",
    kontract: withRule({ name: "min_rows", params: { threshold: "5" } }),
    valid: false,
  },
  {
    // The loader interpolates strings only: `"${N}"` stays a string where a number is due.
    // When the loader learns to read it as a number, the schema must follow.
    title: "a number written as `${VAR}`",
    kontract: withRule({ name: "min_rows", params: { threshold: "${KONTRA_SCHEMA_TEST_N}" } }),
    valid: false,
  },
  {
    title: "a severity that is not one",
    kontract: withRule({ name: "min_rows", params: { threshold: 1 }, severity: "fatal" }),
    valid: false,
  },
  {
    title: "a misspelt rule field",
    kontract: withRule({
      name: "min_rows",
      params: { threshold: 1 },
      tolerence: { max_failed: 1 },
    }),
    valid: false,
  },
  {
    title: "a negative tolerance",
    kontract: withRule({
      name: "not_null",
      params: { column: "id" },
      tolerance: { max_failed: -1 },
    }),
    valid: false,
  },
  {
    title: "an unknown quarantine format",
    kontract: { name: "x", actions: { quarantine: { location: "dlq/", format: "orc" } } },
    valid: false,
  },
];

Deno.test("the schema and the loader agree on valid and invalid Kontracts", async () => {
  const check = await compileSchema();
  const env = { KONTRA_SCHEMA_TEST_SEVERITY: "warning", KONTRA_SCHEMA_TEST_N: "5" };
  for (const { title, kontract, valid } of CASES) {
    assertEquals(check(kontract), valid, `schema, ${title}: ${JSON.stringify(check.errors)}`);
    const loaded = await loadKontract(structuredClone(kontract), { env }).then(
      () => true,
      (error: unknown) => {
        assert.ok(error instanceof KontractError, `${title}: ${error}`);
        return false;
      },
    );
    assertEquals(loaded, valid, `loader, ${title}`);
  }
});

Deno.test("the `${VAR}` pattern matches what the loader interpolates", () => {
  const placeholder = new RegExp(PLACEHOLDER_PATTERN);
  for (const text of ["${A}", "${_a1}", "${extras.NAME}", "s3://${BUCKET}/x"]) {
    assert.ok(placeholder.test(text), text);
  }
  for (const text of ["warning", "$A", "${1A}", "${}"]) assert.ok(!placeholder.test(text), text);
});
