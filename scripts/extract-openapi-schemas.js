#!/usr/bin/env node
/**
 * Extracts, from GitHub's own OpenAPI description (`@octokit/openapi`), the
 * few operations Eve calls — method, path template and request-body schema —
 * into test/fixtures/github-openapi-subset.json. Tests check every request
 * body Eve sends against it (test/helpers/github-mock.ts).
 *
 * The package is 385 MB, so it is not a dependency. To refresh the fixture:
 *   npm install --prefix /tmp/openapi @octokit/openapi
 *   node scripts/extract-openapi-schemas.js /tmp/openapi/node_modules/@octokit/openapi
 * To call a new GitHub operation, add its operationId below and re-run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const OPERATIONS = [
  "apps/create-installation-access-token",
  "apps/get-repo-installation",
  "checks/create",
  "checks/get",
  "checks/list-for-ref",
  "checks/update",
  "git/get-commit",
  "git/get-ref",
  "issues/create-comment",
  "pulls/get",
  "reactions/create-for-issue-comment",
  "repos/create-commit-status",
  "repos/get-collaborator-permission-level",
  "repos/get-commit",
  "repos/get-content",
  "users/get-authenticated",
];

const packageDir = process.argv[2] ?? "/tmp/openapi/node_modules/@octokit/openapi";
const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
const api = JSON.parse(readFileSync(join(packageDir, "generated", "api.github.com.deref.json"), "utf8"));

const operations = {};
for (const [path, methods] of Object.entries(api.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    if (!OPERATIONS.includes(op.operationId)) continue;
    const body = op.requestBody?.content?.["application/json"]?.schema ?? null;
    operations[op.operationId] = { method: method.toUpperCase(), path, requestBody: body && stripDocs(body) };
  }
}
tightenProseLimits(operations);
const missing = OPERATIONS.filter((id) => !(id in operations));
if (missing.length > 0) throw new Error(`operations not found in the OpenAPI description: ${missing.join(", ")}`);

const out = {
  source: `@octokit/openapi@${pkg.version} generated/api.github.com.deref.json`,
  operations: Object.fromEntries(Object.entries(operations).sort(([a], [b]) => a.localeCompare(b))),
};
const target = new URL("../test/fixtures/github-openapi-subset.json", import.meta.url);
writeFileSync(target, JSON.stringify(out, null, 2) + "\n");
process.stdout.write(`wrote ${Object.keys(operations).length} operations to ${target.pathname}\n`);

/**
 * Some limits GitHub states only in prose ("The maximum size is 255 characters")
 * or enforces without documenting (a commit status description over 140
 * characters is rejected with 422): add them as schema keywords, so the mock
 * rejects what GitHub would.
 */
function tightenProseLimits(ops) {
  for (const id of ["checks/create", "checks/update"]) {
    const annotation = ops[id]?.requestBody?.properties?.output?.properties?.annotations?.items?.properties;
    if (!annotation) continue;
    annotation.title.maxLength = 255;
    annotation.message.maxLength = 65535;
    annotation.raw_details.maxLength = 65535;
  }
  const status = ops["repos/create-commit-status"]?.requestBody?.properties;
  if (status) status.description.maxLength = 140;
}

/** Drops prose (descriptions, examples) to keep the fixture small; keeps every validation keyword. */
function stripDocs(schema) {
  if (Array.isArray(schema)) return schema.map(stripDocs);
  if (schema === null || typeof schema !== "object") return schema;
  const result = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description" || key === "examples" || key === "example") continue;
    result[key] = key === "properties" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripDocs(v)])) : stripDocs(value);
  }
  return result;
}
