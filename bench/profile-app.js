// Where the main threads of the app's processes spend their time: runs bench/app.js's fan-out (or, with
// `--workload W`, BENCH_REPS runs of one of bench/workloads.js's four) with Eve under `node --cpu-prof`, then
// groups the samples by the innermost Eve module (dist/<file>) or package (node_modules/<pkg>) on each
// sample's stack, in ms per stage or per run (Eve's start-up included). Not timed: the profiler slows Eve.
//   BENCH_STAGES=300 BENCH_WEBHOOKS=20 node bench/profile-app.js [--top N]
//   BENCH_REPS=3 node bench/profile-app.js --workload log10mb [--keep] (--keep: leave the .cpuprofile files, e.g. for DevTools)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const option = (name) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const top = Number(option("--top") ?? 30);
const workload = option("--workload");
const dir = mkdtempSync(join(tmpdir(), "eve-profile-"));
process.env.BENCH_EVE_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${dir}`;
process.env.BENCH_STAGES ??= "300";
process.env.BENCH_WEBHOOKS ??= "20";
process.env.BENCH_REPS ??= "3";
try {
  let units;
  if (workload === undefined) {
    const { benchApp } = await import("./app.js");
    const result = await benchApp();
    for (const line of result.lines) process.stdout.write(`  ${line}\n`);
    units = Number(process.env.BENCH_STAGES) + Number(process.env.BENCH_WEBHOOKS) + 1;
  } else {
    const { profileWorkload } = await import("./workloads.js");
    units = await profileWorkload(workload, Number(process.env.BENCH_REPS));
  }
  // npm start's two processes write one profile each: the app process's and its stage process's.
  const files = readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"));
  if (files.length === 0) throw new Error("Eve wrote no .cpuprofile");
  for (const file of files) process.stdout.write(`${file}\n${summarize(JSON.parse(readFileSync(join(dir, file), "utf8")), units, top)}`);
} finally {
  if (process.argv.includes("--keep")) process.stdout.write(`profiles kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

/** Self time of each sample charged to the innermost frame of Eve or of a package; the rest by kind. */
function summarize(profile, stages, limit) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const groupOf = new Map();
  const group = (id) => {
    if (groupOf.has(id)) return groupOf.get(id);
    let name;
    for (let at = id; at !== undefined && name === undefined; at = parent.get(at)) name = owner(byId.get(at).callFrame);
    name ??= kind(byId.get(id).callFrame);
    groupOf.set(id, name);
    return name;
  };
  const totals = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const name = group(id);
    if (name === "(idle)") return;
    busy += us;
    totals.set(name, (totals.get(name) ?? 0) + us);
  });
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, limit);
  return [
    `main thread not idle: ${(busy / 1000).toFixed(0)} ms, ${(busy / 1000 / stages).toFixed(2)} ms per unit over ${stages} (stages, or runs of the workload)`,
    ...rows.map(([name, us]) => `${(us / 1000 / stages).toFixed(2).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`),
    "",
  ].join("\n");
}

function owner({ url }) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const eve = /\/dist\/(.+)\.js$/.exec(url);
  return eve ? `eve ${eve[1]}` : undefined;
}

function kind({ url, functionName }) {
  if (functionName === "(idle)" || functionName === "(program)" || functionName === "(garbage collector)") return functionName;
  if (url.startsWith("node:")) return `node ${url.slice(5).split("/")[0]}`;
  return "native/builtin";
}
