/**
 * The JSON schema of the result document, generated from the zod model.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { ResultDocumentModel, SCHEMA_VERSION } from "./result.ts";

/** The JSON schema (draft 2020-12) text of result documents, as checked in under `schema/`. */
export function resultJsonSchema(): string {
  const schema = z.toJSONSchema(ResultDocumentModel, { target: "draft-2020-12" });
  const document = {
    $id: `urn:kontra:result:${SCHEMA_VERSION}`,
    title: `Kontra validation result ${SCHEMA_VERSION}`,
    ...schema,
  };
  return JSON.stringify(document, null, 2) + "\n";
}
