/**
 * The StageLauncher of queued builds: each triggered stage becomes its own job
 * in its worker type's queue, so they run in parallel on any worker process.
 * With waitForFinish the parent waits for their outcomes (watchChildren).
 *
 * Deadlock: a parent waiting for children must not hold a slot its children
 * need. While it waits, the parent gives its slot back (`slots.whileWaiting`
 * raises its worker's concurrency by one), so a process whose every slot is a
 * waiting parent still takes children. Capacity therefore counts stages that
 * run steps, not parents that only wait — as Eve's pool counted workers.
 */
import type { BuildFile } from "../buildfile/types.js";
import { createChildProperties } from "../engine/child-properties.js";
import { DEFAULT_TRIGGER_LIMITS, getCountRefusal, getDepthRefusal, TriggerRefusedError, type TriggerLimits } from "../engine/trigger-limits.js";
import type { LaunchRequest, StageLauncher, StageOutcome } from "../engine/types.js";
import { claimTriggeredStages } from "./claim-triggered-stages.js";
import { enqueueStages } from "./enqueue-stage.js";
import { getRunId, type StageJobData } from "./job-data.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";
import { watchChildren } from "./watch-children.js";

/** Lets a running job give its capacity slot back while it only waits. */
export interface SlotControl {
  whileWaiting<T>(wait: () => Promise<T>): Promise<T>;
}

export interface QueueLauncherOptions {
  queues: StageQueues;
  reporter: RunReporter;
  /** The job of the stage that triggers. */
  parent: StageJobData;
  buildFile: BuildFile;
  slots: SlotControl;
  /** Default: DEFAULT_TRIGGER_LIMITS. */
  limits?: TriggerLimits;
}

export function createQueueLauncher(options: QueueLauncherOptions): StageLauncher {
  const { queues, reporter, parent, buildFile, slots, limits = DEFAULT_TRIGGER_LIMITS } = options;
  const childrenOf = (request: LaunchRequest, depth: number): StageJobData[] =>
    request.stages.map((name) => {
      const def = buildFile.stages.get(name);
      if (!def) throw new Error(`stage '${name}' is not defined in the build file`);
      const attempt = request.parent.attempt;
      return {
        ...parent,
        stage: { build: request.parent.build, stage: name, attempt, run: getRunId(request.parent.build, name, attempt, request.parent.run) },
        workerType: def.worker.type,
        parent: request.parent,
        depth,
        properties: createChildProperties(request.properties, request.parent.stage, name, def),
        forcedProperties: [...(request.forcedProperties ?? [])],
        checkRunId: undefined,
      };
    });
  /**
   * Claims and adds the children; when the parent waits, watched from before their add. Its own function so that
   * the children's job data is not kept by launch() while it waits: each goes once its child ends (a fan-out of
   * a thousand held ~2 MB to its end otherwise).
   */
  const start = async (request: LaunchRequest, depth: number) => {
    const children = childrenOf(request, depth);
    const runs = children.map((child) => child.stage.run);
    const claim = await claimTriggeredStages(queues, request.parent.build, request.parent.attempt, runs, limits.maxStagesPerBuild);
    if (!claim.claimed) throw new TriggerRefusedError(getCountRefusal(limits, claim.started, runs.length) ?? "refused");
    if (!request.wait) {
      await enqueueStages(queues, reporter, children);
      return undefined;
    }
    // Watch before adding: a child may end before its add returns.
    const watch = await watchChildren(queues, children);
    try {
      const added = await enqueueStages(queues, reporter, children);
      return { watch, recheck: children.filter((_, index) => !added[index]?.added) };
    } catch (error) {
      watch.stop();
      throw error;
    }
  };
  return {
    async launch(request: LaunchRequest): Promise<StageOutcome[]> {
      const depth = (parent.depth ?? 0) + 1;
      const tooDeep = getDepthRefusal(limits, depth);
      if (tooDeep) throw new TriggerRefusedError(tooDeep);
      const started = await start(request, depth);
      if (!started) return [];
      try {
        return await slots.whileWaiting(() => started.watch.outcomes(request.signal, started.recheck));
      } finally {
        started.watch.stop();
      }
    },
  };
}
