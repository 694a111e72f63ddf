/**
 * The builds of each commit and their stage runs (job data and result), kept
 * in Redis so that any process can answer `/eve rerun`, `/eve cancel` and the
 * check runs' Re-run buttons. Bounded: the last few builds per commit, a cap
 * on runs per build, and everything expires after a week (as the build file
 * text a re-run needs).
 */
import type { ChainableCommander } from "ioredis";
import type { BuildResult } from "../engine/results.js";
import type { StageIdentity } from "../engine/types.js";
import type { StageJobData } from "./job-data.js";
import type { StageQueues } from "./queues.js";
import { addOnce, nextReplyAt, type MultiReplies } from "./redis-write-batch.js";

const TTL_SECONDS = 7 * 24 * 3600;
/** Builds remembered per commit (newest first). */
const BUILDS_PER_COMMIT = 10;
/** Stage runs remembered per build; a wider build is not re-runnable past that (its runs still run). */
const RUNS_PER_BUILD = 5_000;

/** One stage run of a build, as it was enqueued, and how it ended. */
export interface StageRunEntry {
  /** The job data it was enqueued with: identity, worker type, parent, starting properties. */
  data: StageJobData;
  /** Milliseconds since the epoch when it was enqueued. */
  enqueuedAt: number;
  /** Its result once it ended; undefined while it is queued or running (or its record is lost). */
  result: BuildResult | undefined;
}

const buildKey = (queues: StageQueues, build: string) => `${queues.prefix}:registry:build:${build}`;
const commitKey = (queues: StageQueues, repositoryId: number, sha: string) => `${queues.prefix}:registry:commit:${repositoryId}:${sha}`;

/**
 * Remembers an enqueued run, in the MULTI that enqueues it; a top stage also
 * makes its build the commit's latest. Returns what to do with the MULTI's
 * replies: drop the run again when its build has too many.
 */
export function addStageRun(multi: ChainableCommander, queues: StageQueues, data: StageJobData): (replies: MultiReplies) => Promise<void> {
  const key = buildKey(queues, data.stage.build);
  const { checkRunId: _notNeeded, ...rest } = data;
  const entry = JSON.stringify({ data: rest, enqueuedAt: Date.now() });
  // The HLEN's reply, by its place in the MULTI.
  const lengthAt = nextReplyAt(multi) + 1;
  multi.hsetnx(key, `run:${data.stage.run}`, entry).hlen(key);
  addOnce(multi, `expire ${key}`, () => multi.expire(key, TTL_SECONDS));
  if (data.parent === undefined) {
    const commits = commitKey(queues, data.repository.id, data.sha);
    multi.lrem(commits, 0, data.stage.build).lpush(commits, data.stage.build).ltrim(commits, 0, BUILDS_PER_COMMIT - 1).expire(commits, TTL_SECONDS);
  }
  return async (replies) => {
    const fields = Number(replies[lengthAt]?.[1] ?? 0);
    // Two fields per run (entry and result).
    if (fields > 2 * RUNS_PER_BUILD) await queues.redis.hdel(key, `run:${data.stage.run}`);
  };
}

export async function recordStageResult(queues: StageQueues, stage: StageIdentity, result: BuildResult): Promise<void> {
  const multi = queues.redis.multi();
  addStageResult(multi, queues, stage, result);
  await multi.exec();
}

/** recordStageResult's commands, added to a MULTI that writes other keys at the run's end. */
export function addStageResult(multi: ChainableCommander, queues: StageQueues, stage: StageIdentity, result: BuildResult): void {
  const key = buildKey(queues, stage.build);
  multi.hset(key, `result:${stage.run}`, result);
  addOnce(multi, `expire ${key}`, () => multi.expire(key, TTL_SECONDS));
}

/** The newest build of a commit, or undefined when Eve has none (or forgot it). */
export async function getLatestBuild(queues: StageQueues, repositoryId: number, sha: string): Promise<string | undefined> {
  return (await queues.redis.lindex(commitKey(queues, repositoryId, sha), 0)) ?? undefined;
}

/** The build's stage runs in the order they were enqueued. */
export async function getStageRuns(queues: StageQueues, build: string): Promise<StageRunEntry[]> {
  const fields = await queues.redis.hgetall(buildKey(queues, build));
  const entries: StageRunEntry[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith("run:")) continue;
    const stored = JSON.parse(value) as { data: StageJobData; enqueuedAt: number };
    const result = fields[`result:${field.slice("run:".length)}`] as BuildResult | undefined;
    entries.push({ data: { ...stored.data, checkRunId: undefined }, enqueuedAt: stored.enqueuedAt, result });
  }
  return entries.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
}
