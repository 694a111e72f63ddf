/**
 * The JSON schema of build files (`schemas/build-file.schema.json`, the source
 * of truth for their structure), compiled once with ajv (ahead of time by the
 * build: load-build-file-validator.ts), and its errors turned
 * into one-line messages a user can act on. The schema ships with the package
 * (also for editors); it is read beside the code, the only file this layer reads.
 */
import { readFileSync } from "node:fs";
import type { ErrorObject } from "ajv";
import { loadBuildFileValidator } from "./load-build-file-validator.js";
import { parsePointer } from "./yaml/yaml-positions.js";

/** A structural problem at a JSON pointer. */
export interface SchemaProblem {
  pointer: string;
  message: string;
  /** Point at the key of `pointer` rather than its value (e.g. a missing key). */
  atKey: boolean;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  allOf?: SchemaNode[];
  $ref?: string;
  definitions?: Record<string, SchemaNode & Record<string, SchemaNode>>;
}

const SCHEMA_TEXT = readFileSync(new URL("../../schemas/build-file.schema.json", import.meta.url), "utf8");

export const BUILD_FILE_SCHEMA = JSON.parse(SCHEMA_TEXT) as SchemaNode & Record<string, unknown>;

const validate = await loadBuildFileValidator(SCHEMA_TEXT, BUILD_FILE_SCHEMA);

const MAX_PROBLEMS = 100;

/** Checks `value` against the schema; problems are in document order of ajv's walk. */
export function checkBuildFileSchema(value: unknown): SchemaProblem[] {
  if (validate(value)) return [];
  const problems = new Map<string, SchemaProblem>();
  for (const error of validate.errors ?? []) {
    // The branches of an anyOf only explain the anyOf, which says it better.
    if (error.schemaPath.includes("/anyOf/")) continue;
    const problem = describe(error, value);
    // allOf parts repeat the same check (e.g. "must be a mapping"): say it once.
    if (problem) problems.set(`${problem.pointer}\n${problem.message}`, problem);
    if (problems.size >= MAX_PROBLEMS) break;
  }
  return [...problems.values()];
}

/** The parameter names the schema lists for a step type (its own and the shared ones). */
export function getStepParameters(stepType: string): ReadonlySet<string> {
  const names = new Set<string>();
  const definitions = BUILD_FILE_SCHEMA.definitions ?? {};
  const visit = (node: SchemaNode | undefined): void => {
    if (!node) return;
    Object.keys(node.properties ?? {}).forEach((name) => names.add(name));
    node.allOf?.forEach(visit);
    if (node.$ref) visit(definitions[node.$ref.replace("#/definitions/", "")]);
  };
  visit(definitions.steps?.[stepType]);
  return names;
}

/** The step types the schema describes. */
export function getSchemaStepTypes(): string[] {
  return Object.keys(BUILD_FILE_SCHEMA.definitions?.steps ?? {});
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  null: "empty",
};

function describe(error: ErrorObject, root: unknown): SchemaProblem | undefined {
  const pointer = error.instancePath;
  const where = displayPath(pointer);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type": {
      const types = String(params.type).split(",").map((type) => TYPE_NAMES[type] ?? type);
      // An empty value has no text of its own: point at its key.
      return { pointer, atKey: valueAt(root, pointer) === null, message: `${where} must be ${types.join(" or ")}` };
    }
    case "enum":
      return { pointer, atKey: false, message: `${where} must be one of ${(params.allowedValues as unknown[]).join(", ")}` };
    case "required": {
      const missing = String(params.missingProperty);
      return { pointer, atKey: true, message: `${where === "(top level)" ? "" : `${where}: `}missing required key '${missing}'` };
    }
    case "anyOf": {
      // A schema fragment may say what its anyOf means (a worker type's "needs 'path' or 'image'").
      const message = (error.parentSchema as { "x-eve-anyof-message"?: unknown } | undefined)?.["x-eve-anyof-message"];
      return typeof message === "string" ? { pointer, atKey: true, message: `${where}: ${message}` } : { pointer, atKey: false, message: `${where} is not valid` };
    }
    case "minItems":
      return { pointer, atKey: false, message: `${where} must have at least ${String(params.limit)} item(s)` };
    // Step keys are checked in code, with the list of known step types.
    case "additionalProperties":
    case "minProperties":
    // `if`/`then` and `const` only repeat what the worker's own errors say.
    case "if":
    case "const":
      return undefined;
    default:
      return { pointer, atKey: false, message: `${where} ${error.message ?? "is not valid"}` };
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  return parsePointer(pointer).reduce<unknown>((node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined), root);
}

/** "/stages/pre-merge/steps/0/ShellCommand" → "stages.pre-merge.steps[0].ShellCommand". */
export function displayPath(pointer: string): string {
  const segments = parsePointer(pointer);
  if (segments.length === 0) return "(top level)";
  return segments.map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join("");
}
