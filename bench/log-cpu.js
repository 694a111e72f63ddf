// CPU time a log costs through the whole app (issue 18): a stage printing BENCH_LOG_MB (default 10) MB
// (`seq`), BENCH_REPS (default 5) times after a warm-up, with the CPU time (user + system, from /proc) of
// npm start's app process, its stage process and Redis per run and per MB. CPU time, unlike wall time,
// hardly moves when other work shares the machine's cores, so before/after comparisons hold.
//   BENCH_LOG_MB=100 node bench/log-cpu.js
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { newSha, startEveApp, waitForWrite } from "./eve-app.js";

const MB = Number(process.env.BENCH_LOG_MB ?? 10);
const REPS = Number(process.env.BENCH_REPS ?? 5);
// seq 1 N prints about 7.2 bytes a line at these sizes.
const LINES = Math.round((MB * 1e6) / 7.15);
const BUILD_FILE = `version: 0.2
branches:
  log:
    stage: log
stages:
  log:
    worker: {type: local}
    steps:
      - ShellCommand: {command: 'seq 1 ${LINES}'}
`;

const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString());

/** CPU milliseconds (user + system) the process (or `pid/task/tid`, one thread) has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

export async function benchLogCpu() {
  const eve = await startEveApp((path) => (path === "eve/main.yml" ? BUILD_FILE : undefined), { EVE_WORKER_TYPES: "local" });
  try {
    const stagePid = Number(execFileSync("ps", ["--ppid", String(eve.pid), "-o", "pid=,comm="]).toString().split("\n").find((line) => line.includes("node"))?.trim().split(/\s+/)[0]);
    const redisPid = Number(execFileSync("redis-cli", ["-u", eve.redisUrl, "info", "server"]).toString().match(/process_id:(\d+)/)?.[1]);
    const pids = { app: eve.pid, stage: stagePid, redis: redisPid };
    // The stage process's main thread apart: its other threads are V8's (GC) and libuv's pool (Brotli, files).
    const sample = () => ({ ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)])), "stage main thread": cpuMs(`${stagePid}/task/${stagePid}`) });
    await runLog(eve);
    const before = sample();
    const start = performance.now();
    for (let rep = 0; rep < REPS; rep++) await runLog(eve);
    const wallMs = (performance.now() - start) / REPS;
    const after = sample();
    const per = Object.fromEntries(Object.keys(before).map((name) => [name, (after[name] - before[name]) / REPS]));
    const describe = (name) => `${name} ${per[name].toFixed(0)} ms (${(per[name] / MB).toFixed(1)} ms/MB)`;
    return {
      name: `(app) CPU time of a ${MB} MB log through the app, per run (mean of ${REPS})`,
      lines: [`${Object.keys(per).map(describe).join(", ")}; wall ${wallMs.toFixed(0)} ms (${(MB / (wallMs / 1000)).toFixed(0)} MB/s)`],
      pass: true,
    };
  } finally {
    await eve.stop();
  }
}

async function runLog(eve) {
  const sha = newSha();
  const created = waitForWrite(eve.github, (w) => w.kind === "create" && w.body.head_sha === sha, 60_000, "the log stage's check run");
  await eve.push(sha, "log");
  const { id, body } = await created;
  const done = body.status === "completed" ? body : (await waitForWrite(eve.github, (w) => w.id === id && w.body.status === "completed", 600_000, "the log stage completed")).body;
  if (done.conclusion !== "success") throw new Error(`the log stage ended ${done.conclusion}: ${done.output?.title}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLogCpu();
  process.stdout.write(`${result.name}\n${result.lines.map((l) => `  ${l}\n`).join("")}`);
}
