import { Worker } from "bullmq";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { StageOutcome } from "../engine/types.js";
import { getRunId, type StageJobData, type StageJobResult } from "./job-data.js";
import { createRedisConnection, createStageQueues, getQueueName, type StageQueues } from "./queues.js";
import { watchChildren } from "./watch-children.js";

const redisUrl = process.env.REDIS_URL as string;
let queues: StageQueues;

afterEach(async () => {
  await queues.queue("local").obliterate({ force: true });
  await queues.close();
});

function child(name: string): StageJobData {
  const parent = { build: "b1", stage: "top", attempt: 1, run: getRunId("b1", "top", 1, undefined) };
  return {
    installationId: 1,
    repository: { owner: "octo", name: "repo", id: 9 },
    sha: "a".repeat(40),
    branch: "main",
    buildFilePath: "eve/main.yml",
    stage: { build: "b1", stage: name, attempt: 1, run: getRunId("b1", name, 1, parent.run) },
    workerType: "local",
    parent,
    properties: {},
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: Date.now(),
  };
}

describe("watchChildren", () => {
  it("reads the children that ended or were removed before it watched, in one sweep", async () => {
    queues = createStageQueues(redisUrl, `test-${randomUUID()}`);
    const [gone, done, failed, waiting] = [child("gone"), child("done"), child("failed"), child("waiting")];
    const outcome: StageOutcome = { name: "done", result: "success", durationMs: 5, steps: [], summary: "success", properties: {} };
    const connection = createRedisConnection(redisUrl);
    const worker = new Worker<StageJobData, StageJobResult>(
      getQueueName("local"),
      async (job) => {
        if (job.data.stage.stage === "failed") throw new Error("the worker broke");
        return { outcome };
      },
      { connection, prefix: queues.prefix },
    );
    const queue = queues.queue("local");
    for (const data of [done, failed]) await queue.add(data.stage.stage, data, { jobId: data.stage.run, attempts: 1 });
    await expect.poll(async () => [await queue.getJobState(done.stage.run), await queue.getJobState(failed.stage.run)]).toEqual(["completed", "failed"]);
    await worker.close();
    await connection.quit();
    await queue.add(waiting.stage.stage, waiting, { jobId: waiting.stage.run });

    const watch = await watchChildren(queues, [gone, done, failed, waiting]);
    const controller = new AbortController();
    const outcomes = watch.outcomes(controller.signal, [gone, done, failed, waiting]);
    controller.abort(new Error("the parent stopped"));

    expect((await outcomes).map((o) => `${o.result}: ${o.summary}`)).toEqual([
      "cancelled: cancelled before it started",
      "success: success",
      "exception: exception: the worker broke",
      "cancelled: cancelled: the parent stopped",
    ]);
  });
});
