import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { BuildFile, StageDef } from "../buildfile/types.js";
import type { StageObserver, StageOutcome } from "../engine/types.js";
import { cancelReportedBuilds } from "./cancel-builds.js";
import { enqueueStage } from "./enqueue-stage.js";
import { getRunId, type StageJobData } from "./job-data.js";
import { createQueueLauncher } from "./queue-launcher.js";
import { createStageQueues, type StageQueues } from "./queues.js";
import type { RunReporter } from "./run-reporter.js";
import { startStageWorkers, type StageWorkers } from "./stage-workers.js";

const redisUrl = process.env.REDIS_URL as string;
const stage = (name: string): StageDef => ({ name, worker: { type: "local" }, steps: [] });
const buildFile: BuildFile = { version: "0.2", branches: [], stages: new Map(["top", "a", "b"].map((n) => [n, stage(n)])) };

function jobData(build: string, name: string, installationId = 1): StageJobData {
  return {
    installationId,
    repository: { owner: "octo", name: "repo", id: 9 },
    sha: "a".repeat(40),
    branch: "main",
    buildFilePath: "eve/main.yml",
    stage: { build, stage: name, attempt: 1, run: getRunId(build, name, 1, undefined) },
    workerType: "local",
    parent: undefined,
    properties: {},
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
  };
}

function outcome(name: string, result: StageOutcome["result"] = "success"): StageOutcome {
  return { name, result, durationMs: 1, steps: [], summary: result, properties: {} };
}

function recordingReporter(): RunReporter & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    async queued(run) {
      events.push(`queued ${run.stage.stage}`);
      return undefined;
    },
    async start(run) {
      events.push(`start ${run.stage.stage}`);
      return { observer: {} as StageObserver, done: async () => undefined };
    },
    async finishUnstarted(run, result) {
      events.push(`unstarted ${run.stage.stage} ${result.result}: ${result.summary}`);
    },
  };
}

let queues: StageQueues;
let workers: StageWorkers | undefined;

afterEach(async () => {
  await workers?.close();
  workers = undefined;
  for (const type of ["local"] as const) await queues.queue(type).obliterate({ force: true });
  await queues.close();
});

describe("stage workers", () => {
  it("runs a waiting parent's children even when the parent holds the only slot", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const reporter = recordingReporter();
    workers = await startStageWorkers({
      queues,
      types: ["local"],
      capacity: { local: 1, docker: 1, kube_pod: 1, openstack: 1 },
      onError: (error) => expect.fail(error.message),
      createProcessor: (slots) => async (job) => {
        if (job.data.stage.stage !== "top") return { outcome: outcome(job.data.stage.stage) };
        const launcher = createQueueLauncher({ queues, reporter, parent: job.data, buildFile, slots: slots("local") });
        const children = await launcher.launch({ parent: job.data.stage, stages: ["a", "b"], properties: {}, wait: true, signal: new AbortController().signal });
        return { outcome: { ...outcome("top"), summary: children.map((c) => `${c.name}:${c.result}`).join(",") } };
      },
    });
    const top = jobData("b1", "top");

    await enqueueStage(queues, reporter, top);
    const job = await queues.queue("local").getJob(top.stage.run);
    const result = await job!.waitUntilFinished(await queues.events("local"), 10_000);

    expect(result.outcome.summary).toBe("a:success,b:success");
    expect(reporter.events.filter((e) => e.startsWith("queued"))).toEqual(["queued top", "queued a", "queued b"]);
  });

  it("gives a waiting parent each child's outcome: a failed job is an exception, and a relaunch reads finished children", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const reporter = recordingReporter();
    const launches: string[] = [];
    workers = await startStageWorkers({
      queues,
      types: ["local"],
      capacity: { local: 2, docker: 1, kube_pod: 1, openstack: 1 },
      onError: (error) => expect.fail(error.message),
      createProcessor: (slots) => async (job) => {
        if (job.data.stage.stage === "b") throw new Error("the worker broke");
        if (job.data.stage.stage !== "top") return { outcome: outcome(job.data.stage.stage) };
        const launcher = createQueueLauncher({ queues, reporter, parent: job.data, buildFile, slots: slots("local") });
        const launch = () => launcher.launch({ parent: job.data.stage, stages: ["a", "b"], properties: {}, wait: true, signal: new AbortController().signal });
        // The second launch finds both children already finished (as a parent retried after a crash would).
        for (const children of [await launch(), await launch()]) launches.push(children.map((c) => `${c.name}:${c.result}:${c.summary}`).join(","));
        return { outcome: outcome("top") };
      },
    });
    const top = jobData("b3", "top");

    await enqueueStage(queues, reporter, top);
    const job = await queues.queue("local").getJob(top.stage.run);
    await job!.waitUntilFinished(await queues.events("local"), 10_000);

    expect(launches).toEqual(["a:success:success,b:exception:exception: the worker broke", "a:success:success,b:exception:exception: the worker broke"]);
  });

  it("takes another installation's single build before a busy installation's backlog", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const reporter = recordingReporter();
    for (let i = 0; i < 5; i++) await enqueueStage(queues, reporter, jobData(`busy${i}`, "top", 1));
    await enqueueStage(queues, reporter, jobData("lonely", "top", 2));
    const order: string[] = [];

    workers = await startStageWorkers({
      queues,
      types: ["local"],
      capacity: { local: 1, docker: 1, kube_pod: 1, openstack: 1 },
      onError: (error) => expect.fail(error.message),
      createProcessor: () => async (job) => {
        order.push(job.data.stage.build);
        return { outcome: outcome("top") };
      },
    });
    await expect.poll(() => order.length, { timeout: 10_000 }).toBe(6);

    expect(order).toEqual(["busy0", "lonely", "busy1", "busy2", "busy3", "busy4"]);
  });

  it("enqueues a run once, however often it is added", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const reporter = recordingReporter();
    const data = jobData("b2", "top");

    const results = [await enqueueStage(queues, reporter, data), await enqueueStage(queues, reporter, data)];

    expect(results).toEqual([{ added: true }, { added: false }]);
    expect(await queues.queue("local").count()).toBe(1);
  });

  it("removes a cancelled build's queued runs and ends them through the reporter", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const reporter = recordingReporter();
    await enqueueStage(queues, reporter, jobData("old", "top"));
    await enqueueStage(queues, reporter, jobData("new", "top"));

    await cancelReportedBuilds(queues, reporter, ["old"], "superseded by a newer push");

    expect(await queues.queue("local").count()).toBe(1);
    expect(reporter.events).toContain("unstarted top cancelled: cancelled: superseded by a newer push");
  });

  it("does not wait for the cancelled runs' check-run writes (a webhook handler cancels)", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const reporter = recordingReporter();
    await enqueueStage(queues, reporter, jobData("old", "top"));
    const ends: string[] = [];
    // Writes that go out at the installation's pace: here, never.
    const slowReporter = { ...reporter, finishUnstarted: (run: StageJobData) => new Promise<void>(() => ends.push(run.stage.run)) };

    await cancelReportedBuilds(queues, slowReporter, ["old"], "superseded by a newer push");

    expect(ends).toEqual([jobData("old", "top").stage.run]);
    expect(await queues.queue("local").count()).toBe(0);
  });
});
