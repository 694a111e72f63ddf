import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { compileBuildFileSchema, getBuildFileValidatorSource } from "./compile-build-file-schema.js";
import { loadBuildFileValidator } from "./load-build-file-validator.js";
import { loadYaml } from "./yaml/load-yaml.js";

const schemaText = readFileSync(new URL("../../schemas/build-file.schema.json", import.meta.url), "utf8");
const schema = JSON.parse(schemaText) as object;
const dir = mkdtempSync(join(tmpdir(), "eve-validator-test-"));
const fixtures = new URL("../../test/fixtures/buildfiles/", import.meta.url);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The standalone code written to a module file, as the build does. */
function writeValidator(name: string, source: string): URL {
  const file = join(dir, name);
  writeFileSync(file, source);
  return pathToFileURL(file);
}

const documents: [string, unknown][] = [
  ...readdirSync(fixtures)
    .filter((name) => name.endsWith(".yml"))
    .map((name): [string, unknown] => [name, loadYaml(readFileSync(new URL(name, fixtures), "utf8")).value]),
  ["no branches", { stages: {} }],
  ["wrong types", { branches: [], stages: { a: { worker: "local", steps: {} } } }],
  ["docker worker without path or image", { branches: { default: { stage: "a" } }, stages: { a: { worker: { type: "docker" }, steps: [] } } }],
  ["unknown worker type", { branches: { default: { stage: "a" } }, stages: { a: { worker: { type: "vm" } } } }],
  ["bad step parameters", { branches: { default: { stage: "a" } }, stages: { a: { worker: { type: "local" }, steps: [{ ShellCommand: { command: 1, haltOnFailure: [] } }, { Git: {} }] } } }],
];

describe("the build-file schema compiled ahead of time", () => {
  it("gives the verdicts and errors of the schema compiled at run time", async () => {
    const atRunTime = compileBuildFileSchema(schema);
    const { validate: ahead } = (await import(writeValidator("same.mjs", getBuildFileValidatorSource(schemaText)).href)) as { validate: ValidateFunction };

    for (const [name, document] of documents) {
      expect([name, ahead(document), ahead.errors]).toEqual([name, atRunTime(document), atRunTime.errors]);
    }
    expect(documents.filter(([, document]) => !atRunTime(document)).length).toBeGreaterThanOrEqual(5);
  });

  it("is used only when it was made from this schema text", async () => {
    const made = writeValidator("made.mjs", getBuildFileValidatorSource(schemaText));
    const stale = writeValidator("stale.mjs", getBuildFileValidatorSource(schemaText.replace('"Eve build file"', '"an older schema"')));
    const { validate: precompiled } = (await import(made.href)) as { validate: ValidateFunction };

    expect(await loadBuildFileValidator(schemaText, schema, made)).toBe(precompiled);
    const fallback = await loadBuildFileValidator(schemaText, schema, stale);
    const missing = await loadBuildFileValidator(schemaText, schema, pathToFileURL(join(dir, "none.mjs")));
    expect([fallback, missing]).not.toContain(precompiled);
    expect([fallback({ stages: {} }), fallback.errors]).toEqual([false, [expect.objectContaining({ keyword: "required", params: { missingProperty: "branches" } })]]);
    expect(missing({ branches: {} })).toBe(true);
  });
});
