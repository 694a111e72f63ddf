/**
 * Cancellation of builds: Eve builds only branch tips, so a new push to a branch
 * cancels that branch's older builds. Queued runs are removed from their queue;
 * running ones are told through Redis pub/sub (any worker process may hold
 * them), and a `cancelled` marker catches runs that start in between.
 */
import type { ChainableCommander } from "ioredis";
import type { WorkerType } from "../buildfile/types.js";
import type { StageJobData } from "./job-data.js";
import type { StageQueues } from "./queues.js";
import { addOnce } from "./redis-write-batch.js";
import type { RunReporter } from "./run-reporter.js";

/** Keys live a week: longer than any build, short enough not to pile up. */
const TTL_SECONDS = 7 * 24 * 3600;

export function getCancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}

/** The message published on the cancel channel. */
export interface CancelMessage {
  build: string;
  reason: string;
}

/**
 * Makes `build` the current build of the branch; returns the builds it
 * replaces (at most one: the previous current one), which the caller cancels.
 */
export async function replaceBranchBuild(queues: StageQueues, repositoryId: number, branch: string, build: string): Promise<string[]> {
  const key = `${queues.prefix}:branch:${repositoryId}:${branch}`;
  const previous = await queues.redis.set(key, build, "EX", TTL_SECONDS, "GET");
  return previous !== null && previous !== build ? [previous] : [];
}

/** Records a stage run of the build, so that cancelling the build can find it (in the MULTI that enqueues it). */
export function addBuildRun(multi: ChainableCommander, queues: StageQueues, build: string, type: WorkerType, runId: string): void {
  const key = `${queues.prefix}:build:${build}:runs`;
  multi.sadd(key, `${type}/${runId}`);
  addOnce(multi, `expire ${key}`, () => multi.expire(key, TTL_SECONDS));
}

/** Why the build was cancelled, or undefined when it was not. */
export async function getCancelReason(queues: StageQueues, build: string): Promise<string | undefined> {
  return (await queues.redis.get(`${queues.prefix}:cancelled:${build}`)) ?? undefined;
}

/** Lifts a build's cancellation marker: a user re-runs a stage of it. */
export async function clearCancelReason(queues: StageQueues, build: string): Promise<void> {
  await queues.redis.del(`${queues.prefix}:cancelled:${build}`);
}

/**
 * Cancels a build: marks it, removes its queued runs and signals the running
 * ones. Returns the runs it removed (they never started), whose check runs
 * the caller ends `cancelled`.
 */
export async function cancelBuild(queues: StageQueues, build: string, reason: string): Promise<StageJobData[]> {
  await queues.redis.set(`${queues.prefix}:cancelled:${build}`, reason, "EX", TTL_SECONDS);
  const message: CancelMessage = { build, reason };
  await queues.redis.publish(getCancelChannel(queues.prefix), JSON.stringify(message));
  const runs = (await queues.redis.smembers(`${queues.prefix}:build:${build}:runs`)).map((entry) => entry.split("/") as [WorkerType, string]);
  // All states at once: a superseded build has usually ended, and asking run by run cost a round trip per stage of it.
  const states = await Promise.all(runs.map(([type, runId]) => queues.queue(type).getJobState(runId)));
  const removed: StageJobData[] = [];
  for (const [index, [type, runId]] of runs.entries()) {
    if (!QUEUED_STATES.has(states[index] ?? "unknown")) continue;
    const job = await queues.queue(type).getJob(runId);
    // 0 when a worker locked it meanwhile: then the worker sees the marker.
    if (job && (await queues.queue(type).remove(runId)) === 1) {
      await queues.releaseFairPriority(type, job.data.installationId);
      removed.push(job.data);
    }
  }
  return removed;
}

/** The states of a job that no worker holds yet: cancelling removes it. */
const QUEUED_STATES: ReadonlySet<string> = new Set(["waiting", "prioritized", "delayed"]);

/**
 * Cancels `builds` (cancelBuild) and ends their removed runs' check runs
 * `cancelled: <reason>`. Those writes go out through the installation's
 * write lane at its pace: the caller (a webhook) does not wait for them.
 */
export async function cancelReportedBuilds(queues: StageQueues, reporter: RunReporter, builds: readonly string[], reason: string): Promise<void> {
  for (const build of builds) {
    for (const run of await cancelBuild(queues, build, reason)) {
      void reporter.finishUnstarted(run, { name: run.stage.stage, result: "cancelled", durationMs: 0, steps: [], summary: `cancelled: ${reason}`, properties: run.properties });
    }
  }
}
