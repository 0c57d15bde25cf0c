/**
 * Regenerates `schema/result-1.0.json` and `schema/kontract-1.0.json` from the zod
 * models. Run: `deno task schema`. Tests fail when a checked-in file and its model drift apart.
 * @module
 */
import { resultJsonSchema } from "../src/report/json_schema.ts";
import { kontractJsonSchema } from "../src/kontract/json_schema.ts";

const schemas: [string, string][] = [
  ["../schema/result-1.0.json", resultJsonSchema()],
  ["../schema/kontract-1.0.json", kontractJsonSchema()],
];
for (const [path, text] of schemas) {
  const target = new URL(path, import.meta.url);
  await Deno.writeTextFile(target, text);
  console.log(`wrote ${target.pathname}`);
}
