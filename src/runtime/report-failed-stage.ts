/**
 * A stage job that failed without an outcome still ends its check run: its
 * worker process was lost a second time (BullMQ fails a job that stalls more
 * than once), or its processor threw. The check run ends `failure` with a
 * title that says why, instead of staying `in_progress` forever.
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import type { StageOutcome } from "../engine/types.js";
import type { EveMetrics } from "../ops/eve-metrics.js";
import type { StageJobData, StageJobResult } from "../queue/job-data.js";
import type { StageQueues } from "../queue/queues.js";
import type { RunReporter } from "../queue/run-reporter.js";

export interface ReportFailedStageOptions {
  reporter: RunReporter;
  queues: StageQueues;
  metrics: EveMetrics;
  log: Logger;
}

export function reportFailedStage(options: ReportFailedStageOptions): (job: Job<StageJobData, StageJobResult>, error: Error) => void {
  return (job, error) => {
    const data = job.data;
    const log = options.log.child({ build: data.stage.build, stage: data.stage.stage, run: data.stage.run, attempt: data.stage.attempt });
    // BullMQ fails stalled-too-often jobs with an UnrecoverableError before any processor runs.
    const lost = error.name === "UnrecoverableError";
    const reason = lost
      ? "the worker process running this stage was lost twice (killed, or cut off from Redis); Eve does not run it a third time"
      : `Eve failed running this stage: ${error.message}`;
    log.error({ err: error }, lost ? "Stage lost twice; ending it" : "Stage failed without an outcome");
    options.metrics.stagesFinished.inc({ worker_type: data.workerType, result: "exception" });
    const outcome: StageOutcome = { name: data.stage.stage, result: "exception", durationMs: 0, steps: [], summary: reason, properties: data.properties };
    const release = lost ? options.queues.releaseFairPriority(data.workerType, data.installationId) : Promise.resolve();
    Promise.all([release, options.reporter.finishUnstarted(data, outcome)]).catch((reportError: unknown) => log.warn({ err: reportError }, "Could not report the failed stage"));
  };
}
