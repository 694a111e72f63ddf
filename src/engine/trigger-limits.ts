/**
 * Bounds on the stages one build may trigger. The build file's graph has no
 * cycle (lint refuses them), but a file can still ask for a huge fan-out, a
 * chain hundreds of stages deep, or a diamond lattice whose runs double at each
 * level: each triggered stage takes a worker and a check run on the commit.
 * The launchers (in process and queued) refuse a TriggerStages that would go
 * past these limits before starting any of its stages, and the step fails.
 */

export interface TriggerLimits {
  /** Stages triggered in one build (one attempt), at most; the top stage is not counted. */
  maxStagesPerBuild: number;
  /** Levels of triggering below the top stage, at most (the top stage's children are level 1). */
  maxDepth: number;
}

export const DEFAULT_TRIGGER_LIMITS: TriggerLimits = { maxStagesPerBuild: 500, maxDepth: 10 };

/** A launcher refused a TriggerStages: the triggering step fails with this message. */
export class TriggerRefusedError extends Error {
  override readonly name = "TriggerRefusedError";
}

/** Why starting stages at `depth` levels below the top stage is refused, or undefined when it is within the limit. */
export function getDepthRefusal(limits: TriggerLimits, depth: number): string | undefined {
  if (depth <= limits.maxDepth) return undefined;
  return `refused: the stages would run ${depth} levels of TriggerStages below the top stage, over the limit of ${limits.maxDepth} (EVE_MAX_TRIGGER_DEPTH)`;
}

/** Why starting `adding` more stages when `started` already were is refused, or undefined. */
export function getCountRefusal(limits: TriggerLimits, started: number, adding: number): string | undefined {
  if (started + adding <= limits.maxStagesPerBuild) return undefined;
  return `refused: starting ${adding} more stage(s) would make ${started + adding} triggered stages in this build, over the limit of ${limits.maxStagesPerBuild} (EVE_MAX_STAGES_PER_BUILD)`;
}
