/**
 * What a check-run write says: the fields of a stage run's latest state
 * (queued, in_progress with its progress, or completed with its conclusion,
 * summary, log tail and first annotations).
 */
import { FAILED_RUN_ACTIONS } from "./check-run-actions.js";
import type { CheckRunFields } from "./checks-client.js";
import { formatCompletedCheck, formatProgress, type CompletedCheck } from "./format-check-output.js";
import type { StageRunRecord } from "./stage-run-record.js";

export interface CheckRunLinks {
  /** Eve's log page of a run. */
  logUrl: (run: string) => string;
  /** Eve's page of a build. */
  buildUrl?: ((build: string) => string) | undefined;
  /** Conclusion for `warnings`. */
  warningsConclusion: "neutral" | "success";
}

export interface CheckRunWrite {
  fields: CheckRunFields;
  /** For a completed run: its output, and the annotations that go in later updates. */
  completed: CompletedCheck | undefined;
}

export function getCheckRunWrite(record: StageRunRecord, links: CheckRunLinks): CheckRunWrite {
  if (record.status === "queued") return { fields: { status: "queued" }, completed: undefined };
  const started = record.startedAt === undefined ? {} : { started_at: record.startedAt };
  const urls = { logUrl: links.logUrl(record.stage.run), ...(links.buildUrl ? { buildUrl: links.buildUrl(record.stage.build) } : {}) };
  if (record.status !== "completed" || !record.outcome) {
    return { fields: { status: "in_progress", ...started, output: formatProgress(record.steps, record.runningStep, record.tail, urls) }, completed: undefined };
  }
  const { annotations, dropped } = record.annotations;
  const completed = formatCompletedCheck({ outcome: record.outcome, logTail: record.tail, annotations, droppedAnnotations: dropped, ...urls, warningsConclusion: links.warningsConclusion });
  // A failed run offers its Re-run button (check_run.requested_action).
  const actions = completed.conclusion === "failure" ? { actions: [...FAILED_RUN_ACTIONS] } : {};
  const fields: CheckRunFields = { status: "completed", conclusion: completed.conclusion, ...started, completed_at: record.completedAt ?? new Date().toISOString(), output: completed.output, ...actions };
  return { fields, completed };
}
