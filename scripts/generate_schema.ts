/**
 * Regenerates `schema/result-1.0.json` from the zod model. Run: `deno task schema`.
 * A test fails when the checked-in file and the model drift apart.
 * @module
 */
import { resultJsonSchema } from "../src/report/json_schema.ts";

const target = new URL("../schema/result-1.0.json", import.meta.url);
await Deno.writeTextFile(target, resultJsonSchema());
console.log(`wrote ${target.pathname}`);
