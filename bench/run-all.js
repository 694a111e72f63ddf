// Every bench, after `npm run build`. Prints figures as ratios against the raw floor; exit 1 if a target is missed.
import { benchApp } from "./app.js";
import { benchAppMemory } from "./app-memory.js";
import { benchDocker } from "./docker.js";
import { benchEveRunProcess } from "./eve-run-process.js";
import { benchLogMemory } from "./log-memory.js";
import { benchLogStore } from "./log-store.js";
import { benchLint } from "./lint.js";
import { benchLogThroughput } from "./log-throughput.js";
import { benchSteps } from "./steps.js";
import { benchUpload } from "./upload.js";
import { benchWorkloads } from "./workloads.js";

let failed = false;
/** The benches with a raw floor to set against: one row each in the closing table. */
const rows = [];
for (const bench of [benchWorkloads, benchSteps, benchLogThroughput, benchLogMemory, benchLogStore, benchDocker, benchApp, benchAppMemory, benchLint, benchUpload, benchEveRunProcess]) {
  const result = await bench();
  failed ||= !result.pass;
  rows.push(...(result.rows ?? []));
  if (result.row) rows.push(result.row);
  process.stdout.write(`${result.name}: ${result.pass ? "ok" : "MISSED"}\n${result.lines.map((l) => `  ${l}\n`).join("")}`);
}
const seconds = (ms) => `${(ms / 1000).toFixed(3)} s`;
process.stdout.write(
  ["", "| workload | raw floor | Eve | Eve/floor |", "|---|---|---|---|", ...rows.map((r) => `| ${r.workload} | ${seconds(r.floorMs)} | ${seconds(r.eveMs)} | ${(r.eveMs / r.floorMs).toFixed(2)} |`), ""].join("\n"),
);
process.exitCode = failed ? 1 : 0;
