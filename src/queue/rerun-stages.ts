/**
 * Re-runs of stages of a recorded build. A re-run is a new attempt of the
 * stage in the same build: a new run id, so a new check run with the same
 * name and its own log page, while the previous run stays readable. It starts
 * with the properties the previous run started with, plus any the user forced.
 */
import type { BuildFile } from "../buildfile/types.js";
import { createChildProperties } from "../engine/child-properties.js";
import { isPassing, type BuildResult } from "../engine/results.js";
import type { StageIdentity } from "../engine/types.js";
import type { StageRunEntry } from "./build-registry.js";
import { clearCancelReason } from "./cancel-builds.js";
import { enqueueStage } from "./enqueue-stage.js";
import { getRunId, type StageJobData, type StageJobResult } from "./job-data.js";
import type { StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";

/** Where the latest run of a stage stands. */
export interface StageRunStatus {
  entry: StageRunEntry;
  state: "succeeded" | "failed" | "running";
}

/** The latest run of each stage among a build's runs (getStageRuns), in the order they were first enqueued. */
export async function getLatestStageRuns(queues: StageQueues, runs: readonly StageRunEntry[]): Promise<StageRunStatus[]> {
  const latest = new Map<string, StageRunEntry>();
  for (const entry of runs) {
    const previous = latest.get(entry.data.stage.stage);
    if (!previous || entry.data.stage.attempt >= previous.data.stage.attempt) latest.set(entry.data.stage.stage, entry);
  }
  return Promise.all([...latest.values()].map(async (entry) => ({ entry, state: stateOf(entry.result ?? (await resultFromQueue(queues, entry.data))) })));
}

/**
 * The stages `/eve rerun` re-runs: those that did not succeed, except those
 * under another such stage (re-running that one triggers them again).
 */
export function selectFailedStages(statuses: readonly StageRunStatus[]): StageRunStatus[] {
  const failed = statuses.filter((status) => status.state === "failed");
  const failedRuns = new Set(failed.map((status) => status.entry.data.stage.run));
  const byRun = new Map<string, StageRunEntry>();
  for (const status of statuses) byRun.set(status.entry.data.stage.run, status.entry);
  const hasFailedAncestor = (entry: StageRunEntry): boolean => {
    const seen = new Set<string>();
    for (let parent = entry.data.parent; parent !== undefined && !seen.has(parent.run); parent = byRun.get(parent.run)?.data.parent) {
      if (failedRuns.has(parent.run)) return true;
      seen.add(parent.run);
    }
    return false;
  };
  return failed.filter((status) => !hasFailedAncestor(status.entry));
}

export interface RerunStageOptions {
  queues: StageQueues;
  reporter: RunReporter;
  /** The build's file (the stage must be defined in it). */
  buildFile: BuildFile;
  /** Every recorded run of the build (getStageRuns). */
  runs: readonly StageRunEntry[];
  stage: string;
  /** The run to repeat (a check run's Re-run button); default: the stage's latest run. */
  run?: string;
  /** Properties the user forces (EveProperty steps keep them). */
  properties?: Readonly<Record<string, string>>;
  /** Login of the user who asked for the re-run (shown on the build page). */
  requestedBy?: string;
}

/**
 * Enqueues the next attempt of `stage`. A stage that never ran in the build
 * starts as if its top stage triggered it. Returns the new run, or undefined
 * when the build has no top stage on record.
 */
export async function rerunStage(options: RerunStageOptions): Promise<StageIdentity | undefined> {
  const { runs, stage, buildFile } = options;
  const def = buildFile.stages.get(stage);
  if (!def) return undefined;
  const previous = runs.filter((entry) => entry.data.stage.stage === stage && (options.run === undefined || entry.data.stage.run === options.run)).at(-1);
  const top = runs.find((entry) => entry.data.parent === undefined);
  const base = previous?.data ?? (top && asTriggeredBy(top.data, stage, buildFile));
  if (!base) return undefined;
  const build = base.stage.build;
  const attempt = 1 + Math.max(0, ...runs.filter((entry) => entry.data.stage.stage === stage).map((entry) => entry.data.stage.attempt));
  const forced = options.properties ?? {};
  const data: StageJobData = {
    ...base,
    stage: { build, stage, attempt, run: getRunId(build, stage, attempt, base.parent?.run) },
    workerType: def.worker.type,
    properties: { ...base.properties, ...forced },
    forcedProperties: [...new Set([...base.forcedProperties, ...Object.keys(forced)])],
    checkRunId: undefined,
    createdAt: Date.now(),
    ...(options.requestedBy === undefined ? {} : { trigger: { kind: "rerun" as const, by: options.requestedBy } }),
  };
  // A cancelled build's marker would end the re-run before it starts: the user asks for it again.
  await clearCancelReason(options.queues, build);
  await enqueueStage(options.queues, options.reporter, data);
  return data.stage;
}

function asTriggeredBy(top: StageJobData, stage: string, buildFile: BuildFile): StageJobData {
  return { ...top, parent: top.stage, depth: 1, properties: createChildProperties(top.properties, top.stage.stage, stage, buildFile.stages.get(stage)) };
}

function stateOf(result: BuildResult | "running" | undefined): StageRunStatus["state"] {
  if (result === "running") return "running";
  return result !== undefined && isPassing(result) ? "succeeded" : "failed";
}

/** A run whose result is not recorded (yet): ask its queue. */
async function resultFromQueue(queues: StageQueues, data: StageJobData): Promise<BuildResult | "running" | undefined> {
  const queue = queues.queue(data.workerType);
  const state = await queue.getJobState(data.stage.run);
  if (state === "completed") {
    const job = await queue.getJob(data.stage.run);
    return (job?.returnvalue as StageJobResult | null | undefined)?.outcome.result ?? "exception";
  }
  if (state === "failed") return "exception";
  // Gone from the queue without a result: removed, or expired; it did not succeed.
  if (state === "unknown") return undefined;
  return "running";
}
