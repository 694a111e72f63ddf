import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StageObserver, StageOutcome } from "../engine/types.js";
import { BuildHistory } from "./build-history.js";
import { getStageRuns } from "./build-registry.js";
import { getRunAccess } from "../access/run-access-record.js";
import { ENQUEUE_BATCH, ENQUEUE_FIRST_BATCH, enqueueStage, enqueueStages } from "./enqueue-stage.js";
import { getRunId, type StageJobData } from "./job-data.js";
import { createStageQueues, type StageQueues } from "./queues.js";
import { recordBuildRuns } from "./record-build-runs.js";
import type { RunReporter } from "./run-reporter.js";

const redisUrl = process.env.REDIS_URL as string;
let queues: StageQueues;

afterEach(async () => {
  await queues.queue("local").obliterate({ force: true });
  const keys = await queues.redis.keys(`${queues.prefix}:*`);
  if (keys.length > 0) await queues.redis.del(...keys);
  await queues.close();
});

function jobData(build: string): StageJobData {
  return {
    installationId: 1,
    repository: { owner: "octo", name: "repo", id: 9, private: true },
    sha: "a".repeat(40),
    branch: "main",
    buildFilePath: "eve/main.yml",
    stage: { build, stage: "top", attempt: 1, run: getRunId(build, "top", 1, undefined) },
    workerType: "local",
    parent: undefined,
    properties: {},
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
  };
}

const silentReporter: RunReporter = {
  queued: async () => undefined,
  start: async () => ({ observer: { stageStarted() {}, stepStarted() {}, output() {}, info() {}, stepFinished() {}, stageFinished() {} } satisfies StageObserver, done: async () => undefined }),
  finishUnstarted: async () => undefined,
};

function setUp() {
  queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
  const history = new BuildHistory({ redis: queues.redis, prefix: queues.prefix, retentionSec: 3600 });
  const errors: unknown[] = [];
  return { history, errors, reporter: recordBuildRuns(silentReporter, queues, (error) => errors.push(error), history) };
}

const success = (durationMs: number): StageOutcome => ({ name: "top", result: "success", durationMs, steps: [], summary: "success", properties: {} });

describe("recordBuildRuns", () => {
  it("records a run as queued in the history and the registry when it is enqueued", async () => {
    const { history, reporter } = setUp();
    const run = jobData("b0");

    await enqueueStage(queues, reporter, run);

    expect((await history.get("b0"))?.runs).toMatchObject([{ run: run.stage.run, stage: "top", attempt: 1 }]);
    expect((await getStageRuns(queues, "b0")).map((entry) => entry.data.stage)).toEqual([run.stage]);
  });

  it("records the runs enqueued together in one MULTI, the build's shared keys written once", async () => {
    const { reporter } = setUp();
    const top = jobData("b6");
    const runs = ["a", "b", "c"].map((stage): StageJobData => ({ ...top, stage: { ...top.stage, stage, run: getRunId("b6", stage, 1, top.stage.run) }, parent: top.stage }));
    const multis = vi.spyOn(queues.redis, "multi");

    expect(await enqueueStages(queues, reporter, runs)).toEqual([{ added: true }, { added: true }, { added: true }]);

    expect(multis).toHaveBeenCalledTimes(1);
    const record = await queues.redis.hgetall(`${queues.prefix}:history:build:b6`);
    expect(Object.keys(record).filter((field) => field.startsWith("q:"))).toHaveLength(3);
    expect(record.version).toBe("1");
    expect((await getStageRuns(queues, "b6")).map((entry) => entry.data.stage.stage).sort()).toEqual(["a", "b", "c"]);
    for (const run of runs) expect(await getRunAccess(queues.redis, queues.prefix, run.stage.run)).toMatchObject({ build: "b6", owner: "octo", repo: "repo" });
    expect(await queues.redis.ttl(`${queues.prefix}:build:b6:runs`)).toBeGreaterThan(0);
  });

  it("adds a large trigger's runs a batch at a time, each run once, with results in order", async () => {
    const { reporter } = setUp();
    const top = jobData("b7");
    const count = 2 * ENQUEUE_BATCH + 50;
    const runs = Array.from({ length: count }, (_, i): StageJobData => ({ ...top, stage: { ...top.stage, stage: `s${i}`, run: getRunId("b7", `s${i}`, 1, top.stage.run) }, parent: top.stage }));
    // Listed again in a later batch: found there, not added twice.
    const again = runs[0] as StageJobData;
    const multis = vi.spyOn(queues.redis, "multi");

    const results = await enqueueStages(queues, reporter, [...runs, again]);

    expect(results).toEqual([...runs.map(() => ({ added: true })), { added: false }]);
    // A small first batch, then full ones: 8 + 50 + 50 + 43.
    expect(multis).toHaveBeenCalledTimes(1 + Math.ceil((count + 1 - ENQUEUE_FIRST_BATCH) / ENQUEUE_BATCH));
    expect(await queues.queue("local").count()).toBe(count);
    const record = await queues.redis.hgetall(`${queues.prefix}:history:build:b7`);
    expect(Object.keys(record).filter((field) => field.startsWith("q:"))).toHaveLength(count);
  });

  it("leaves out of the registry a run of a build that has too many (it still runs)", async () => {
    const { reporter } = setUp();
    const fields = Array.from({ length: 10_001 }, (_, i) => [`result:r${i}`, "success"]).flat();
    await queues.redis.hset(`${queues.prefix}:registry:build:b9`, ...fields);
    const run = jobData("b9");

    expect(await enqueueStage(queues, reporter, run)).toEqual({ added: true });

    expect(await queues.redis.hexists(`${queues.prefix}:registry:build:b9`, `run:${run.stage.run}`)).toBe(0);
    expect(await queues.queue("local").getJob(run.stage.run)).toBeDefined();
  });

  it("writes a quick run's start, step and end in one batch, with its result in the registry", async () => {
    const { history, errors, reporter } = setUp();
    const run = jobData("b1");
    await enqueueStage(queues, reporter, run);
    const queuedVersion = (await history.get("b1"))?.version ?? 0;

    const { observer, done } = await reporter.start(run);
    observer.stageStarted(run.stage);
    observer.stepStarted(run.stage, 0, "shell");
    observer.stepFinished(run.stage, 0, { name: "shell", result: "success", durationMs: 1, exitCode: 0 });
    observer.stageFinished(run.stage, success(3));
    await done();

    const record = await history.get("b1");
    expect(record?.version).toBe(queuedVersion + 1);
    expect(record?.runs).toMatchObject([{ run: run.stage.run, worker: expect.any(String), steps: [{ name: "shell", result: "success" }], result: "success", durationMs: 3 }]);
    expect((await getStageRuns(queues, "b1")).map((entry) => entry.result)).toEqual(["success"]);
    expect(errors).toEqual([]);
  });

  it("writes what runs report at once in one MULTI, with the fairness counts of runs that ended", async () => {
    const { history, reporter } = setUp();
    const runs = [jobData("b4"), jobData("b5")];
    for (const run of runs) await enqueueStage(queues, reporter, run);
    const multis = vi.spyOn(queues.redis, "multi");

    const observations = await Promise.all(runs.map((run) => reporter.start(run)));
    runs.forEach((run, index) => {
      observations[index]?.observer.stageStarted(run.stage);
      observations[index]?.observer.stageFinished(run.stage, success(2));
    });
    const released = runs.map((run) => queues.releaseFairPriority(run.workerType, run.installationId));
    await Promise.all([...observations.map((observation) => observation.done()), ...released]);

    expect(multis).toHaveBeenCalledTimes(1);
    expect((await history.get("b5"))?.runs).toMatchObject([{ result: "success", durationMs: 2 }]);
    expect(await queues.redis.hget(`${queues.prefix}:fair:local`, "1")).toBeNull();
  });

  it("shows a run's start while it runs, without waiting for its end", async () => {
    const { history, reporter } = setUp();
    const run = jobData("b2");
    await enqueueStage(queues, reporter, run);

    const { observer } = await reporter.start(run);
    observer.stageStarted(run.stage);
    observer.stepStarted(run.stage, 0, "build");

    await expect.poll(async () => (await history.get("b2"))?.runs[0]).toMatchObject({ startedAt: expect.any(Number), steps: [{ name: "build" }] });
    expect((await history.get("b2"))?.runs[0]?.result).toBeUndefined();
  });

  it("ends a run that never started in the history and the registry", async () => {
    const { history, reporter } = setUp();
    const run = jobData("b3");
    await enqueueStage(queues, reporter, run);

    await reporter.finishUnstarted(run, { ...success(0), result: "cancelled", summary: "cancelled: superseded" });

    expect((await history.get("b3"))?.runs).toMatchObject([{ result: "cancelled", summary: "cancelled: superseded" }]);
    expect((await getStageRuns(queues, "b3")).map((entry) => entry.result)).toEqual(["cancelled"]);
  });
});
