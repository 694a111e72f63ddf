// (b) Log pipeline throughput: a step printing 10 MB through the engine (decode, secret masking,
// terminal reporter writing to /dev/null) vs `sh -c` of the same command to /dev/null.
import { createWriteStream } from "node:fs";
import { keepHeapFlat } from "../dist/logs/keep-heap-flat.js";
import { TerminalReporter } from "../dist/reporting/terminal-reporter.js";
import { buildFileOf, ms, printCommand, runBenchStage, runShell } from "./harness.js";

const BYTES = 10 * 1024 * 1024;

export async function benchLogThroughput() {
  keepHeapFlat(); // as `eve run` does
  const command = printCommand(BYTES);
  let raw = Infinity;
  let engine = Infinity;
  for (let round = 0; round < 3; round++) {
    let start = process.hrtime.bigint();
    await runShell(`${command} > /dev/null`);
    raw = Math.min(raw, ms(start));
    const out = createWriteStream("/dev/null");
    const reporter = new TerminalReporter(out);
    start = process.hrtime.bigint();
    await runBenchStage(buildFileOf([["ShellCommand", { name: "print", command }]]), reporter, ["a-secret-value-not-in-the-output"]);
    await reporter.finish();
    engine = Math.min(engine, ms(start));
    await new Promise((resolve) => out.end(resolve));
  }
  const mb = BYTES / 1024 / 1024;
  const rate = mb / (engine / 1000);
  return {
    name: "(b) a step printing 10 MB through the log pipeline",
    lines: [
      `raw floor: sh -c … > /dev/null      ${raw.toFixed(0)} ms (${(mb / (raw / 1000)).toFixed(0)} MB/s)`,
      `engine + terminal reporter:         ${engine.toFixed(0)} ms (${rate.toFixed(0)} MB/s)`,
      `ratio engine/raw: ${(engine / raw).toFixed(2)}; throughput ${rate.toFixed(0)} MB/s (target ≥ 100 MB/s)`,
    ],
    row: { workload: "log10mb: one step printing 10 MB (engine + terminal)", floorMs: raw, eveMs: engine },
    pass: rate >= 100,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLogThroughput();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
}
