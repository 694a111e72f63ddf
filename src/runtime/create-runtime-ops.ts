/**
 * The operations endpoints of one Eve process: readiness asks Redis (and the
 * back-end of each worker type this process runs, when its provisioner can
 * ping it: the Docker Engine); a scrape first reads what is cluster-wide from
 * Redis (queue depths, running stages, live worker processes) and this
 * process's GitHub write backlog into the metrics. The operator page reads
 * the same metrics after the same collection.
 */
import type { EveConfig } from "../config/eve-config.js";
import type { EveMetrics } from "../ops/eve-metrics.js";
import { createOpsHandler, type OpsHandler, type ReadinessCheck } from "../ops/ops-handler.js";
import type { WorkerType } from "../buildfile/types.js";
import type { Provisioner } from "../provisioners/types.js";
import { WORKER_TYPES } from "../provisioners/worker-types.js";
import type { BuildHistory } from "../queue/build-history.js";
import type { StageJobData } from "../queue/job-data.js";
import type { StageQueues } from "../queue/queues.js";
import { readWorkerHeartbeats } from "../queue/worker-heartbeats.js";
import type { GitHubWriteQueue } from "../reporting/github-write-queue.js";

export interface RuntimeOpsOptions {
  config: EveConfig;
  queues: StageQueues;
  metrics: EveMetrics;
  provisioners: ReadonlyMap<WorkerType, Provisioner>;
  history: BuildHistory;
  writeQueue: GitHubWriteQueue;
}

const COUNTED_STATES = ["waiting", "prioritized", "delayed", "active", "failed"] as const;
/** Running stages listed per worker type, at most (bounded by the processes' capacity anyway). */
const MAX_RUNNING_LISTED = 500;

export function createRuntimeOps(options: RuntimeOpsOptions): { handler: OpsHandler; collect: () => Promise<void> } {
  const { config, queues, metrics, provisioners } = options;
  const checks: ReadinessCheck[] = [
    {
      name: "redis",
      check: async () => {
        await queues.redis.ping();
      },
    },
  ];
  for (const type of config.workerTypes) {
    const provisioner = provisioners.get(type);
    if (provisioner?.ping) checks.push({ name: type, check: () => provisioner.ping?.() ?? Promise.resolve() });
  }
  const collect = async () => {
    // Every known type: a stage of a type this process does not run still waits in its queue.
    const types = [...new Set([...config.workerTypes, ...WORKER_TYPES])];
    metrics.stageStarted.reset();
    for (const type of types) {
      const queue = queues.queue(type);
      const counts = await queue.getJobCounts(...COUNTED_STATES);
      for (const state of COUNTED_STATES) metrics.queueJobs.set({ worker_type: type, state }, counts[state] ?? 0);
      for (const job of await queue.getJobs(["active"], 0, MAX_RUNNING_LISTED - 1)) {
        const data = job.data as StageJobData;
        const process = (await options.history.workerOf(data.stage.build, data.stage.run)) ?? "unknown";
        metrics.stageStarted.set({ worker_type: type, stage: data.stage.stage, run: data.stage.run, process }, (job.processedOn ?? Date.now()) / 1000);
      }
    }
    metrics.workerCapacity.reset();
    metrics.workerHeartbeat.reset();
    for (const beat of await readWorkerHeartbeats(queues.redis, queues.prefix, Date.now(), config.workerLostAfterSec * 1000)) {
      metrics.workerHeartbeat.set({ process: beat.process }, beat.at / 1000);
      for (const [type, capacity] of Object.entries(beat.capacity)) metrics.workerCapacity.set({ process: beat.process, worker_type: type }, capacity);
    }
    metrics.githubWriteBacklog.reset();
    for (const [installation, count] of options.writeQueue.backlog()) metrics.githubWriteBacklog.set({ installation }, count);
  };
  return { handler: createOpsHandler({ metrics, checks, beforeScrape: collect }), collect };
}
