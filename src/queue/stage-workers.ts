/**
 * The BullMQ workers of one process: one per enabled worker type, each taking
 * at most `capacity[type]` stages at once from its type's queue.
 */
import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerType } from "../buildfile/types.js";
import type { StageJobData, StageJobResult } from "./job-data.js";
import type { SlotControl } from "./queue-launcher.js";
import { createRedisConnection, getQueueName, type StageQueues } from "./queues.js";
import type { StageProcessor } from "./stage-processor.js";

export interface StageWorkersOptions {
  queues: StageQueues;
  types: readonly WorkerType[];
  capacity: Readonly<Record<WorkerType, number>>;
  /** Built with `slots`, which the processor's launcher uses to give slots back while waiting. */
  createProcessor(slots: (type: WorkerType) => SlotControl): StageProcessor;
  onError(error: Error): void;
  /** A job failed without an outcome (its processor threw, or its worker was lost twice): its check run must still end. */
  onFailed?(job: Job<StageJobData, StageJobResult>, error: Error): void;
  /** A job whose lock renewal fails (another worker may take it) is aborted with this reason. */
  lockLostReason?(runId: string): string;
  /** How long a job's lock lasts without renewal: a dead process's stages are taken over after about this long (default 60 s). */
  lockDurationMs?: number;
}

export interface StageWorkers {
  /** Stops taking stages and waits for the running ones to end. */
  close(): Promise<void>;
  /** Aborts every running stage of this process (their processors see BullMQ's signal abort with `reason`). */
  cancelAll(reason: string): void;
}

export async function startStageWorkers(options: StageWorkersOptions): Promise<StageWorkers> {
  const workers = new Map<WorkerType, Worker<StageJobData, StageJobResult>>();
  const connections: Redis[] = [];
  const slots = (type: WorkerType): SlotControl => ({
    async whileWaiting(wait) {
      const worker = workers.get(type);
      // A parent of a type this process does not run cannot be here; keep the guard cheap.
      if (!worker) return wait();
      worker.concurrency = worker.concurrency + 1;
      wakeMainLoop(worker);
      try {
        return await wait();
      } finally {
        worker.concurrency = Math.max(1, worker.concurrency - 1);
      }
    },
  });
  const processor = options.createProcessor(slots);
  for (const type of options.types) {
    const connection = createRedisConnection(options.queues.redisUrl);
    connections.push(connection);
    const worker = new Worker<StageJobData, StageJobResult>(getQueueName(type), processor, {
      connection,
      prefix: options.queues.prefix,
      concurrency: options.capacity[type] ?? 1,
      // Stages run for hours; the lock is renewed every lockDuration/2 while the process lives.
      lockDuration: options.lockDurationMs ?? 60_000,
      stalledInterval: Math.max(1_000, Math.round((options.lockDurationMs ?? 60_000) / 2)),
      // A stage whose process died runs once more elsewhere; a second loss fails it.
      maxStalledCount: 1,
    });
    worker.on("error", options.onError);
    if (options.onFailed) {
      const onFailed = options.onFailed;
      worker.on("failed", (job, error) => {
        if (job) onFailed(job, error);
      });
    }
    // Lost locks: another process may take the stage, so this one must stop running it.
    const lockLostReason = options.lockLostReason;
    if (lockLostReason) worker.on("lockRenewalFailed", (ids) => ids.forEach((id) => worker.cancelJob(id, lockLostReason(id))));
    workers.set(type, worker);
  }
  await Promise.all([...workers.values()].map((worker) => worker.waitUntilReady()));
  return {
    async close() {
      await Promise.all([...workers.values()].map((worker) => worker.close()));
      await Promise.all(connections.map((connection) => connection.quit().catch(() => undefined)));
    },
    cancelAll(reason) {
      for (const worker of workers.values()) worker.cancelAllJobs(reason);
    },
  };
}

/**
 * A worker whose slots are all busy sleeps until one of its jobs ends, even when
 * its concurrency goes up. BullMQ's own resume() wakes it by adding a settled
 * promise to its main-loop queue; we do the same (a private field, pinned by
 * bullmq 6.7 and covered by the deadlock test in stage-workers.test.ts).
 */
function wakeMainLoop(worker: Worker<StageJobData, StageJobResult>): void {
  const internals = worker as unknown as { mainLoopQueue: { add(promise: Promise<unknown>): void } | null };
  internals.mainLoopQueue?.add(Promise.resolve());
}
