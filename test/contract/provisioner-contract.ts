/**
 * What every provisioner must do, run against each worker type's real
 * back-end (local processes, the Docker Engine, the Kubernetes stand-in, …):
 * `describeProvisionerContract(target)` in one `<type>.contract.test.ts` per
 * type (BullMQ adapter-conformance style). The provisioner and the reaper's
 * sweepers are built from the worker type's module, through the registry, as
 * the app builds them.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerSpec } from "../../src/buildfile/types.js";
import { loadWorkerSettings, type WorkerSettings } from "../../src/config/load-worker-settings.js";
import { spawnStepsInThisProcess } from "../../src/provisioners/local/run-process.js";
import { reapOrphans } from "../../src/provisioners/reaper.js";
import { createProvisionerRegistry, createWorkerSweepers } from "../../src/provisioners/registry.js";
import type { ExecOptions, ExecResult, OutputStream, Provisioner, ResourceLabels, SpawnContext, StepCommand, Workspace } from "../../src/provisioners/types.js";
import type { WorkerContext } from "../../src/provisioners/worker-type-module.js";

/** One worker type with its back-end, as the contract drives it. */
export interface ProvisionerTarget {
  type: string;
  /** The environment the type's settings are read from (how to reach the back-end). */
  env: NodeJS.ProcessEnv;
  context: WorkerContext;
  spec: WorkerSpec;
  /** The repository checkout on the Eve host, for types that read files of it. */
  repoDir: string | undefined;
  /**
   * The exit code of a step killed by SIGKILL: null where Eve sees the signal
   * (a local process); 137 (128 + 9, as a shell reports it) where an exec API
   * gives only a number (a container's, a pod's).
   */
  killedBySignalExitCode: null | 137;
  /** The labels of every resource of `instance` still on the back-end, as Eve wrote them. */
  listResources(instance: string): Promise<Record<string, string>[]>;
  /** The back-end loses the workspace's resources behind Eve's back (a container or pod removed, a directory deleted). */
  loseResource(workspace: Workspace): Promise<void>;
  /** `type: local` only: steps start from the process itself, as in `eve run` (spawnStepsInThisProcess), not through the spawn helper. */
  stepsInThisProcess?: boolean;
}

// A full collection before each measure, so that garbage not yet collected does not count as held.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/**
 * How much the test process may grow while 200 MB flow through a slow
 * consumer (measured: 35–50 MB once the streams' buffers and pools are in
 * place, then flat), and how much more over the last 100 MB (measured: < 6 MB).
 * A producer that did not wait would hold up to 200 MB.
 */
// 128 MB: the kube_pod run counts the in-process API stand-in's buffers too (98 MB once in a whole-suite run).
const MAX_RSS_GROWTH = 128 * 1024 ** 2;
// RSS is the allocator's view, not the live data: a full run on a loaded machine once measured 24.8 MB of
// creep with nothing held. 40 MB still fails a producer that did not wait: it adds 100 MB over that stretch.
const MAX_RSS_CREEP = 40 * 1024 ** 2;
/** Chunks a producer may hand over while the consumer has not caught up (the local spawn helper keeps 4 in flight). */
const MAX_CHUNKS_IN_FLIGHT = 8;
const BIG_OUTPUT = 200 * 1024 ** 2;

export function describeProvisionerContract(name: string, getTarget: () => ProvisionerTarget): void {
  describe(`${name} provisioner (contract)`, () => {
    const instance = `contract-${randomUUID().slice(0, 8)}`;
    let target: ProvisionerTarget;
    let settings: WorkerSettings;
    let provisioner: Provisioner;
    /** One workspace for the steps that do not end it. */
    let shared: Workspace;

    const spawnWorkspace = (labels: Partial<ResourceLabels> = {}): Promise<Workspace> => provisioner.spawn(target.spec, spawnContext(target, { instance, ...labels }));

    beforeAll(async () => {
      target = getTarget();
      if (target.stepsInThisProcess) spawnStepsInThisProcess();
      const loaded = loadWorkerSettings(target.env);
      expect(loaded.errors).toEqual([]);
      settings = loaded.settings;
      const found = createProvisionerRegistry(settings, target.context).get(target.type);
      if (!found) throw new Error(`no ${target.type} provisioner with these settings`);
      provisioner = found;
      shared = await spawnWorkspace();
    }, 120_000);

    afterAll(async () => {
      await shared?.teardown();
      expect(await target.listResources(instance)).toEqual([]);
    }, 120_000);

    it.each([
      ["exit 0", { shell: "exit 0" }, 0],
      ["exit 1", { shell: "echo failing >&2; exit 1" }, 1],
      ["a command not found", { argv: ["/nonexistent/tool"] }, 127],
      ["exit 255", { argv: ["sh", "-c", "exit 255"] }, 255],
    ] satisfies [string, StepCommand, number][])("reports the exact exit code of %s", async (_what, command, exitCode) => {
      const result = await run(shared, command);

      expect(result).toMatchObject({ exitCode, killedBy: null });
    });

    it("reports a step killed by a signal it did not get from Eve", async () => {
      const result = await run(shared, { shell: "kill -9 $$" });

      expect(result).toMatchObject({ exitCode: target.killedBySignalExitCode, killedBy: null });
    });

    it("runs in the workdir, created if missing, with exactly the step's environment", async () => {
      const workdir = `${shared.builderDir}/build/sub dir`;

      const result = await run(shared, { shell: 'pwd; echo "x=$X y=${Y:-unset} leak=${EVE_CONTRACT_LEAK:-none}"' }, { workdir, env: { X: "1 2" } });

      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`${workdir}\nx=1 2 y=unset leak=none\n`);
    });

    it("keeps stdout and stderr apart, each in order, as they were written", async () => {
      const script = "echo out-1; sleep 0.3; echo err-1 >&2; sleep 0.3; echo out-2; sleep 0.3; echo err-2 >&2";

      const result = await run(shared, { shell: script });

      expect(result.exitCode).toBe(0);
      expect(result.chunks.map(([stream, text]) => `${stream}:${text}`).join("")).toBe("stdout:out-1\nstderr:err-1\nstdout:out-2\nstderr:err-2\n");
    });

    it("holds the step back while the consumer is slow: 200 MB pass with the test process's memory flat", async () => {
      let bytes = 0;
      let stalls = 0;
      let nextStall = 0;
      let stalled = false;
      /** Chunks delivered during each stall: a producer may keep a few in flight, not the next 50 MB (about 800 chunks). */
      const deliveredWhileStalled: number[] = [];
      const growth: number[] = [];
      collectGarbage();
      const before = process.memoryUsage().rss;

      const result = await shared.exec(
        { shell: `head -c ${BIG_OUTPUT} /dev/zero` },
        execOptions(shared, {
          onOutput: async (chunk) => {
            if (stalled) deliveredWhileStalled[deliveredWhileStalled.length - 1]! += 1;
            bytes += chunk.length;
            if (bytes < nextStall || nextStall >= BIG_OUTPUT) return;
            // A stalled consumer: a producer that did not wait would pile its output up in this process now.
            nextStall += BIG_OUTPUT / 4;
            stalls++;
            stalled = true;
            deliveredWhileStalled.push(0);
            await new Promise((resolve) => setTimeout(resolve, 400));
            collectGarbage();
            growth.push(process.memoryUsage().rss - before);
            stalled = false;
          },
        }),
      );

      expect(result).toMatchObject({ exitCode: 0, killedBy: null });
      expect(bytes).toBe(BIG_OUTPUT);
      expect(stalls).toBe(4);
      expect(Math.max(...deliveredWhileStalled)).toBeLessThanOrEqual(MAX_CHUNKS_IN_FLIGHT);
      expect(Math.max(...growth)).toBeLessThan(MAX_RSS_GROWTH);
      expect((growth[3] ?? 0) - (growth[1] ?? 0)).toBeLessThan(MAX_RSS_CREEP);
    }, 120_000);

    it("kills a step that prints nothing for longer than its timeout", async () => {
      const result = await run(shared, { shell: "echo start; sleep 60" }, { timeoutMs: 500 });

      expect(result).toMatchObject({ exitCode: null, killedBy: "timeout", stdout: "start\n" });
      expect(result.durationMs).toBeLessThan(30_000);
    });

    it("kills a step past its maxTime, even while it prints", async () => {
      const result = await run(shared, { shell: "while :; do echo tick; sleep 0.1; done" }, { maxTimeMs: 800 });

      expect(result).toMatchObject({ exitCode: null, killedBy: "maxTime" });
      expect(result.durationMs).toBeLessThan(30_000);
    });

    it("cancels a running step, with the processes it started", async () => {
      const controller = new AbortController();
      const pidFile = `${shared.builderDir}/cancelled.pid`;

      const result = await run(shared, { shell: `sleep 60 & echo $! > '${pidFile}'; echo started; wait` }, { signal: controller.signal, onLine: () => controller.abort() });
      // Gone, or a zombie its new parent has not reaped yet; the kill may take a moment to land.
      const left = await run(shared, { shell: `pid=$(cat '${pidFile}'); for i in $(seq 100); do state=$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null); if [ -z "$state" ] || [ "$state" = Z ]; then echo gone; exit; fi; sleep 0.1; done; echo alive` });

      expect(result).toMatchObject({ exitCode: null, killedBy: "cancel", stdout: "started\n" });
      expect(left.stdout).toBe("gone\n");
    });

    it("kills a step that ignores SIGTERM once the grace is over", async () => {
      const result = await run(shared, { shell: "trap '' TERM; echo go; sleep 600" }, { timeoutMs: 300, killGraceMs: 300 });

      expect(result).toMatchObject({ exitCode: null, killedBy: "timeout" });
      expect(result.durationMs).toBeLessThan(30_000);
    });

    it("labels every resource with the instance, build, stage, attempt, run and owner", async () => {
      const labels = { build: "b-labels", stage: "a stage", attempt: 2, run: `run-${randomUUID().slice(0, 8)}` };
      const workspace = await spawnWorkspace(labels);
      try {
        const resources = (await target.listResources(instance)).filter((resource) => resource["eve.run"] === labels.run);

        expect(resources.length).toBeGreaterThan(0);
        for (const resource of resources) {
          expect(resource).toMatchObject({ "eve.instance": instance, "eve.build": labels.build, "eve.stage": labels.stage, "eve.attempt": "2", "eve.run": labels.run, "eve.owner.pid": String(process.pid) });
        }
      } finally {
        await workspace.teardown();
      }
    });

    it("tears down twice, at once and again, and leaves nothing", async () => {
      const before = await target.listResources(instance);
      const workspace = await spawnWorkspace();
      expect((await target.listResources(instance)).length).toBeGreaterThan(before.length);

      await Promise.all([workspace.teardown(), workspace.teardown()]);
      await workspace.teardown();

      expect(await target.listResources(instance)).toEqual(before);
    });

    it("tears down without error after the back-end lost the resource", async () => {
      const before = await target.listResources(instance);
      const workspace = await spawnWorkspace();
      await target.loseResource(workspace);

      await workspace.teardown();

      expect(await target.listResources(instance)).toEqual(before);
    });

    it("leaves to the reaper what an Eve killed with SIGKILL in the middle of a step left behind", async () => {
      const dead = `${instance}-killed`;
      await spawnAndKill(target, dead);
      expect((await target.listResources(dead)).length).toBeGreaterThan(0);

      // `eve reap`'s judge: the owning process of this host is gone.
      const reaped = await reapOrphans({ instance: dead, sweepers: await createWorkerSweepers(settings, [target.type], target.context) });

      expect(reaped.filter((resource) => resource.error !== undefined)).toEqual([]);
      expect(reaped.length).toBeGreaterThan(0);
      expect(await target.listResources(dead)).toEqual([]);
    }, 120_000);
  });
}

function spawnContext(target: ProvisionerTarget, labels: Partial<ResourceLabels>): SpawnContext {
  return {
    labels: { instance: "contract", build: "b1", stage: "contract", attempt: 1, run: `run-${randomUUID().slice(0, 12)}`, ...labels },
    repoDir: target.repoDir,
    interpolate: (value) => value,
    log: () => undefined,
    signal: new AbortController().signal,
  };
}

function execOptions(workspace: Workspace, overrides: Partial<ExecOptions> = {}): ExecOptions {
  return {
    workdir: `${workspace.builderDir}/build`,
    env: {},
    timeoutMs: 60_000,
    maxTimeMs: 120_000,
    killGraceMs: 1_000,
    usePty: false,
    onOutput: () => undefined,
    signal: new AbortController().signal,
    ...overrides,
  };
}

interface StepRun extends ExecResult {
  stdout: string;
  chunks: [OutputStream, string][];
}

/** Runs one step, collecting its output; `onLine` sees each chunk once it is collected. */
async function run(workspace: Workspace, command: StepCommand, overrides: Partial<ExecOptions> & { onLine?: (text: string) => void } = {}): Promise<StepRun> {
  const chunks: [OutputStream, string][] = [];
  const { onLine, ...options } = overrides;
  const result = await workspace.exec(
    command,
    execOptions(workspace, {
      ...options,
      onOutput: (chunk, stream) => {
        const text = chunk.toString();
        const last = chunks.at(-1);
        // Chunk boundaries are the transport's: glue consecutive chunks of one stream.
        if (last && last[0] === stream) last[1] += text;
        else chunks.push([stream, text]);
        onLine?.(text);
      },
    }),
  );
  const stdout = chunks.filter(([stream]) => stream === "stdout").map(([, text]) => text).join("");
  return { ...result, stdout, chunks };
}

/**
 * An Eve process (test/contract/spawn-then-hang.mjs, on the built code) spawns
 * a workspace and starts a step in it; it is killed with SIGKILL once the step
 * runs, so nothing of Eve tears anything down.
 */
async function spawnAndKill(target: ProvisionerTarget, instance: string): Promise<void> {
  const request = { type: target.type, env: target.env, context: target.context, spec: target.spec, repoDir: target.repoDir, instance, stepsInThisProcess: target.stepsInThisProcess === true };
  const child = spawn(process.execPath, [join(import.meta.dirname, "spawn-then-hang.mjs"), JSON.stringify(request)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith("running ")) break;
    }
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}
