// Writes dist/cli-bundle/: the `eve` command (dist/cli/main.js and what it imports) as a few ESM files,
// so that `eve run` does not load ~200 modules one by one at every start (Node 20's ESM loader spent
// ~100 ms of CPU resolving, reading and linking Eve's modules and yaml's). bin/eve.js runs it when it is
// at least as new as dist/cli/main.js. Run by `npm run build`, after tsc; `node scripts/bundle-cli.js DIR`
// writes it to DIR instead (a test compares it with the modules it was made from).
//
// Eve's own modules and `yaml` (pure JS, on every run's path) are bundled; every other package stays an
// import resolved from node_modules as before. Each command, and each dynamically imported module (docker,
// kubernetes, the schema compiler), stays a chunk of its own, loaded only when used. In every module,
// `import.meta.url` is that module's own URL under dist/, so files found next to a module (the schemas,
// the precompiled validator, the spawn helper's script) are found as before.
import { readFile, rm } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = resolve(process.argv[2] ?? `${root}/dist/cli-bundle`);
const BUNDLED_PACKAGES = new Set(["yaml"]);

const keepModuleUrls = {
  name: "eve-keep-module-urls",
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
      return BUNDLED_PACKAGES.has(name) ? undefined : { external: true };
    });
    bundle.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      if (!args.path.startsWith(`${root}dist/`)) return undefined;
      const text = await readFile(args.path, "utf8");
      // Every chunk is written to `outdir`: the module's own file is found relative to it.
      const own = `new URL(${JSON.stringify(relative(outdir, args.path))}, import.meta.url).href`;
      return { contents: text.replaceAll("import.meta.url", own), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

// Chunks are named by content: without this, those of earlier builds would pile up.
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: `${root}dist/cli/main.js` },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  plugins: [keepModuleUrls],
  // yaml is CommonJS and requires Node's built-ins; an ES module has no `require` of its own.
  banner: { js: 'import { createRequire as eveCreateRequire } from "node:module"; const require = eveCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
