// Writes dist/buildfile/build-file-validator.js, ajv's standalone code of schemas/build-file.schema.json,
// so that no Eve process compiles the schema when it starts (src/buildfile/load-build-file-validator.ts).
// Run by `npm run build`, after tsc.
import { readFileSync, writeFileSync } from "node:fs";
import { getBuildFileValidatorSource } from "../dist/buildfile/compile-build-file-schema.js";

const schemaText = readFileSync(new URL("../schemas/build-file.schema.json", import.meta.url), "utf8");
writeFileSync(new URL("../dist/buildfile/build-file-validator.js", import.meta.url), getBuildFileValidatorSource(schemaText));
