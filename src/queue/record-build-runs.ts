/**
 * A RunReporter that also keeps the build registry and the build history:
 * every run enqueued (top stage, triggered stage, re-run) passes through
 * `queued`, and every run ends through the observer's `stageFinished` or
 * `finishUnstarted`. The registry is written before the job is added, so a
 * command that arrives next finds it (one Redis round trip per run, ~0.5 ms
 * here). The history (build pages) gets the start, each step's start and
 * end, and the end of a run, written in order, one small write each.
 */
import type { StageIdentity, StageObserver, StageOutcome } from "../engine/types.js";
import { artifactsUrlOf, type BuildHistory, type StepRecord } from "./build-history.js";
import { recordStageResult, recordStageRun } from "./build-registry.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";
import { THIS_PROCESS } from "./worker-heartbeats.js";

export function recordBuildRuns(reporter: RunReporter, queues: StageQueues, onError: (error: unknown) => void, history?: BuildHistory): RunReporter {
  const now = history?.now ?? Date.now;
  return {
    async queued(run) {
      // In parallel: the queued check run does not wait for the registry.
      const [, , checkRunId] = await Promise.all([recordStageRun(queues, run), history?.queued(run, history.now()).catch(onError), reporter.queued(run)]);
      return checkRunId;
    },
    async start(run) {
      const observation = await reporter.start(run);
      let recorded: Promise<void> = Promise.resolve();
      // History writes of one run go out one after the other, so the last one wins.
      let written: Promise<void> = Promise.resolve();
      const write = (next: (history: BuildHistory) => Promise<void>) => {
        if (history) written = written.then(() => next(history)).catch(onError);
      };
      const steps: StepRecord[] = [];
      const observer: StageObserver = {
        stageStarted(stage) {
          const at = now();
          write((h) => h.started(stage, at, THIS_PROCESS));
          observation.observer.stageStarted(stage);
        },
        stepStarted(stage, index, name) {
          steps[index] = { name, startedAt: now() };
          const copy = steps.filter(Boolean);
          write((h) => h.steps(stage, copy));
          observation.observer.stepStarted(stage, index, name);
        },
        output: (stage, text) => observation.observer.output(stage, text),
        info: (stage, line) => observation.observer.info(stage, line),
        stepFinished(stage, index, outcome) {
          const at = now();
          steps[index] = { name: outcome.name, startedAt: steps[index]?.startedAt ?? at - outcome.durationMs, finishedAt: at, result: outcome.result };
          const copy = steps.filter(Boolean);
          write((h) => h.steps(stage, copy));
          observation.observer.stepFinished(stage, index, outcome);
        },
        stageFinished(stage: StageIdentity, outcome: StageOutcome) {
          recorded = recordStageResult(queues, stage, outcome.result).catch(onError);
          const at = now();
          write((h) => h.finished(stage, { result: outcome.result, finishedAt: at, durationMs: outcome.durationMs, summary: outcome.summary, ...artifactsUrlOf(outcome.properties) }));
          observation.observer.stageFinished(stage, outcome);
        },
      };
      return {
        observer,
        done: async () => {
          await recorded;
          await written;
          await observation.done();
        },
      };
    },
    async finishUnstarted(run, outcome) {
      await Promise.all([
        recordStageResult(queues, run.stage, outcome.result).catch(onError),
        history?.finished(run.stage, { result: outcome.result, finishedAt: history.now(), durationMs: 0, summary: outcome.summary }).catch(onError),
      ]);
      await reporter.finishUnstarted(run, outcome);
    },
  };
}
