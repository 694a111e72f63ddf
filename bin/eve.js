#!/usr/bin/env node
// The `eve` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
