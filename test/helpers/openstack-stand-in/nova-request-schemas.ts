/**
 * Nova's own request schemas (test/fixtures/openstack/nova-request-schemas.json,
 * extracted from Debian's python3-nova by scripts/extract-nova-schemas.py),
 * applied as Nova applies them: the schema whose microversion range holds the
 * request's microversion. Nova's custom formats are given their Nova meaning.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

interface SchemaEntry {
  kind: "body" | "query";
  min: string;
  max: string | null;
  name: string;
  schema: Record<string, unknown>;
}
interface SchemaFile {
  nova_version: string;
  operations: Record<string, SchemaEntry[]>;
}

const file = JSON.parse(readFileSync(new URL("../../fixtures/openstack/nova-request-schemas.json", import.meta.url), "utf8")) as SchemaFile;
export const NOVA_VERSION = file.nova_version;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
// Nova's patterns are Python regexes (`\ ` escapes a space): compiled without the u flag, as Python reads them.
const ajv = addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }));
// nova/api/validation/validators.py
ajv.addFormat("uuid", /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i);
ajv.addFormat("base64", (value: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0);
ajv.addFormat("cidr", /^[0-9a-f.:]+\/\d+$/i);
ajv.addFormat("name", (value: string) => value.trim() === value && value.length > 0);
ajv.addFormat("name_with_leading_trailing_spaces", (value: string) => value.trim().length > 0);
ajv.addFormat("keypair_name_20", (value: string) => /^[\w. @-]+$/.test(value));
ajv.addFormat("keypair_name_292", (value: string) => value.trim().length > 0);
const compiled = new Map<SchemaEntry, ValidateFunction>();

/** [major, minor] of "2.52". */
function parseVersion(version: string): [number, number] {
  const [major, minor] = version.split(".").map(Number);
  return [major ?? 0, minor ?? 0];
}
function atLeast(version: string, bound: string): boolean {
  const [a, b] = parseVersion(version);
  const [c, d] = parseVersion(bound);
  return a > c || (a === c && b >= d);
}

/**
 * Why Nova would refuse this request (`Invalid input for field/attribute …`),
 * or undefined. `operation` names a key of the schema file.
 */
export function checkNovaRequest(operation: string, kind: "body" | "query", microversion: string, data: unknown): string | undefined {
  const entries = file.operations[operation];
  if (!entries) throw new Error(`no Nova schema for ${operation}`);
  const entry = entries.find((e) => e.kind === kind && atLeast(microversion, e.min) && (e.max === null || atLeast(e.max, microversion)));
  if (!entry) return `${operation} is not available at compute microversion ${microversion}`;
  let validate = compiled.get(entry);
  if (!validate) {
    validate = ajv.compile(entry.schema);
    compiled.set(entry, validate);
  }
  if (validate(data)) return undefined;
  return `Invalid input (Nova ${NOVA_VERSION} ${entry.name}): ${ajv.errorsText(validate.errors, { dataVar: kind })}`;
}
