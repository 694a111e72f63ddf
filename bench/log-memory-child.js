// Runs one stage printing argv[2] bytes through the whole log pipeline, then prints its peak RSS (bytes).
import { createWriteStream } from "node:fs";
import { keepHeapFlat } from "../dist/logs/keep-heap-flat.js";
import { TerminalReporter } from "../dist/reporting/terminal-reporter.js";
import { buildFileOf, printCommand, runBenchStage } from "./harness.js";

// As `eve run` does.
keepHeapFlat();
const bytes = Number(process.argv[2]);
const out = createWriteStream("/dev/null");
const reporter = new TerminalReporter(out);
const start = Date.now();
await runBenchStage(buildFileOf([["ShellCommand", { name: "print", command: printCommand(bytes) }]]), reporter, ["a-secret-value-not-in-the-output"]);
await reporter.finish();
await new Promise((resolve) => out.end(resolve));
process.stdout.write(JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024, ms: Date.now() - start }));
