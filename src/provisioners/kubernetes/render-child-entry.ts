/**
 * Where the template-rendering child's code is, and which paths it may read.
 * Built (dist/): the compiled render-pod-child.js beside this file. From the
 * TypeScript sources (tests, tsx): the child cannot run a TypeScript loader
 * under Node's permission model (the loader needs worker threads and reads
 * anywhere), so the sandbox's few files are transpiled once per process into
 * node_modules/.cache, as plain ES modules, and run from there.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface RenderChildEntry {
  /** The child's entry module. */
  entry: string;
  /** Files and directories (ending in /) the child may read: its code and its packages. */
  readable: string[];
}

/** The modules the child loads, from render-pod-child down. */
const SANDBOX_MODULES = ["render-pod-child", "render-in-sandbox", "template-policy", "template-data", "strict-undefined"];

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
/** nunjucks and its dependencies sit side by side in this node_modules. */
const nodeModules = dirname(dirname(require.resolve("nunjucks/package.json")));

let cached: Promise<RenderChildEntry> | undefined;

export function getRenderChildEntry(): Promise<RenderChildEntry> {
  cached ??= locate();
  return cached;
}

async function locate(): Promise<RenderChildEntry> {
  const compiled = join(here, "render-pod-child.js");
  // The package's package.json says "type": "module", which Node reads to load dist/*.js as ES modules.
  if (existsSync(compiled)) return { entry: compiled, readable: [`${here}/`, join(here, "../../../package.json"), `${nodeModules}/`] };
  const { transformSync } = (await import("esbuild")) as typeof import("esbuild");
  const sources = SANDBOX_MODULES.map((name) => readFileSync(join(here, `${name}.ts`), "utf8"));
  const outDir = join(nodeModules, ".cache", "eve-render-child");
  mkdirSync(outDir, { recursive: true });
  // Test files run in parallel processes: each file is replaced whole (same content from each).
  const writeWhole = (name: string, text: string): void => {
    const partial = join(outDir, `.${name}.${process.pid}`);
    writeFileSync(partial, text);
    renameSync(partial, join(outDir, name));
  };
  writeWhole("package.json", '{"type":"module"}\n');
  SANDBOX_MODULES.forEach((name, index) => writeWhole(`${name}.js`, transformSync(sources[index] ?? "", { loader: "ts", format: "esm", target: "node20" }).code));
  return { entry: join(outDir, "render-pod-child.js"), readable: [`${outDir}/`, `${nodeModules}/`] };
}
