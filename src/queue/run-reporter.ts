import type { ChainableCommander } from "ioredis";
import type { StageObserver, StageOutcome } from "../engine/types.js";
import type { StageJobData } from "./job-data.js";
import type { MultiReplies } from "./redis-write-batch.js";

/**
 * What the queue needs from the reporting side (check runs, commit status,
 * logs). main.ts adapts the check-run reporter to it; tests may record calls.
 */
export interface RunReporter {
  /**
   * Optional: commands recording the run as queued (build registry, history),
   * added to the MULTI that enqueues it, before `queued` is called. Returns
   * what to do with the MULTI's replies, if anything.
   */
  recordQueued?(multi: ChainableCommander, run: StageJobData): ((replies: MultiReplies) => Promise<void>) | undefined;
  /**
   * The run is being enqueued: its check run appears `queued`. Resolves with the
   * check run's id when it is known at once; a reporter may create it in the
   * background instead (resolving undefined) so as not to hold the stage back.
   */
  queued(run: StageJobData): Promise<number | undefined>;
  /** The observer of a run that starts now; `done` resolves once its final report is written. */
  start(run: StageJobData): Promise<RunObservation>;
  /**
   * A run that never started (removed from its queue, cancelled or broken
   * before it began) ends with `outcome`; resolves once that is written.
   * Never rejects: a failure goes where the reporter's errors go.
   */
  finishUnstarted(run: StageJobData, outcome: StageOutcome): Promise<void>;
}

export interface RunObservation {
  observer: StageObserver;
  /** Waits until everything the observer was told has been written out. */
  done(): Promise<void>;
}
