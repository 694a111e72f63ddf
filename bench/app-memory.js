// The app's memory through the whole app (issue 18): the resident memory of npm start's two processes
// (the app process and its stage process) sampled every 50 ms, across a fan-out of BENCH_STAGES one-step
// stages and from a 10 MB to a 1 GB log (targets: flat within 30 MB), and Redis' memory per finished stage
// (bounded: what stays after the fan-out, divided by its stages).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { newSha, startEveApp, waitForWrite } from "./eve-app.js";

const run = promisify(execFile);
const STAGES = Number(process.env.BENCH_STAGES ?? 1000);
const MB = 1024 * 1024;
const children = Array.from({ length: STAGES }, (_, i) => `s${i}`);
const print = (bytes) => `yes 'a line of build output, as a compiler or a test runner would print it: ok 1234' | head -c ${bytes}`;
const localStage = (name, command) => `  ${name}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: "${command}"}\n`;
const BUILD_FILE = `version: 0.2
branches:
  fanout:
    stage: fanout
  log10mb:
    stage: log10mb
  log1gb:
    stage: log1gb
stages:
  fanout:
    worker: {type: local}
    steps:
      - TriggerStages: {stage_names: [${children.join(", ")}]}
${children.map((name) => localStage(name, "true")).join("")}${localStage("log10mb", print(10 * MB))}${localStage("log1gb", print(1024 * MB))}`;

export async function benchAppMemory() {
  const eve = await startEveApp((path) => (path === "eve/main.yml" ? BUILD_FILE : undefined), {
    EVE_WORKER_TYPES: "local",
    EVE_MAX_LOCAL_WORKERS: "4",
    EVE_MAX_STAGES_PER_BUILD: String(STAGES),
  });
  try {
    const processes = await eveProcesses(eve.pid);
    // Warm: one run of each kind of stage before the first figures.
    await runStage(eve, "log10mb");
    const fanout = await sampled(processes, async () => {
      const before = await redisMemory(eve.redisUrl);
      await runStage(eve, "fanout", (sha) => (w) => w.kind === "create" && w.body.head_sha === sha && w.body.name === "fanout");
      return { redisPerStage: ((await redisMemory(eve.redisUrl)) - before) / (STAGES + 1) };
    });
    const small = await sampled(processes, () => runStage(eve, "log10mb"));
    const large = await sampled(processes, () => runStage(eve, "log1gb"));
    const code = await eve.terminate();
    const growth = (name, from, to) => (to.peak[name] - from.base[name]) / MB;
    const fanoutGrowth = Math.max(...Object.keys(processes).map((name) => growth(name, fanout, fanout)));
    const logGrowth = Math.max(...Object.keys(processes).map((name) => (large.peak[name] - small.peak[name]) / MB));
    const describe = (name, s) => `${name} ${(s.base[name] / MB).toFixed(0)} → peak ${(s.peak[name] / MB).toFixed(0)} MB`;
    const per = (s) => Object.keys(processes).map((name) => describe(name, s)).join(", ");
    return {
      name: "(app) memory of npm start's processes and of Redis",
      lines: [
        `${STAGES}-stage fan-out: ${per(fanout)}; growth ${fanoutGrowth.toFixed(1)} MB (target within 30 MB)`,
        `Redis memory left per finished stage run: ${(fanout.redisPerStage / 1024).toFixed(1)} KB (kept for re-runs, history and logs until their retention)`,
        `10 MB log: ${per(small)} (${small.ms.toFixed(0)} ms); 1 GB log: ${per(large)} (${large.ms.toFixed(0)} ms, ${(1024 / (large.ms / 1000)).toFixed(0)} MB/s)`,
        `peak growth from the 10 MB to the 1 GB log: ${logGrowth.toFixed(1)} MB (target within 30 MB)`,
        `SIGTERM → exit code ${code}`,
      ],
      pass: fanoutGrowth <= 30 && logGrowth <= 30 && code === 0,
    };
  } finally {
    await eve.stop();
  }
}

/** Pushes `stage`'s branch and waits for its check run's `completed` write. */
async function runStage(eve, stage, match = (sha) => (w) => w.kind === "create" && w.body.head_sha === sha) {
  const sha = newSha();
  const created = waitForWrite(eve.github, match(sha), 60_000, `${stage}'s check run`);
  await eve.push(sha, stage);
  const { id, body } = await created;
  const done = body.status === "completed" ? body : (await waitForWrite(eve.github, (w) => w.id === id && w.body.status === "completed", 600_000, `${stage} completed`)).body;
  if (done.conclusion !== "success") throw new Error(`${stage} ended ${done.conclusion}: ${done.output?.title}`);
}

/** The app process and its stage process (the app's one node child), by name. */
async function eveProcesses(appPid) {
  const { stdout } = await run("ps", ["--ppid", String(appPid), "-o", "pid=,comm="]);
  const stage = stdout.split("\n").map((line) => line.trim().split(/\s+/)).find(([, comm]) => comm === "node");
  if (!stage) throw new Error("no stage process under the app process");
  return { app: appPid, stages: Number(stage[0]) };
}

/** Runs `work` while sampling the processes' RSS: their RSS before, their peak, and what `work` returned. */
async function sampled(processes, work) {
  const rss = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  const base = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, rss(pid)]));
  const peak = { ...base };
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(processes)) peak[name] = Math.max(peak[name], rss(pid));
  }, 50);
  const start = performance.now();
  try {
    const result = await work();
    return { base, peak, ms: performance.now() - start, ...result };
  } finally {
    clearInterval(timer);
  }
}

async function redisMemory(redisUrl) {
  const { port, hostname } = new URL(redisUrl);
  const { stdout } = await run("redis-cli", ["-h", hostname, "-p", port, "info", "memory"]);
  return Number(/used_memory:(\d+)/.exec(stdout)?.[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchAppMemory();
  process.stdout.write(`${result.name}: ${result.pass ? "ok" : "MISSED"}\n${result.lines.map((l) => `  ${l}\n`).join("")}`);
  process.exitCode = result.pass ? 0 : 1;
}
