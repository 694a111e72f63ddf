/** The SHA-256 of the schema's text: ties ajv's standalone code to the schema it was made from. */
import { createHash } from "node:crypto";

export function getSchemaDigest(schemaText: string): string {
  return createHash("sha256").update(schemaText).digest("hex");
}
