/**
 * Adds stage runs to their worker types' queues, once: the job id is the run
 * id, so a second add of the same run (a redelivered webhook, a parent retried
 * after a crash) finds the job and adds nothing.
 *
 * Runs enqueued together (a TriggerStages step's) cost three round trips
 * per batch of them (ENQUEUE_FIRST_BATCH, then ENQUEUE_BATCH at a time):
 * one pipeline asks which jobs exist, one MULTI records the new runs (the
 * cancel list, page access, the reporter's registry and history, the
 * fairness counts), one `addBulk` per worker type adds their jobs. A batch
 * at a time: the first stages can start while the rest are added, and a
 * 1,000-stage trigger never holds all its commands in memory at once.
 */
import type { BulkJobOptions } from "bullmq";
import { addBuildAccess, addRunAccess } from "../access/run-access-record.js";
import type { WorkerType } from "../buildfile/types.js";
import { addBuildRun } from "./cancel-builds.js";
import type { StageJobData } from "./job-data.js";
import type { StageQueues } from "./queues.js";
import { addOnce, type MultiReplies } from "./redis-write-batch.js";
import type { RunReporter } from "./run-reporter.js";

/** Keep finished jobs long enough that re-adding a run finds it (and parents read children's outcomes). */
const KEEP_COMPLETED = { age: 24 * 3600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

export interface EnqueueStageResult {
  /** false when the run was already queued, running or finished. */
  added: boolean;
}

export async function enqueueStage(queues: StageQueues, reporter: RunReporter, data: StageJobData): Promise<EnqueueStageResult> {
  const [result] = await enqueueStages(queues, reporter, [data]);
  return result ?? { added: false };
}

/**
 * Runs added per round of three round trips. 50 jobs' commands are under 1 MB
 * of strings and buffers; all of a 1,000-stage trigger's at once raised the
 * stage process's peak RSS by tens of MB.
 */
export const ENQUEUE_BATCH = 50;

/**
 * The first batch is smaller: workers start on it while the rest are added
 * (Redis takes ~20 ms to add 50 prioritised jobs, which held a fan-out's
 * first stages back).
 */
export const ENQUEUE_FIRST_BATCH = 8;

/** Enqueues `runs` (each once, as enqueueStage); results in the same order. */
export async function enqueueStages(queues: StageQueues, reporter: RunReporter, runs: readonly StageJobData[]): Promise<EnqueueStageResult[]> {
  const results: EnqueueStageResult[] = [];
  // A run listed again in a later batch finds its job there: added once, the first time it appears.
  for (let start = 0, size = ENQUEUE_FIRST_BATCH; start < runs.length; start += size, size = ENQUEUE_BATCH) {
    results.push(...(await enqueueBatch(queues, reporter, runs.slice(start, start + size))));
  }
  return results;
}

async function enqueueBatch(queues: StageQueues, reporter: RunReporter, runs: readonly StageJobData[]): Promise<EnqueueStageResult[]> {
  const exists = queues.redis.pipeline();
  for (const data of runs) exists.exists(queues.queue(data.workerType).toKey(data.stage.run));
  const replies = ((await exists.exec()) ?? []) as MultiReplies;
  const fresh = new Map<string, StageJobData>();
  runs.forEach((data, index) => {
    const [error, count] = replies[index] ?? [new Error("no reply")];
    if (error) throw error;
    if (count === 0 && !fresh.has(data.stage.run)) fresh.set(data.stage.run, data);
  });
  if (fresh.size > 0) await addRuns(queues, reporter, [...fresh.values()]);
  return runs.map((data) => ({ added: fresh.get(data.stage.run) === data }));
}

async function addRuns(queues: StageQueues, reporter: RunReporter, runs: readonly StageJobData[]): Promise<void> {
  const multi = queues.redis.multi();
  const after: ((replies: MultiReplies) => Promise<void>)[] = [];
  const priorities = runs.map((data) => {
    addBuildRun(multi, queues, data.stage.build, data.workerType, data.stage.run);
    // Before the check run links to the run's log page: the page needs it to decide who may see it.
    const target = { build: data.stage.build, owner: data.repository.owner, repo: data.repository.name, installationId: data.installationId, private: data.repository.private !== false };
    addRunAccess(multi, queues.prefix, data.stage.run, target);
    addOnce(multi, `access ${JSON.stringify(target)}`, () => addBuildAccess(multi, queues.prefix, target));
    const check = reporter.recordQueued?.(multi, data);
    if (check) after.push(check);
    return queues.takeFairPriority(multi, data.workerType, data.installationId);
  });
  const replies = ((await multi.exec()) ?? []) as MultiReplies;
  await Promise.all(after.map((check) => check(replies)));
  const checkRunIds = await Promise.all(runs.map((data) => reporter.queued(data)));
  const byType = new Map<WorkerType, { name: string; data: StageJobData; opts: BulkJobOptions }[]>();
  runs.forEach((data, index) => {
    const jobs = byType.get(data.workerType) ?? [];
    byType.set(data.workerType, jobs);
    jobs.push({
      name: data.stage.stage,
      data: { ...data, checkRunId: checkRunIds[index] },
      opts: {
        jobId: data.stage.run,
        priority: priorities[index]?.(replies) ?? 1,
        // A stage is not idempotent (it may push, upload, deploy): never retried blindly.
        attempts: 1,
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    });
  });
  await Promise.all([...byType].map(([type, jobs]) => queues.queue(type).addBulk(jobs)));
}
