/**
 * Checks Eve against every real file of the corpus that this project's CI keeps
 * beside the clone (`../shared/corpus`, or the folder given as argument): each
 * real build file must lint without error, each real pod template must render
 * to a Pod. The tests use our own fixtures (test/fixtures) and never need the
 * corpus; this is the separate, plain report on the real files.
 *
 *   npm run conformance [-- CORPUS_DIR]
 *
 * Exit codes: 0 every file passed, 1 some failed, 2 no corpus here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { formatMessage } from "../src/buildfile/format-message.js";
import { validateBuildFile } from "../src/buildfile/validate-build-file.js";
import { renderPodTemplate } from "../src/provisioners/kubernetes/render-pod-template.js";

const corpus = resolve(process.argv[2] ?? join(import.meta.dirname, "../../shared/corpus"));
const buildFilesDir = join(corpus, "eve-yaml");
const workersDir = join(corpus, "eve-workers");

if (!existsSync(buildFilesDir) || !existsSync(workersDir)) {
  process.stdout.write(`conformance: no corpus at ${corpus} (it needs eve-yaml/ and eve-workers/); nothing checked\n`);
  process.exit(2);
}

const failures: string[] = [];

const buildFiles = readdirSync(buildFilesDir).filter((name) => /\.ya?ml$/.test(name)).sort();
let buildFilesPassed = 0;
for (const name of buildFiles) {
  const result = validateBuildFile(readFileSync(join(buildFilesDir, name), "utf8"), name);
  const errors = result.messages.filter((message) => message.severity === "error").map(formatMessage);
  if (errors.length === 0 && (result.buildFile?.stages.size ?? 0) > 0) buildFilesPassed++;
  else failures.push(...(errors.length > 0 ? errors : [`${name}: no stage`]));
}

// Worker folders also hold Dockerfiles and other yaml: the pod templates are named so.
const templates = readdirSync(workersDir)
  .filter((name) => /(pod|worker|doc-builder).*\.ya?ml$/.test(name) || /_(worker|zenko).*\.ya?ml$/.test(name))
  .sort();
let templatesRendered = 0;
for (const name of templates) {
  const source = readFileSync(join(workersDir, name), "utf8");
  const result = await renderPodTemplate(source, inputFor(source));
  if (!result.ok) {
    failures.push(`${name}: ${result.message}`);
    continue;
  }
  const pod = parse(result.text) as { kind?: unknown; spec?: { containers?: unknown[] } } | null;
  if (pod?.kind === "Pod" && (pod.spec?.containers?.length ?? 0) > 0) templatesRendered++;
  else failures.push(`${name}: rendered, but not to a Pod with containers`);
}

for (const failure of failures) process.stdout.write(`${failure}\n`);
process.stdout.write(
  `conformance (${corpus}): ${buildFilesPassed} of ${buildFiles.length} real build files passed, ` +
    `${templatesRendered} of ${templates.length} pod templates rendered\n`,
);
process.exitCode = failures.length === 0 && buildFiles.length > 0 && templates.length > 0 ? 0 : 1;

/**
 * The images and vars a stage would give a template: every name the template
 * mentions, with plausible values (the corpus does not pair templates with
 * the stages that use them).
 */
function inputFor(source: string): { images: Record<string, string>; vars: Record<string, unknown> } {
  const images: Record<string, string> = {};
  for (const match of source.matchAll(/images(?:\.(\w+)|\[['"]([^'"]+)['"]\])/g)) {
    const name = match[1] ?? match[2] ?? "";
    images[name] = `registry.local/eve/${name}:0123abcd`;
  }
  const vars: Record<string, unknown> = { env: { CI_PROXY: "false", S3DATA: "multiple", S3METADATA: "mongodb" }, redis: "enabled", vault: "enabled" };
  for (const match of source.matchAll(/vars\.(\w+)/g)) {
    const name = match[1] ?? "";
    if (!(name in vars)) vars[name] = /mem/i.test(name) ? "1Gi" : "value";
  }
  return { images, vars };
}
