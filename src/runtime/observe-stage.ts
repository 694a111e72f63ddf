/**
 * Wraps the stage processor with what the process needs around every stage:
 * a child logger carrying the build and stage ids, metrics (queue wait,
 * running, finished, duration), and the recovery of a stage whose previous
 * worker process was lost — the dead attempt's workspace is reaped before
 * the stage runs again on a fresh one, and its log says so.
 */
import type { Logger } from "pino";
import type { LogStore } from "../logs/log-store.js";
import type { EveMetrics } from "../ops/eve-metrics.js";
import { BuildCancelledError } from "../queue/cancel-listener.js";
import type { StageProcessor } from "../queue/stage-processor.js";

export interface ObserveStageOptions {
  log: Logger;
  metrics: EveMetrics;
  logStore: LogStore;
  /** Removes every resource of the run (its previous attempt's, before this one spawns anything). */
  reapRun(run: string): Promise<number>;
  /** Told +1 when a stage starts and -1 when it ends (the process waits for 0 before it exits). */
  onRunning?(delta: 1 | -1): void;
}

export function observeStage(processor: StageProcessor, options: ObserveStageOptions): StageProcessor {
  const { metrics } = options;
  // Three parameters: BullMQ passes its abort signal only to processors that declare it.
  return async (job, token, signal) => {
    const data = job.data;
    const workerType = data.workerType;
    const log = options.log.child({ build: data.stage.build, stage: data.stage.stage, run: data.stage.run, attempt: data.stage.attempt });
    if (job.attemptsStarted > 1) {
      const reaped = await options.reapRun(data.stage.run).catch((error: unknown) => {
        log.warn({ err: error }, "Could not reap the lost attempt's workspace");
        return 0;
      });
      log.warn({ reaped, startedBefore: job.attemptsStarted - 1 }, "Stage recovered: its worker process was lost; running it again on a fresh workspace");
      await options.logStore.appendLost(data.stage.run).catch((error: unknown) => log.warn({ err: error }, "Could not mark the lost attempt in the log"));
      metrics.stagesRecovered.inc({ worker_type: workerType });
    } else {
      metrics.queueWait.observe({ worker_type: workerType }, Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp) / 1000);
    }
    log.info("Stage started");
    metrics.stagesRunning.inc({ worker_type: workerType });
    options.onRunning?.(1);
    const started = Date.now();
    try {
      const result = await processor(job, token, signal && cancellation(signal));
      const seconds = (Date.now() - started) / 1000;
      const labels = { worker_type: workerType, result: result.outcome.result };
      metrics.stagesFinished.inc(labels);
      metrics.stageDuration.observe(labels, seconds);
      log.info({ result: result.outcome.result, durationMs: Date.now() - started }, "Stage finished");
      return result;
    } catch (error) {
      log.error({ err: error }, "Stage failed without an outcome");
      throw error;
    } finally {
      metrics.stagesRunning.dec({ worker_type: workerType });
      options.onRunning?.(-1);
    }
  };
}

/** BullMQ aborts with a plain string; the stage's title shows a cancellation's reason only when it is a BuildCancelledError. */
function cancellation(signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const forward = () => controller.abort(new BuildCancelledError(String(signal.reason ?? "cancelled by Eve")));
  if (signal.aborted) forward();
  else signal.addEventListener("abort", forward, { once: true });
  return controller.signal;
}
