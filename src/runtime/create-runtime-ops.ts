/**
 * The operations endpoints of one Eve process: readiness asks Redis (and the
 * back-end of each worker type this process runs, when its provisioner can
 * ping it: the Docker Engine); a scrape reads the queue depths from Redis first.
 */
import type { EveConfig } from "../config/eve-config.js";
import type { EveMetrics } from "../ops/eve-metrics.js";
import { createOpsHandler, type OpsHandler, type ReadinessCheck } from "../ops/ops-handler.js";
import type { WorkerType } from "../buildfile/types.js";
import type { Provisioner } from "../provisioners/types.js";
import type { StageQueues } from "../queue/queues.js";

export interface RuntimeOpsOptions {
  config: EveConfig;
  queues: StageQueues;
  metrics: EveMetrics;
  provisioners: ReadonlyMap<WorkerType, Provisioner>;
}

const COUNTED_STATES = ["waiting", "prioritized", "delayed", "active", "failed"] as const;

export function createRuntimeOps(options: RuntimeOpsOptions): { handler: OpsHandler } {
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
  const beforeScrape = async () => {
    for (const type of config.workerTypes) {
      const counts = await queues.queue(type).getJobCounts(...COUNTED_STATES);
      for (const state of COUNTED_STATES) metrics.queueJobs.set({ worker_type: type, state }, counts[state] ?? 0);
    }
  };
  return { handler: createOpsHandler({ metrics, checks, beforeScrape }) };
}
