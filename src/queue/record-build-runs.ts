/**
 * A RunReporter that also keeps the build registry and the build history:
 * every run enqueued (top stage, triggered stage, re-run) passes through
 * `recordQueued`, and every run ends through the observer's `stageFinished` or
 * `finishUnstarted`. The registry is written before the job is added, so a
 * command that arrives next finds it: both go in the MULTI that enqueues the
 * run (enqueue-stage.ts), no round trip of their own. The history (build pages) gets the start, each step's start and
 * end, and the end of a run, in order, with the registry's result, in the
 * process's batch of writes (RunHistoryWriter).
 */
import type { StageIdentity, StageObserver, StageOutcome } from "../engine/types.js";
import { artifactsUrlOf, runFields, type BuildHistory, type StepRecord } from "./build-history.js";
import { addStageRun } from "./build-registry.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";
import { RunHistoryWriter } from "./run-history-writer.js";
import { THIS_PROCESS } from "./worker-heartbeats.js";

export function recordBuildRuns(reporter: RunReporter, queues: StageQueues, onError: (error: unknown) => void, history?: BuildHistory): RunReporter {
  const now = history?.now ?? Date.now;
  return {
    recordQueued(multi, run) {
      history?.addQueued(multi, run, history.now());
      return addStageRun(multi, queues, run);
    },
    queued: (run) => reporter.queued(run),
    async start(run) {
      const observation = await reporter.start(run);
      const writer = new RunHistoryWriter(queues, history, run.stage, onError);
      const steps: StepRecord[] = [];
      const observer: StageObserver = {
        stageStarted(stage) {
          writer.set(runFields.started(stage, now(), THIS_PROCESS));
          observation.observer.stageStarted(stage);
        },
        stepStarted(stage, index, name) {
          steps[index] = { name, startedAt: now() };
          writer.set(runFields.steps(stage, steps.filter(Boolean)));
          observation.observer.stepStarted(stage, index, name);
        },
        output: (stage, text) => observation.observer.output(stage, text),
        info: (stage, line) => observation.observer.info(stage, line),
        stepFinished(stage, index, outcome) {
          const at = now();
          steps[index] = { name: outcome.name, startedAt: steps[index]?.startedAt ?? at - outcome.durationMs, finishedAt: at, result: outcome.result };
          writer.set(runFields.steps(stage, steps.filter(Boolean)));
          observation.observer.stepFinished(stage, index, outcome);
        },
        stageFinished(stage: StageIdentity, outcome: StageOutcome) {
          const end = { result: outcome.result, finishedAt: now(), durationMs: outcome.durationMs, summary: outcome.summary, ...artifactsUrlOf(outcome.properties) };
          void writer.end(runFields.finished(stage, end), outcome.result);
          observation.observer.stageFinished(stage, outcome);
        },
      };
      return {
        observer,
        done: async () => {
          await writer.flush();
          await observation.done();
        },
      };
    },
    async finishUnstarted(run, outcome) {
      const writer = new RunHistoryWriter(queues, history, run.stage, onError);
      await writer.end(runFields.finished(run.stage, { result: outcome.result, finishedAt: now(), durationMs: 0, summary: outcome.summary }), outcome.result);
      await reporter.finishUnstarted(run, outcome);
    },
  };
}
