/**
 * Adds one stage run to its worker type's queue, once: the job id is the run
 * id, so a second add of the same run (a redelivered webhook, a parent retried
 * after a crash) finds the job and adds nothing.
 */
import { recordRunAccess } from "../access/run-access-record.js";
import type { StageJobData } from "./job-data.js";
import { recordBuildRun } from "./cancel-builds.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";

/** Keep finished jobs long enough that re-adding a run finds it (and parents read children's outcomes). */
const KEEP_COMPLETED = { age: 24 * 3600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

export interface EnqueueStageResult {
  /** false when the run was already queued, running or finished. */
  added: boolean;
}

export async function enqueueStage(queues: StageQueues, reporter: RunReporter, data: StageJobData): Promise<EnqueueStageResult> {
  const queue = queues.queue(data.workerType);
  const runId = data.stage.run;
  if (await queue.getJob(runId)) return { added: false };
  await recordBuildRun(queues, data.stage.build, data.workerType, runId);
  // Before the check run links to the run's log page: the page needs it to decide who may see it.
  await recordRunAccess(queues.redis, queues.prefix, runId, {
    build: data.stage.build,
    owner: data.repository.owner,
    repo: data.repository.name,
    installationId: data.installationId,
    private: data.repository.private !== false,
  });
  const checkRunId = await reporter.queued(data);
  const priority = await queues.takeFairPriority(data.workerType, data.installationId);
  await queue.add(data.stage.stage, { ...data, checkRunId }, {
    jobId: runId,
    priority,
    // A stage is not idempotent (it may push, upload, deploy): never retried blindly.
    attempts: 1,
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  });
  return { added: true };
}
