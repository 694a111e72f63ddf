/**
 * Tempest's response schemas for the calls Eve makes at its compute
 * microversion (test/fixtures/openstack/tempest-response-schemas.json,
 * extracted from Debian's python3-tempest by scripts/extract-tempest-schemas.py):
 * the stand-in checks its own answers against them, as Tempest checks a real
 * Nova's.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

interface TempestSchema {
  status_code: number[];
  response_body?: Record<string, unknown>;
}
interface SchemaFile {
  tempest_version: string;
  microversion: string;
  operations: Record<string, TempestSchema>;
}

const file = JSON.parse(readFileSync(new URL("../../fixtures/openstack/tempest-response-schemas.json", import.meta.url), "utf8")) as SchemaFile;
/** The microversion the schemas were taken at: answers to other microversions are not checked. */
export const TEMPEST_MICROVERSION = file.microversion;
export type TempestOperation = keyof typeof file.operations & string;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const compiled = new Map<string, ValidateFunction>();

/** Why Tempest would reject this answer, or undefined. */
export function checkTempestResponse(operation: string, status: number, body: unknown): string | undefined {
  const schema = file.operations[operation];
  if (!schema) throw new Error(`no Tempest schema for ${operation}`);
  if (!schema.status_code.includes(status)) return `${operation}: status ${status}, Tempest expects ${schema.status_code.join(" or ")}`;
  if (!schema.response_body) return body === undefined ? undefined : `${operation}: Tempest expects no body`;
  let validate = compiled.get(operation);
  if (!validate) {
    validate = ajv.compile(schema.response_body);
    compiled.set(operation, validate);
  }
  return validate(body) ? undefined : `${operation} (Tempest ${file.tempest_version}): ${ajv.errorsText(validate.errors, { dataVar: "body" })}`;
}
