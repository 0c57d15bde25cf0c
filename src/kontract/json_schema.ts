/**
 * The JSON schema of a Kontract, generated from the zod model (`schema.ts`) with each
 * rule's `params` checked by that rule's own zod schema. Editors use it (through
 * `# yaml-language-server: $schema=…`) to complete and check Kontracts while they are written.
 *
 * It describes the Kontract as written: values are literal, except that a `${VAR}`
 * placeholder is accepted wherever the loader accepts one, i.e. in every string, including
 * fields whose string must be one of a few values (`severity: ${SEVERITY}`). Numbers and
 * booleans are literal: the loader interpolates strings only.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import type { AnyRule } from "../rules/define.ts";
import { registeredRules } from "../rules/registry.ts";
import { KontractSpec, RuleSpec } from "./schema.ts";

/** The version of the Kontract format the schema describes. */
export const KONTRACT_SCHEMA_VERSION = "1.0";

/**
 * A string holding a `${VAR}` placeholder, as `interpolate.ts` finds them (`$${VAR}`, a
 * literal, matches too: the schema cannot tell what the environment will hold anyway).
 */
export const PLACEHOLDER_PATTERN = "\\$\\{[A-Za-z_][A-Za-z0-9_.]*\\}";

/** One entry of `rules:` for one rule: its `name` a constant, its `params` the rule's own. */
function ruleVariant(rule: AnyRule) {
  // The loader checks `params ?? {}`: params may be left out only when `{}` is valid.
  const params = rule.params.safeParse({}).success ? rule.params.optional() : rule.params;
  return RuleSpec.extend({ name: z.literal(rule.name), params });
}

/** A JSON schema node, as `z.toJSONSchema` writes them. */
type Node = Record<string, unknown>;

/**
 * Lets a string field limited to a few values (an `enum`) also hold a `${VAR}`
 * placeholder, which the loader replaces before it checks the value. (A rule's `name` is
 * a `const`, left alone: the loader finds rules by their literal name.)
 */
function acceptPlaceholders(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(acceptPlaceholders);
  if (node === null || typeof node !== "object") return node;
  const copy: Node = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, acceptPlaceholders(value)]),
  );
  if (!Array.isArray(copy.enum) || !copy.enum.every((value) => typeof value === "string")) {
    return copy;
  }
  const { default: fallback, ...limited } = copy;
  return {
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [limited, { type: "string", pattern: PLACEHOLDER_PATTERN }],
  };
}

/**
 * The JSON schema (draft 2020-12) text of Kontracts, as checked in under `schema/`: the
 * top-level fields of {@linkcode KontractSpec}, and `rules:` entries that are exactly one of
 * the registered rules (`oneOf`, told apart by the `name` constant) with that rule's params.
 */
export function kontractJsonSchema(): string {
  const [first, ...others] = registeredRules().map(ruleVariant);
  // A discriminated union becomes `oneOf` told apart by `name`'s `const`: what editors
  // such as yaml-language-server use to pick the variant they complete `params` from.
  const model = KontractSpec.extend({
    rules: z.array(z.discriminatedUnion("name", [first, ...others])).default([]),
  });
  const schema = acceptPlaceholders(
    z.toJSONSchema(model, { target: "draft-2020-12", io: "input" }),
  ) as Node;
  const document = {
    $id: `urn:kontra:kontract:${KONTRACT_SCHEMA_VERSION}`,
    title: `Kontra Kontract ${KONTRACT_SCHEMA_VERSION}`,
    ...schema,
  };
  return JSON.stringify(document, null, 2) + "\n";
}
