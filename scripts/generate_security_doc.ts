/**
 * Rewrites the allowed-function lists in docs/security.md from the guards' allow-lists.
 * Run: `deno task doc:security`. A test fails when the file and the code drift apart.
 * @module
 */
import { withAllowedFunctions } from "../src/databases/allowed_functions_doc.ts";

const target = new URL("../docs/security.md", import.meta.url);
await Deno.writeTextFile(target, withAllowedFunctions(await Deno.readTextFile(target)));
// The lists are one long line each until deno fmt wraps them like every other doc.
await new Deno.Command(Deno.execPath(), { args: ["fmt", target.pathname] }).output();
console.log(`wrote ${target.pathname}`);
