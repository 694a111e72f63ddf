import type { StageObserver } from "../engine/types.js";
import type { StageJobData } from "./job-data.js";

/**
 * What the queue needs from the reporting side (check runs, commit status,
 * logs). main.ts adapts the check-run reporter to it; tests may record calls.
 */
export interface RunReporter {
  /** The run was enqueued: its check run appears `queued`. */
  queued(run: StageJobData): Promise<void>;
  /** The observer of a run that starts now; `done` resolves once its final report is written. */
  start(run: StageJobData): RunObservation;
  /** A run that will never start (removed from its queue, or cancelled before it began) ends `cancelled`. */
  cancelled(run: StageJobData, reason: string): Promise<void>;
}

export interface RunObservation {
  observer: StageObserver;
  /** Waits until everything the observer was told has been written out. */
  done(): Promise<void>;
}
