// Writes dist/cli-bundle/: the `eve` command (dist/cli/main.js and what it imports) as a few ESM files,
// so that `eve run` does not load ~200 modules one by one at every start (Node 20's ESM loader spent
// ~100 ms of CPU resolving, reading and linking Eve's modules and yaml's). bin/eve.js runs it when it is
// at least as new as dist/cli/main.js. Run by `npm run build`, after tsc; `node scripts/bundle-cli.js DIR`
// writes it to DIR instead (a test compares it with the modules it was made from).
//
// Eve's own modules and `yaml` (pure JS, on every run's path) are bundled; every other package stays an
// import resolved from node_modules as before. Each dynamically imported module that brings a package in
// (`eve worker` and `eve promote`, docker, kubernetes, openstack, the schema compiler, the JUnit parser)
// stays a chunk loaded only when used. A dynamic import of Eve's own code alone (the other commands,
// run-build, most step runners) is made static: it costs little to compile with the rest, while each chunk
// costs Node's loader a file to resolve and read (`eve run` loaded 37 chunks, now 17: ~12 ms less CPU
// at its start; `eve lint` ~2 ms more). In every module, `import.meta.url` is that module's own URL under
// dist/, so files found next to a module (the schemas, the precompiled validator, the spawn helper's
// script) are found as before.
import { readFile, rm } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = resolve(process.argv[2] ?? `${root}/dist/cli-bundle`);
const entry = `${root}dist/cli/main.js`;
const BUNDLED_PACKAGES = new Set(["yaml"]);

const isPackage = (path) => /^[^./]/.test(path);
const packageName = (path) => (path.startsWith("@") ? path.split("/").slice(0, 2).join("/") : path.split("/")[0]);
/** `import("./x.js")` with a literal relative path, as tsc writes it. */
const DYNAMIC_IMPORT = /\bimport\(("\.{1,2}\/[^"]+\.js")\)/g;

/** The dynamic imports (importer → specifiers) whose target, with all it imports statically, is Eve's code alone. */
async function findInlinable() {
  const { metafile } = await build({ entryPoints: [entry], bundle: true, write: false, metafile: true, format: "esm", platform: "node", outdir, plugins: [externalPackages], logLevel: "silent" });
  const { inputs } = metafile;
  const bringsPackages = (start) => {
    const seen = new Set();
    const stack = [start];
    while (stack.length > 0) {
      const file = stack.pop();
      if (seen.has(file) || !inputs[file]) continue;
      seen.add(file);
      for (const imported of inputs[file].imports) {
        if (imported.external && !imported.path.startsWith("node:")) return true;
        if (!imported.external && imported.kind === "import-statement") stack.push(imported.path);
      }
    }
    return false;
  };
  const inlinable = new Set();
  for (const [file, input] of Object.entries(inputs)) {
    for (const imported of input.imports) {
      if (imported.kind !== "dynamic-import" || imported.external) continue;
      if (!bringsPackages(imported.path)) inlinable.add(`${resolve(root, file)} ${imported.original}`);
    }
  }
  return inlinable;
}

const externalPackages = {
  name: "eve-external-packages",
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) => (isPackage(args.path) && !BUNDLED_PACKAGES.has(packageName(args.path)) ? { external: true } : undefined));
  },
};

function rewriteModules(inlinable) {
  return {
    name: "eve-rewrite-modules",
    setup(bundle) {
      externalPackages.setup(bundle);
      bundle.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
        if (!args.path.startsWith(`${root}dist/`)) return undefined;
        let text = await readFile(args.path, "utf8");
        const statics = [];
        text = text.replace(DYNAMIC_IMPORT, (call, specifier) => {
          if (!inlinable.has(`${args.path} ${JSON.parse(specifier)}`)) return call;
          const name = `eveInlined${statics.length}`;
          statics.push(`import * as ${name} from ${specifier};`);
          return `Promise.resolve(${name})`;
        });
        // Every chunk is written to `outdir`: the module's own file is found relative to it.
        const own = `new URL(${JSON.stringify(relative(outdir, args.path))}, import.meta.url).href`;
        return { contents: `${statics.join("")}${text.replaceAll("import.meta.url", own)}`, loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
}

const inlinable = await findInlinable();
// Chunks are named by content: without this, those of earlier builds would pile up.
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: entry },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  plugins: [rewriteModules(inlinable)],
  // yaml is CommonJS and requires Node's built-ins; an ES module has no `require` of its own.
  banner: { js: 'import { createRequire as eveCreateRequire } from "node:module"; const require = eveCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
