/**
 * Deterministic JSON: the zod model fixes the key order, free-form objects are
 * key-sorted, so the same Kontract and data always give the same bytes.
 * @module
 */
import { sortKeys } from "../core/canonical.ts";
import { type ResultDocument, ResultDocumentModel } from "./result.ts";

/** The result as JSON text (2-space indent, trailing newline). */
export function renderJson(document: ResultDocument): string {
  const parsed = ResultDocumentModel.parse(document);
  for (const result of parsed.results) {
    if (result.context) result.context = sortKeys(result.context) as Record<string, unknown>;
  }
  return JSON.stringify(parsed, null, 2) + "\n";
}
