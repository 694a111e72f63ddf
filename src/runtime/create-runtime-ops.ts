/**
 * The operations endpoints of one Eve process: readiness asks Redis (and the
 * Docker Engine when this process runs docker stages); a scrape reads the
 * queue depths from Redis first.
 */
import type { EveConfig } from "../config/eve-config.js";
import type { EveMetrics } from "../ops/eve-metrics.js";
import { createOpsHandler, type OpsHandler, type ReadinessCheck } from "../ops/ops-handler.js";
import type { DockerClient } from "../provisioners/docker/docker-client.js";
import type { StageQueues } from "../queue/queues.js";

export interface RuntimeOpsOptions {
  config: EveConfig;
  queues: StageQueues;
  metrics: EveMetrics;
  /** Set when this process runs docker stages. */
  dockerClient: DockerClient | undefined;
}

const COUNTED_STATES = ["waiting", "prioritized", "delayed", "active", "failed"] as const;

export function createRuntimeOps(options: RuntimeOpsOptions): { handler: OpsHandler } {
  const { config, queues, metrics, dockerClient } = options;
  const checks: ReadinessCheck[] = [
    {
      name: "redis",
      check: async () => {
        await queues.redis.ping();
      },
    },
  ];
  if (dockerClient) checks.push({ name: "docker", check: () => dockerClient.ping() });
  const beforeScrape = async () => {
    for (const type of config.workerTypes) {
      const counts = await queues.queue(type).getJobCounts(...COUNTED_STATES);
      for (const state of COUNTED_STATES) metrics.queueJobs.set({ worker_type: type, state }, counts[state] ?? 0);
    }
  };
  return { handler: createOpsHandler({ metrics, checks, beforeScrape }) };
}
