/**
 * For the CheckRunReporter tests: a reporter per test for scality/ring at
 * HEAD_SHA, writing to a GitHub mock (github-mock.ts, closed after the test)
 * through a write queue that does not space its writes, with its log in a
 * RedisLogStore on the test Redis (prefixed-redis.ts).
 */
import { Octokit } from "@octokit/rest";
import { randomUUID } from "node:crypto";
import { afterEach } from "vitest";
import type { StageIdentity, StageOutcome } from "../../src/engine/types.js";
import { RedisLogStore } from "../../src/logs/redis-log-store.js";
import { CheckRunReporter, type CheckRunReporterOptions } from "../../src/reporting/check-run-reporter.js";
import { GitHubWriteQueue } from "../../src/reporting/github-write-queue.js";
import { mockGitHub, type GitHubMock } from "./github-mock.js";
import { usePrefixedRedis, type PrefixedRedis } from "./prefixed-redis.js";

export const HEAD_SHA = "c0ffee".padEnd(40, "0");

/** One test's reporter, what it writes through and to, and the errors it reported. */
export interface ReporterUnderTest {
  reporter: CheckRunReporter;
  writeQueue: GitHubWriteQueue;
  github: GitHubMock;
  /** The log store the reporter writes to, unless the test gave its own. */
  logs: RedisLogStore;
  errors: unknown[];
}

export interface CheckRunReporters extends PrefixedRedis {
  /** A reporter for this test, with `options` over the defaults. */
  setUp(options?: Partial<CheckRunReporterOptions>): ReporterUnderTest;
}

export function useCheckRunReporters(): CheckRunReporters {
  const db = usePrefixedRedis();
  const mocks: GitHubMock[] = [];
  afterEach(() => {
    for (const github of mocks.splice(0)) github.close();
  });
  return {
    prefix: db.prefix,
    get redis() {
      return db.redis;
    },
    setUp(options = {}) {
      const github = mockGitHub();
      mocks.push(github);
      const logs = new RedisLogStore(db.redis, { prefix: db.prefix, batchMs: 5 });
      const writeQueue = new GitHubWriteQueue({ minIntervalMs: 0, baseBackoffMs: 10 });
      const errors: unknown[] = [];
      const reporter = new CheckRunReporter({
        octokit: new Octokit({ auth: "installation-token" }),
        installationId: 42,
        owner: "scality",
        repo: "ring",
        headSha: HEAD_SHA,
        writeQueue,
        logStore: logs,
        logUrl: (run) => `https://eve.example.com/logs/${run}`,
        onError: (e) => errors.push(e),
        ...options,
      });
      return { reporter, writeQueue, github, logs, errors };
    },
  };
}

/** A stage run of build b1, attempt 1, with a run id of its own. */
export function stage(name = "pre-merge"): StageIdentity {
  return { build: "b1", stage: name, attempt: 1, run: `run-${randomUUID()}` };
}

/** The outcome of a stage pre-merge whose one step, compile, had `result`. */
export function outcome(result: StageOutcome["result"], summary: string): StageOutcome {
  return { name: "pre-merge", result, durationMs: 1500, summary, properties: {}, steps: [{ name: "compile", result, durationMs: 1400, exitCode: result === "success" ? 0 : 2 }] };
}
