/**
 * What a build page shows, computed from the build's history: pure, so the
 * graph and the timeline are tested without Redis or a browser.
 */
import { worstOf, type BuildResult } from "../engine/results.js";
import type { BuildRecord, RunRecord } from "../queue/build-history.js";

/** A run's state on the page: its result once ended, else queued or running. */
export type RunState = BuildResult | "queued" | "running";

export interface BuildView {
  record: BuildRecord;
  state: RunState;
  /** First run queued (or the build created) to the last run's end, or to `now` while running. */
  startMs: number;
  endMs: number;
  ended: boolean;
  /** Stages whose latest attempt did not pass, in the order they were queued. */
  failedStages: string[];
}

export function runState(run: RunRecord): RunState {
  if (run.result !== undefined) return run.result;
  return run.startedAt === undefined ? "queued" : "running";
}

/** The latest attempt of each stage (under each parent), in the order first queued. */
export function latestAttempts(runs: readonly RunRecord[]): RunRecord[] {
  const latest = new Map<string, RunRecord>();
  for (const run of runs) {
    const key = `${run.stage}\u0000${run.parentRun ?? ""}`;
    const previous = latest.get(key);
    if (!previous || run.attempt >= previous.attempt) latest.set(key, run);
  }
  return [...latest.values()];
}

export function buildView(record: BuildRecord, now: number): BuildView {
  const latest = latestAttempts(record.runs);
  const ended = record.runs.length > 0 && record.runs.every((run) => run.result !== undefined);
  const startMs = Math.min(record.info.createdAt, ...record.runs.map((run) => run.queuedAt));
  const endMs = ended ? Math.max(startMs, ...record.runs.map((run) => run.finishedAt ?? run.queuedAt)) : Math.max(now, startMs);
  const state: RunState = ended
    ? worstOf(latest.map((run) => run.result as BuildResult))
    : record.runs.some((run) => run.startedAt !== undefined)
      ? "running"
      : "queued";
  const failedStages = latest.filter((run) => run.result !== undefined && !["success", "warnings", "skipped"].includes(run.result)).map((run) => run.stage);
  return { record, state, startMs, endMs, ended, failedStages };
}

/** "1 min 05 s", "42 s", "850 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
