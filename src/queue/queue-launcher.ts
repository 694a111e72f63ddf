/**
 * The StageLauncher of queued builds: each triggered stage becomes its own job
 * in its worker type's queue, so they run in parallel on any worker process.
 * With waitForFinish the parent waits for their outcomes through QueueEvents.
 *
 * Deadlock: a parent waiting for children must not hold a slot its children
 * need. While it waits, the parent gives its slot back (`slots.whileWaiting`
 * raises its worker's concurrency by one), so a process whose every slot is a
 * waiting parent still takes children. Capacity therefore counts stages that
 * run steps, not parents that only wait — as Eve's pool counted workers.
 */
import type { BuildFile } from "../buildfile/types.js";
import { setMaxListeners } from "node:events";
import { createChildProperties } from "../engine/child-properties.js";
import type { LaunchRequest, StageLauncher, StageOutcome } from "../engine/types.js";
import { enqueueStage } from "./enqueue-stage.js";
import { getRunId, type StageJobData, type StageJobResult } from "./job-data.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";

/** Lets a running job give its capacity slot back while it only waits. */
export interface SlotControl {
  whileWaiting<T>(wait: () => Promise<T>): Promise<T>;
}

export interface QueueLauncherOptions {
  queues: StageQueues;
  reporter: RunReporter;
  /** The job of the stage that triggers. */
  parent: StageJobData;
  buildFile: BuildFile;
  slots: SlotControl;
}

export function createQueueLauncher(options: QueueLauncherOptions): StageLauncher {
  const { queues, reporter, parent, buildFile, slots } = options;
  return {
    async launch(request: LaunchRequest): Promise<StageOutcome[]> {
      const children: StageJobData[] = [];
      for (const name of request.stages) {
        const def = buildFile.stages.get(name);
        if (!def) throw new Error(`stage '${name}' is not defined in the build file`);
        const attempt = request.parent.attempt;
        const child: StageJobData = {
          ...parent,
          stage: { build: request.parent.build, stage: name, attempt, run: getRunId(request.parent.build, name, attempt, request.parent.run) },
          workerType: def.worker.type,
          parent: request.parent,
          properties: createChildProperties(request.properties, request.parent.stage, name, def),
          forcedProperties: [...(request.forcedProperties ?? [])],
          checkRunId: undefined,
        };
        children.push(child);
      }
      await Promise.all(children.map((child) => enqueueStage(queues, reporter, child)));
      if (!request.wait) return [];
      // One abort listener per waited child: a wide trigger is not a leak.
      setMaxListeners(0, request.signal);
      return slots.whileWaiting(() => Promise.all(children.map((child) => waitForOutcome(queues, child, request.signal))));
    },
  };
}

async function waitForOutcome(queues: StageQueues, child: StageJobData, signal: AbortSignal): Promise<StageOutcome> {
  const started = Date.now();
  const fallback = (result: StageOutcome["result"], summary: string): StageOutcome => ({
    name: child.stage.stage,
    result,
    durationMs: Date.now() - started,
    steps: [],
    summary,
    properties: child.properties,
  });
  const queue = queues.queue(child.workerType);
  const events = await queues.events(child.workerType);
  const runId = child.stage.run;
  // Events wake us at once; the state check after each wake (and every few seconds)
  // is the source of truth, so a missed event only costs a poll interval.
  for (;;) {
    if (signal.aborted) return fallback("cancelled", abortReason(signal));
    // The state first, then the job: a job read before it completes has no return value yet.
    const state = await queue.getJobState(runId);
    // Removed: its build was cancelled before it started.
    if (state === "unknown") return fallback("cancelled", "cancelled before it started");
    if (state === "completed" || state === "failed") {
      const job = await queue.getJob(runId);
      const result = job?.returnvalue as StageJobResult | null | undefined;
      if (state === "completed" && result) return result.outcome;
      return fallback("exception", `exception: ${job?.failedReason ?? "the stage's worker failed"}`);
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        emitter.off(`completed:${runId}`, done);
        emitter.off(`failed:${runId}`, done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      // Per-job event names are not in BullMQ's listener types.
      const emitter = events as unknown as NodeJS.EventEmitter;
      emitter.on(`completed:${runId}`, done);
      emitter.on(`failed:${runId}`, done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

const POLL_MS = 2_000;

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? `cancelled: ${reason.message}` : "cancelled";
}
