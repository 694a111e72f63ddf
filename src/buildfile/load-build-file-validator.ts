/**
 * The validator of the build-file schema: ajv's standalone code written by
 * `npm run build` when it was made from this very schema text, else the
 * schema compiled now (tests running the sources, a schema edited since the
 * build), so a stale file can cost time but never change a result.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { getSchemaDigest } from "./schema-digest.js";

const PRECOMPILED = new URL("./build-file-validator.js", import.meta.url);

interface PrecompiledValidator {
  validate: ValidateFunction;
  schemaDigest: string;
}

/** `precompiledUrl`: where the build wrote the standalone code (tests give another). */
export async function loadBuildFileValidator(schemaText: string, schema: object, precompiledUrl = PRECOMPILED): Promise<ValidateFunction> {
  if (existsSync(fileURLToPath(precompiledUrl))) {
    const precompiled = (await import(precompiledUrl.href)) as PrecompiledValidator;
    if (precompiled.schemaDigest === getSchemaDigest(schemaText)) return precompiled.validate;
  }
  const { compileBuildFileSchema } = await import("./compile-build-file-schema.js");
  return compileBuildFileSchema(schema);
}
