/**
 * The build-file schema compiled by ajv, with the same options either way:
 * at run time, or ahead of time into ajv's standalone code, which
 * `npm run build` writes to dist/buildfile/build-file-validator.js
 * (scripts/write-build-file-validator.js). Importing ajv and compiling the
 * schema cost ~0.4 s of CPU, which every `eve run` and `eve lint` paid
 * before anything else.
 */
import { Ajv, type ValidateFunction } from "ajv";
import standaloneModule from "ajv/dist/standalone/index.js";
import { getSchemaDigest } from "./schema-digest.js";

// verbose: an error carries the schema around its keyword, where `x-eve-anyof-message` is.
const OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

export function compileBuildFileSchema(schema: object): ValidateFunction {
  return new Ajv(OPTIONS).compile(schema);
}

/** An ES module exporting `validate` and `schemaDigest`, the digest of the schema text it was made from. */
export function getBuildFileValidatorSource(schemaText: string): string {
  const ajv = new Ajv({ ...OPTIONS, code: { source: true, esm: true } });
  const validate = ajv.compile(JSON.parse(schemaText) as object);
  return `${standaloneModule.default(ajv, validate)}\nexport const schemaDigest = ${JSON.stringify(getSchemaDigest(schemaText))};\n`;
}
