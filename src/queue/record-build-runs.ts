/**
 * A RunReporter that also keeps the build registry: every run enqueued (top
 * stage, triggered stage, re-run) passes through `queued`, and every run ends
 * through the observer's `stageFinished` or `finishUnstarted`. The registry
 * is written before the job is added, so a command that arrives next finds it
 * (one Redis round trip per run, ~0.5 ms here).
 */
import type { StageIdentity, StageObserver, StageOutcome } from "../engine/types.js";
import { recordStageResult, recordStageRun } from "./build-registry.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";

export function recordBuildRuns(reporter: RunReporter, queues: StageQueues, onError: (error: unknown) => void): RunReporter {
  return {
    async queued(run) {
      // In parallel: the queued check run does not wait for the registry.
      const [, checkRunId] = await Promise.all([recordStageRun(queues, run), reporter.queued(run)]);
      return checkRunId;
    },
    async start(run) {
      const observation = await reporter.start(run);
      let recorded: Promise<void> = Promise.resolve();
      const observer: StageObserver = {
        stageStarted: (stage) => observation.observer.stageStarted(stage),
        stepStarted: (stage, index, name) => observation.observer.stepStarted(stage, index, name),
        output: (stage, text) => observation.observer.output(stage, text),
        info: (stage, line) => observation.observer.info(stage, line),
        stepFinished: (stage, index, outcome) => observation.observer.stepFinished(stage, index, outcome),
        stageFinished(stage: StageIdentity, outcome: StageOutcome) {
          recorded = recordStageResult(queues, stage, outcome.result).catch(onError);
          observation.observer.stageFinished(stage, outcome);
        },
      };
      return {
        observer,
        done: async () => {
          await recorded;
          await observation.done();
        },
      };
    },
    async finishUnstarted(run, outcome) {
      await recordStageResult(queues, run.stage, outcome.result).catch(onError);
      await reporter.finishUnstarted(run, outcome);
    },
  };
}
