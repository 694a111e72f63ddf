/**
 * The history the build pages show, kept in Redis as long as the logs (the
 * retention from settings). The build registry (build-registry.ts) keeps each
 * run's job data for re-runs, properties and all, for a week; this keeps only
 * what a page draws, small enough to keep a month: per build one hash with
 *   info          the build: repository, privacy, commit, branch, trigger, creation time
 *   q:<run>       the run as queued: stage, attempt, parent run, worker type, time, trigger
 *   s:<run>       when it started, on which worker process
 *   steps:<run>   its steps' names, start and end times, results
 *   e:<run>       its result, end time, duration, one-line summary
 *   version       bumped on every write: live pages re-read the build when it moves
 * and per repository a sorted set of its builds by creation time (the
 * repository page). Writes are bounded: one per run queued, and a run's
 * start, steps and end go out batched (record-build-runs.ts), never per
 * output line.
 */
import type { ChainableCommander, Redis } from "ioredis";
import type { BuildResult } from "../engine/results.js";
import type { StageIdentity } from "../engine/types.js";
import type { RunTrigger, StageJobData } from "./job-data.js";
import { addOnce } from "./redis-write-batch.js";

export interface BuildInfo {
  build: string;
  owner: string;
  repo: string;
  private: boolean;
  sha: string;
  branch: string;
  trigger: RunTrigger | undefined;
  createdAt: number;
}

export interface StepRecord {
  name: string;
  startedAt: number;
  finishedAt?: number;
  result?: BuildResult;
}

export interface RunRecord {
  run: string;
  stage: string;
  attempt: number;
  parentRun: string | undefined;
  workerType: string;
  trigger: RunTrigger | undefined;
  queuedAt: number;
  startedAt?: number;
  /** The worker process that ran it (`host:pid`). */
  worker?: string;
  steps: StepRecord[];
  finishedAt?: number;
  durationMs?: number;
  result?: BuildResult;
  summary?: string;
  /** The build's artifacts container page (`artifacts_public_url`), once the run knows it. */
  artifactsUrl?: string;
}

/** How a run ended, as its history records it. */
export interface RunEnd {
  result: BuildResult;
  finishedAt: number;
  durationMs: number;
  summary: string;
  artifactsUrl?: string;
}

export interface BuildRecord {
  info: BuildInfo;
  /** In the order they were queued. */
  runs: RunRecord[];
  version: number;
}

export interface BuildHistoryOptions {
  redis: Redis;
  prefix: string;
  /** How long a build stays on record after its last write. */
  retentionSec: number;
  /** Builds kept per repository on its page's index (default 1000). */
  buildsPerRepository?: number;
  /** The clock of the recorded times (default Date.now). */
  now?: () => number;
}

/** Reads and writes one Eve installation's build history. */
export class BuildHistory {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #perRepository: number;
  /** The clock every recorded time comes from. */
  readonly now: () => number;

  constructor(options: BuildHistoryOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#ttl = options.retentionSec;
    this.#perRepository = options.buildsPerRepository ?? 1000;
    this.now = options.now ?? Date.now;
  }

  #buildKey(build: string): string {
    return `${this.#prefix}:history:build:${build}`;
  }

  #repositoryKey(owner: string, repo: string): string {
    // GitHub's owner and repository names are case-insensitive.
    return `${this.#prefix}:history:repository:${owner.toLowerCase()}/${repo.toLowerCase()}`;
  }

  /** Adds a write of run fields of the build (from `runFields`), with the version bump, to a MULTI. */
  addWrite(multi: ChainableCommander, build: string, fields: Record<string, string>): void {
    const key = this.#buildKey(build);
    multi.hset(key, fields);
    this.#bump(multi, key);
  }

  /** The version bump and expiry of a build's hash: once per MULTI, however many of its runs it writes. */
  #bump(multi: ChainableCommander, key: string): void {
    addOnce(multi, `history ${key}`, () => multi.hincrby(key, "version", 1).expire(key, this.#ttl));
  }

  async queued(data: StageJobData, queuedAt: number): Promise<void> {
    const multi = this.#redis.multi();
    this.addQueued(multi, data, queuedAt);
    await multi.exec();
  }

  /** `queued`'s commands, added to the MULTI that enqueues the run. */
  addQueued(multi: ChainableCommander, data: StageJobData, queuedAt: number): void {
    const key = this.#buildKey(data.stage.build);
    const run = {
      run: data.stage.run,
      stage: data.stage.stage,
      attempt: data.stage.attempt,
      parentRun: data.parent?.run,
      workerType: data.workerType,
      trigger: data.trigger,
      queuedAt,
      ...artifactsUrlOf(data.properties),
    };
    multi.hset(key, `q:${data.stage.run}`, JSON.stringify(run));
    this.#bump(multi, key);
    if (data.parent === undefined) {
      const info: BuildInfo = {
        build: data.stage.build,
        owner: data.repository.owner,
        repo: data.repository.name,
        private: data.repository.private !== false,
        sha: data.sha,
        branch: data.branch,
        trigger: data.trigger,
        createdAt: data.createdAt,
      };
      // The first attempt's info stays: a re-run of the top stage is not a new build.
      multi.hsetnx(key, "info", JSON.stringify(info));
      if (data.stage.attempt === 1) {
        const index = this.#repositoryKey(info.owner, info.repo);
        multi.zadd(index, info.createdAt, info.build).zremrangebyrank(index, 0, -this.#perRepository - 1).expire(index, this.#ttl);
      }
    }
  }

  /** The worker process a run started on, if it started. */
  async workerOf(build: string, run: string): Promise<string | undefined> {
    const start = parseOptional<{ worker: string }>((await this.#redis.hget(this.#buildKey(build), `s:${run}`)) ?? undefined);
    return start?.worker;
  }

  /** Only the version: what a live page polls. */
  async version(build: string): Promise<number> {
    return Number((await this.#redis.hget(this.#buildKey(build), "version")) ?? 0);
  }

  async get(build: string): Promise<BuildRecord | undefined> {
    return parseBuild(await this.#redis.hgetall(this.#buildKey(build)));
  }

  /** The repository's builds, newest first (at most `limit`). */
  async recentBuilds(owner: string, repo: string, limit: number): Promise<BuildRecord[]> {
    const builds = await this.#redis.zrevrange(this.#repositoryKey(owner, repo), 0, limit - 1);
    if (builds.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const build of builds) pipeline.hgetall(this.#buildKey(build));
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, fields]) => {
      const record = error ? undefined : parseBuild(fields as Record<string, string>);
      return record ? [record] : [];
    });
  }
}

/** The hash fields of a run's events, for `BuildHistory.write`. */
export const runFields = {
  started: (stage: StageIdentity, startedAt: number, worker: string) => ({ [`s:${stage.run}`]: JSON.stringify({ startedAt, worker }) }),
  steps: (stage: StageIdentity, steps: readonly StepRecord[]) => ({ [`steps:${stage.run}`]: JSON.stringify(steps) }),
  finished: (stage: StageIdentity, end: RunEnd) => ({ [`e:${stage.run}`]: JSON.stringify(end) }),
};

function parseBuild(fields: Record<string, string>): BuildRecord | undefined {
  if (fields.info === undefined) return undefined;
  const info = JSON.parse(fields.info) as BuildInfo;
  const runs: RunRecord[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith("q:")) continue;
    const run = field.slice(2);
    const start = parseOptional<{ startedAt: number; worker: string }>(fields[`s:${run}`]);
    const end = parseOptional<RunEnd>(fields[`e:${run}`]);
    runs.push({ ...(JSON.parse(value) as Omit<RunRecord, "steps">), ...start, ...end, steps: parseOptional<StepRecord[]>(fields[`steps:${run}`]) ?? [] });
  }
  // Stages triggered together are queued in the same millisecond: then by name, for a stable page.
  runs.sort((a, b) => a.queuedAt - b.queuedAt || a.stage.localeCompare(b.stage) || a.attempt - b.attempt);
  return { info, runs, version: Number(fields.version ?? 0) };
}

/** `artifacts_public_url` of a run's properties, when it is a web address (the page links to it). */
export function artifactsUrlOf(properties: Readonly<Record<string, unknown>>): { artifactsUrl?: string } {
  const url = properties.artifacts_public_url;
  return typeof url === "string" && /^https?:\/\//.test(url) ? { artifactsUrl: url } : {};
}

function parseOptional<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
