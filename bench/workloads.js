// The four workloads of the side-by-side with Buildbot (../shared/bench), through the whole app: from just
// before the signed push to the stand-in receiving the top stage's `completed` check run, medians of
// BENCH_REPS (5) after a warm-up, each interleaved with its raw floor. Issue 18's targets: steps10 ≤ floor
// + 30 ms, log10mb ≥ 100 MB/s with every line kept, fanout50 ≤ 1.1 × floor, docker1 ≤ floor.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureImage, floorStage, IMAGE } from "./docker.js";
import { median, newSha, startEveApp, waitFor, waitForWrite } from "./eve-app.js";

const run = promisify(execFile);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const LOG_LINES = 1_300_000;
const CHILDREN = Array.from({ length: 50 }, (_, i) => `s${i}`);

const BUILD_FILE = `version: 0.2
branches:
  steps10:
    stage: steps10
  log10mb:
    stage: log10mb
  fanout50:
    stage: fanout50
  docker1:
    stage: docker1
stages:
  steps10:
    worker: {type: local}
    steps:
${"      - ShellCommand: {command: 'true'}\n".repeat(10)}  log10mb:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'seq 1 ${LOG_LINES}'}
  fanout50:
    worker: {type: local}
    steps:
      - TriggerStages: {stage_names: [${CHILDREN.join(", ")}]}
${CHILDREN.map((name) => `  ${name}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: 'sleep 0.1'}\n`).join("")}  docker1:
    worker: {type: docker, image: ${IMAGE}}
    steps:
${"      - ShellCommand: {command: 'true'}\n".repeat(3)}`;

/** Each workload's raw floor; log10mb's writes its log in `scratch`. */
const floors = (scratch) => ({
  steps10: () => run("sh", ["-c", "for i in 1 2 3 4 5 6 7 8 9 10; do /bin/sh -c true; done"]),
  log10mb: () => run("sh", ["-c", `seq 1 ${LOG_LINES} > ${join(scratch, "log")}`]),
  fanout50: () => run("sh", ["-c", "seq 50 | xargs -P4 -I{} sh -c 'sleep 0.1'"]),
  docker1: async () => floorStage(),
});

export async function benchWorkloads() {
  ensureImage();
  const eve = await startEveApp((path) => (path === "eve/main.yml" ? BUILD_FILE : undefined), { EVE_WORKER_TYPES: "local,docker", EVE_MAX_LOCAL_WORKERS: "4" });
  // Made here, not when the module loads: profile-app.js imports it for profileWorkload, which has no floor to write.
  const scratch = mkdtempSync(join(tmpdir(), "eve-bench-floor-"));
  const FLOORS = floors(scratch);
  try {
    const rows = [];
    const lines = [];
    let pass = true;
    // BENCH_WORKLOADS=log10mb,steps10: only these.
    const only = process.env.BENCH_WORKLOADS?.split(",");
    for (const workload of Object.keys(FLOORS).filter((name) => only === undefined || only.includes(name))) {
      const floor = [];
      const times = [];
      let failure;
      for (let rep = -1; rep < REPS; rep++) {
        let start = performance.now();
        await FLOORS[workload]();
        const floorMs = performance.now() - start;
        start = performance.now();
        const top = await runWorkload(eve, workload);
        const eveMs = top.at - start;
        failure ??= await check(eve, workload, top);
        if (rep < 0) continue; // warm-up
        floor.push(floorMs);
        times.push(eveMs);
      }
      const f = median(floor);
      const e = median(times);
      const { met, target } = goal(workload, f, e);
      pass &&= met && failure === undefined;
      lines.push(`${workload}: floor ${f.toFixed(0)} ms, Eve ${e.toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), Eve/floor ${(e / f).toFixed(2)}; ${target}: ${met ? "met" : "MISSED"}; ${failure === undefined ? "checks passed" : `check FAILED: ${failure}`}`);
      rows.push({ workload: `${workload}: push → top stage completed on GitHub (through the app)`, floorMs: f, eveMs: e });
    }
    const code = await eve.terminate();
    lines.push(`SIGTERM → exit code ${code}`);
    return { name: `the four side-by-side workloads through the app (medians of ${REPS})`, lines, rows, pass: pass && code === 0 };
  } finally {
    await eve.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs `workload` `reps` times through Eve (started with the caller's BENCH_EVE_NODE_ARGS); returns how many runs. */
export async function profileWorkload(workload, reps) {
  if (workload === "docker1") ensureImage();
  const eve = await startEveApp((path) => (path === "eve/main.yml" ? BUILD_FILE : undefined), { EVE_WORKER_TYPES: "local,docker", EVE_MAX_LOCAL_WORKERS: "4" });
  try {
    for (let rep = 0; rep < reps; rep++) await runWorkload(eve, workload);
    await eve.terminate();
    return reps;
  } finally {
    await eve.stop();
  }
}

/** Pushes the workload's branch; resolves with the top stage's `completed` write (and every child's, for the fan-out). */
async function runWorkload(eve, workload) {
  const sha = newSha();
  const created = waitForWrite(eve.github, (w) => w.kind === "create" && w.body.head_sha === sha && w.body.name === workload, 60_000, `${workload}'s check run`);
  await eve.push(sha, workload);
  const { id, body } = await created;
  const top = body.status === "completed" ? await created : await waitForWrite(eve.github, (w) => w.id === id && w.body.status === "completed", 120_000, `${workload} completed`);
  top.sha = sha;
  top.run = body.details_url.split("/logs/")[1];
  return top;
}

/** Every check run of the push ended `success` (the fan-out's 50 too); log10mb's stored log holds every line, in order. What is wrong, if anything. */
async function check(eve, workload, top) {
  const expected = workload === "fanout50" ? CHILDREN.length + 1 : 1;
  const conclusions = () => {
    const runs = new Map();
    for (const write of eve.github.writes) {
      if (write.kind === "create" && write.body.head_sha === top.sha) runs.set(write.id, write.body.conclusion);
      else if (runs.has(write.id) && write.body.conclusion) runs.set(write.id, write.body.conclusion);
    }
    return [...runs.values()];
  };
  // The children's last writes may trail the top stage's.
  const ended = await waitFor(() => conclusions().length === expected && conclusions().every(Boolean), 60_000).then(() => true, () => false);
  if (!ended) return `${conclusions().filter(Boolean).length} of ${expected} check runs completed`;
  if (!conclusions().every((conclusion) => conclusion === "success")) return `conclusions ${[...new Set(conclusions())].join(", ")}`;
  if (workload !== "log10mb") return undefined;
  const text = await (await fetch(`http://127.0.0.1:${eve.port}/logs/${top.run}/raw`)).text();
  let next = 1;
  for (const line of text.split("\n")) if (line === String(next)) next++;
  return next === LOG_LINES + 1 ? undefined : `the stored log holds lines 1..${next - 1} of ${LOG_LINES} in order (${text.length} characters)`;
}

function goal(workload, floor, eve) {
  switch (workload) {
    case "steps10":
      return { met: eve <= floor + 30, target: "target ≤ floor + 30 ms" };
    case "log10mb": {
      const rate = (9.3 * 1000) / eve; // seq 1 1300000 prints 9.3 MB
      return { met: rate >= 100, target: `${rate.toFixed(0)} MB/s, target ≥ 100 MB/s` };
    }
    case "fanout50":
      return { met: eve <= 1.1 * floor, target: "target ≤ 1.1 × floor" };
    default:
      return { met: eve <= floor, target: "target ≤ floor" };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchWorkloads();
  process.stdout.write(`${result.name}: ${result.pass ? "ok" : "MISSED"}\n${result.lines.map((l) => `  ${l}\n`).join("")}`);
  process.exitCode = result.pass ? 0 : 1;
}
