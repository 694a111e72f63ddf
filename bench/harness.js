// Runs one stage through the real engine (dist/) on a local worker. Shared by the benches.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStage } from "../dist/engine/run-stage.js";
import { InProcessLauncher } from "../dist/engine/in-process-launcher.js";
import { loadWorkerSettings } from "../dist/config/load-worker-settings.js";
import { createProvisionerRegistry } from "../dist/provisioners/registry.js";

export const SETTINGS = { maxStepDurationSec: 14400, defaultTimeoutSec: 1200, killGraceSec: 5, allowMasterShellCommand: false };

/** A build file of one local stage with these steps ([type, params] pairs). */
export function buildFileOf(steps) {
  const stage = { name: "bench", worker: { type: "local" }, steps: steps.map(([type, params], i) => ({ type, params, path: `/stages/bench/steps/${i}` })) };
  return { version: "0.2", branches: [{ pattern: "default", stage: "bench" }], stages: new Map([["bench", stage]]) };
}

export const silentObserver = {
  stageStarted() {},
  stepStarted() {},
  output() {},
  info() {},
  stepFinished() {},
  stageFinished() {},
};

/** `extra`: `{ services, properties }` for steps that need them (Upload). */
export async function runBenchStage(buildFile, observer = silentObserver, secrets = [], extra = {}) {
  const baseDir = mkdtempSync(join(tmpdir(), "eve-bench-"));
  try {
    const common = {
      buildFile,
      secrets: { get: () => undefined, values: () => secrets },
      provisioners: createProvisionerRegistry(loadWorkerSettings({}).settings, { workersDir: baseDir }),
      observer,
      settings: SETTINGS,
      instance: "bench",
      repoDir: undefined,
      ...(extra.services ? { services: extra.services } : {}),
    };
    const outcome = await runStage({
      ...common,
      launcher: new InProcessLauncher(common),
      stage: { build: "bench", stage: "bench", attempt: 1, run: "bench" },
      properties: extra.properties ?? {},
      signal: new AbortController().signal,
    });
    if (outcome.result !== "success") throw new Error(`bench stage ended ${outcome.result}: ${outcome.summary}`);
    return outcome;
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }
}

/** The raw floor: `sh -c COMMAND` spawned directly, output to /dev/null. */
export function runShell(command) {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`sh -c ${command} exited ${code}`))));
  });
}

export function ms(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A command printing `bytes` of log-like text lines. */
export function printCommand(bytes) {
  return `yes 'a line of build output, as a compiler or a test runner would print it: ok 1234' | head -c ${bytes}`;
}
