import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { BuildFile, StageDef } from "../buildfile/types.js";
import { getRunAccess } from "../access/run-access-record.js";
import { TriggerRefusedError } from "../engine/trigger-limits.js";
import type { StageObserver } from "../engine/types.js";
import { getRunId, type StageJobData } from "./job-data.js";
import { createQueueLauncher, type SlotControl } from "./queue-launcher.js";
import { createStageQueues, type StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";

const redisUrl = process.env.REDIS_URL as string;
const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
const stage = (name: string): StageDef => ({ name, worker: { type: "local" }, steps: [] });
const buildFile: BuildFile = { version: "0.2", branches: [], stages: new Map(["top", "mid", ...names("c", 501)].map((n) => [n, stage(n)])) };
const slots: SlotControl = { whileWaiting: (wait) => wait() };

function jobData(build: string, name: string, parent?: StageJobData): StageJobData {
  return {
    installationId: 1,
    repository: { owner: "octo", name: "repo", id: 9 },
    sha: "a".repeat(40),
    branch: "main",
    buildFilePath: "eve/main.yml",
    stage: { build, stage: name, attempt: 1, run: getRunId(build, name, 1, parent?.stage.run) },
    workerType: "local",
    parent: parent?.stage,
    ...(parent ? { depth: (parent.depth ?? 0) + 1 } : {}),
    properties: {},
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
  };
}

function countingReporter(): RunReporter & { count: () => number } {
  let queued = 0;
  return {
    count: () => queued,
    async queued() {
      queued++;
      return undefined;
    },
    async start() {
      return { observer: {} as StageObserver, done: async () => undefined };
    },
    async finishUnstarted() {},
  };
}

const opened: StageQueues[] = [];
afterEach(async () => {
  await opened[0]?.queue("local").obliterate({ force: true });
  await Promise.all(opened.splice(0).map((queues) => queues.close()));
});

/** Two connections with one prefix: two worker processes of one Eve. */
function twoProcesses(): [StageQueues, StageQueues] {
  const prefix = `test-${randomUUID()}`;
  const pair: [StageQueues, StageQueues] = [createStageQueues(redisUrl, prefix), createStageQueues(redisUrl, prefix)];
  opened.push(...pair);
  return pair;
}

const launch = (queues: StageQueues, reporter: RunReporter, parent: StageJobData, stages: string[], limits = { maxStagesPerBuild: 500, maxDepth: 10 }) =>
  createQueueLauncher({ queues, reporter, parent, buildFile, slots, limits }).launch({ parent: parent.stage, stages, properties: {}, wait: false, signal: new AbortController().signal });

describe("queue launcher: limits on triggered stages across worker processes", () => {
  it("refuses a 501-stage fan-out before queuing any of it", async () => {
    const [queues] = twoProcesses();
    const reporter = countingReporter();

    const refused = launch(queues, reporter, jobData("b1", "top"), names("c", 501));

    await expect(refused).rejects.toThrow(TriggerRefusedError);
    await expect(refused).rejects.toThrow("starting 501 more stage(s) would make 501 triggered stages in this build, over the limit of 500");
    expect(reporter.count()).toBe(0);
    expect(await queues.queue("local").getJobCountByTypes("waiting", "prioritized")).toBe(0);
  });

  it("counts the build's stages in Redis: a launch in another process sees the first one's stages; a relaunch is not counted twice", async () => {
    const [first, second] = twoProcesses();
    const reporter = countingReporter();
    const top = jobData("b2", "top");
    const mid = jobData("b2", "mid", top);

    await launch(first, reporter, top, names("c", 300));
    await launch(first, reporter, top, names("c", 300));
    const refused = launch(second, reporter, mid, names("c", 201));

    await expect(refused).rejects.toThrow("starting 201 more stage(s) would make 501 triggered stages in this build, over the limit of 500");
    await launch(second, reporter, mid, names("c", 200));
    expect(await first.queue("local").getJobCountByTypes("waiting", "prioritized")).toBe(500);
  });

  it("records, for each queued run, the repository and whether it is private, for its pages' access check", async () => {
    const [queues] = twoProcesses();
    const top = jobData("b4", "top");
    const publicTop = { ...jobData("b5", "top"), repository: { owner: "octo", name: "hello", id: 10, private: false } };

    await launch(queues, countingReporter(), top, ["c0"]);
    await launch(queues, countingReporter(), publicTop, ["c0"]);

    expect(await getRunAccess(queues.redis, queues.prefix, getRunId("b4", "c0", 1, top.stage.run))).toEqual({ build: "b4", owner: "octo", repo: "repo", installationId: 1, private: true });
    expect(await getRunAccess(queues.redis, queues.prefix, getRunId("b5", "c0", 1, publicTop.stage.run))).toMatchObject({ repo: "hello", private: false });
  });

  it("refuses to trigger below the depth limit, from the depth the job carries", async () => {
    const [queues] = twoProcesses();
    const reporter = countingReporter();
    const deep = { ...jobData("b3", "mid", jobData("b3", "top")), depth: 2 };

    const refused = launch(queues, reporter, deep, ["c0"], { maxStagesPerBuild: 500, maxDepth: 2 });

    await expect(refused).rejects.toThrow("the stages would run 3 levels of TriggerStages below the top stage, over the limit of 2 (EVE_MAX_TRIGGER_DEPTH)");
    expect(reporter.count()).toBe(0);
  });
});
