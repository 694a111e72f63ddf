#!/usr/bin/env node
// The `eve` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare), which also
// bundles the command into dist/cli-bundle/ (scripts/bundle-cli.js): a few files load much faster than
// Eve's modules one by one. The bundle is used unless tsc compiled dist/ after it was made.
import { statSync } from "node:fs";

const modules = new URL("../dist/cli/main.js", import.meta.url);
const bundle = new URL("../dist/cli-bundle/main.js", import.meta.url);
const built = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const { main } = await import(built(bundle) >= built(modules) ? bundle.href : modules.href);

process.exitCode = await main(process.argv.slice(2));
