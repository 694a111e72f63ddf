// `eve run` as a whole process (bin/eve.js, start-up and exit included), its output to a pipe as CI
// logs and `| tee` see it: per-step overhead over `sh -c true` per step, log throughput over the same
// command printing to a pipe, and the process tree's peak RSS (Eve, its spawn helper, the step's
// processes) from a 10 MB to a 1 GB log. EVE_BENCH_LOG_MB makes the large log smaller to try it out;
// EVE_BENCH_EVE runs another build of bin/eve.js (e.g. an older commit's, to compare under one load).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ms, printCommand, runShell } from "./harness.js";

const EVE = process.env.EVE_BENCH_EVE ?? fileURLToPath(new URL("../bin/eve.js", import.meta.url));
const MB = 1024 * 1024;
const STEPS = 100;
const THROUGHPUT_MB = 256;
const LARGE_MB = Number(process.env.EVE_BENCH_LOG_MB ?? 1024);
const PAGE = 4096;

export async function benchEveRunProcess() {
  const loadBefore = loadavg().map((load) => load.toFixed(1)).join(" ");
  const dir = mkdtempSync(join(tmpdir(), "eve-bench-run-"));
  try {
    const steps = writeRepo(dir, "steps", Array.from({ length: STEPS }, (_, i) => `{name: step${i}, command: "true"}`));
    const one = writeRepo(dir, "one", ['{name: step0, command: "true"}']);
    const log = writeRepo(dir, "log", [`{name: print, command: "${printCommand("%(prop:bytes)s")}"}`]);
    await runEve(one); // warm-up: the file cache holds Eve's modules
    let floor = Infinity;
    let eve = Infinity;
    let startUp = Infinity;
    let node = Infinity;
    let eveCpu = Infinity;
    let startUpCpu = Infinity;
    for (let round = 0; round < 3; round++) {
      let start = process.hrtime.bigint();
      for (let i = 0; i < STEPS; i++) await runShell("true");
      floor = Math.min(floor, ms(start));
      const [many, single] = [await runEve(steps), await runEve(one)];
      [eve, eveCpu, startUp, startUpCpu] = [Math.min(eve, many.ms), Math.min(eveCpu, many.cpuMs), Math.min(startUp, single.ms), Math.min(startUpCpu, single.cpuMs)];
      start = process.hrtime.bigint();
      await drain(spawn(process.execPath, ["-e", ""], { stdio: ["ignore", "pipe", "inherit"] }));
      node = Math.min(node, ms(start));
    }
    const perStep = (eve - floor) / STEPS;
    // Start-up and exit (a run of one step over one sh -c true), and what each further step adds over its own floor.
    const fixed = startUp - floor / STEPS;
    const marginal = (eve - startUp) / (STEPS - 1) - floor / STEPS;

    let rawLog = Infinity;
    let eveLog = Infinity;
    let eveLogCpu = Infinity;
    for (let round = 0; round < 3; round++) {
      rawLog = Math.min(rawLog, (await drain(spawn("/bin/sh", ["-c", printCommand(THROUGHPUT_MB * MB)], { stdio: ["ignore", "pipe", "inherit"] }))).ms);
      const run = await runEve(log, THROUGHPUT_MB * MB);
      [eveLog, eveLogCpu] = [Math.min(eveLog, run.ms), Math.min(eveLogCpu, run.cpuMs)];
    }
    const rate = THROUGHPUT_MB / (eveLog / 1000);

    const small = await runEve(log, 10 * MB);
    const large = await runEve(log, LARGE_MB * MB);
    const growth = (large.peakRss - small.peakRss) / MB;
    const mbs = (bytes, time) => `${(bytes / MB / (time / 1000)).toFixed(0)} MB/s`;
    return {
      name: "(eve run) eve run as a whole process, output to a pipe",
      lines: [
        `raw floor: ${STEPS} × sh -c true   ${floor.toFixed(0)} ms (${(floor / STEPS).toFixed(2)} ms/step)`,
        `eve run, ${STEPS} steps:        ${eve.toFixed(0)} ms; of 1 step: ${startUp.toFixed(0)} ms (node -e '': ${node.toFixed(0)} ms)`,
        `ratio eve/raw: ${(eve / floor).toFixed(2)}; overhead ${perStep.toFixed(2)} ms/step, start-up and exit included (target ≤ 2 ms)`,
        `of which start-up and exit ${fixed.toFixed(0)} ms (${(fixed / STEPS).toFixed(2)} ms/step), each step ${marginal.toFixed(2)} ms over its floor`,
        `CPU of eve run's process tree (steps included; steady under load, unlike the times): ${STEPS} steps ${eveCpu.toFixed(0)} ms, 1 step ${startUpCpu.toFixed(0)} ms`,
        `${THROUGHPUT_MB} MB log: sh -c … to a pipe ${rawLog.toFixed(0)} ms (${mbs(THROUGHPUT_MB * MB, rawLog)}); eve run ${eveLog.toFixed(0)} ms (${rate.toFixed(0)} MB/s, target ≥ 100 MB/s)`,
        `CPU of eve run's process tree for the ${THROUGHPUT_MB} MB log: ${eveLogCpu.toFixed(0)} ms (${((eveLogCpu / THROUGHPUT_MB) * 1000).toFixed(0)} µs/MB)`,
        `peak RSS of the process tree: 10 MB log ${(small.peakRss / MB).toFixed(1)} MB, ${LARGE_MB} MB log ${(large.peakRss / MB).toFixed(1)} MB (${mbs(LARGE_MB * MB, large.ms)}); growth ${growth.toFixed(1)} MB (target: within 20 MB)`,
        `Eve's own peak RSS: ${(small.evePeak / MB).toFixed(1)} MB → ${(large.evePeak / MB).toFixed(1)} MB; load average before: ${loadBefore}`,
      ],
      row: { workload: `eve run: ${STEPS} × true, then a ${THROUGHPUT_MB} MB log, to a pipe`, floorMs: floor + rawLog, eveMs: eve + eveLog },
      pass: perStep <= 2 && rate >= 100 && Math.abs(growth) <= 20,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A directory with eve/main.yml: one local stage with these ShellCommand steps (yaml flow mappings). */
function writeRepo(base, name, steps) {
  const dir = join(base, name);
  mkdirSync(join(dir, "eve"), { recursive: true });
  const lines = ["version: 0.2", "branches:", "  default: {stage: bench}", "stages:", "  bench:", "    worker: {type: local}", "    steps:"];
  writeFileSync(join(dir, "eve/main.yml"), `${[...lines, ...steps.map((step) => `      - ShellCommand: ${step}`)].join("\n")}\n`);
  return dir;
}

/** `eve run` of DIR, its stdout read from a pipe; `bytes` sets the `bytes` property. Fails unless it exits 0. */
async function runEve(dir, bytes) {
  const args = [EVE, "run", "--dir", dir, "--artifacts", join(dir, "artifacts"), ...(bytes === undefined ? [] : ["--property", `bytes=${bytes}`])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const tree = watchTree(child.pid);
  const result = await drain(child);
  tree.stop();
  return { ...result, peakRss: tree.peak, evePeak: tree.evePeak, cpuMs: tree.cpuMs };
}

/** Reads the child's stdout to the end and waits for it to exit 0. */
function drain(child) {
  const start = process.hrtime.bigint();
  let bytes = 0;
  child.stdout.on("data", (chunk) => {
    bytes += chunk.length;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve({ ms: ms(start), bytes }) : reject(new Error(`${child.spawnargs.join(" ")} exited ${code}`))));
  });
}

/**
 * Samples the summed RSS of the process tree under `pid` every 5 ms (its peak), and the root's own
 * high-water mark (VmHWM, exact).
 */
function watchTree(pid) {
  const state = { peak: 0, evePeak: 0 };
  /** CPU ms of each member, its waited children's included (the step processes are the helper's). */
  const cpu = new Map();
  const sample = () => {
    let total = 0;
    for (const member of descendants(pid)) {
      total += rssOf(member);
      cpu.set(member, Math.max(cpu.get(member) ?? 0, cpuOf(member)));
    }
    state.peak = Math.max(state.peak, total);
    state.evePeak = Math.max(state.evePeak, highWaterOf(pid));
  };
  const timer = setInterval(sample, 5);
  return {
    stop: () => clearInterval(timer),
    get peak() {
      return state.peak;
    },
    get evePeak() {
      return state.evePeak;
    },
    /** As last sampled: what the tree ran after the last sample is missing (≤ 5 ms of each process). */
    get cpuMs() {
      return [...cpu.values()].reduce((sum, ms) => sum + ms, 0);
    },
  };
}

function descendants(pid) {
  const found = [pid];
  for (let i = 0; i < found.length; i++) {
    const at = found[i];
    try {
      for (const task of readdirSync(`/proc/${at}/task`)) {
        for (const child of readFileSync(`/proc/${at}/task/${task}/children`, "utf8").split(" ")) if (child) found.push(Number(child));
      }
    } catch {
      // Gone between two reads.
    }
  }
  return found;
}

function rssOf(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE;
  } catch {
    return 0;
  }
}

/** utime + stime + cutime + cstime, in ms (USER_HZ is 100 on Linux). */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

function highWaterOf(pid) {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchEveRunProcess();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
}
