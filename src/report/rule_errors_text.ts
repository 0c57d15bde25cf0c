/**
 * The stderr line for each rule that could not be checked (status `error`), naming the
 * rule where the Kontract defines it: `kontra: users.yml:9:5: COL:tags:regex: could not
 * be checked: …`. The result document carries the reason without the position, so its
 * JSON stays the same wherever the Kontract is run from.
 * @module
 */
import { type Kontract, ruleLabel } from "../kontract/load.ts";
import { type ResultDocument, statusOf } from "./result.ts";

/** One line per errored rule, or "" when none errored. */
export function ruleErrorLines(document: ResultDocument, kontract: Kontract): string {
  const where = new Map(kontract.rules.map((rule) => [rule.id, ruleLabel(rule)]));
  return document.results.filter((result) => statusOf(result) === "error")
    .map((result) =>
      `kontra: ${where.get(result.rule_id) ?? result.rule_id}: could not be checked: ${
        result.error ?? "unknown error"
      }\n`
    )
    .join("");
}
