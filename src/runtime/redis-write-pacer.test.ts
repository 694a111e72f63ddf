import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { GitHubWriteQueue } from "../reporting/github-write-queue.js";
import { createRedisWritePacer } from "./redis-write-pacer.js";

const redis = new Redis(process.env.REDIS_URL as string);

afterAll(async () => {
  await redis.quit();
});

/** Two processes' write queues (npm start's app and stage process) sharing one pace through Redis. */
function twoProcesses(intervalMs: number) {
  const prefix = `test-${randomUUID()}`;
  const queues = [0, 1].map(() => new GitHubWriteQueue({ minIntervalMs: intervalMs, baseBackoffMs: 10, pacer: createRedisWritePacer(redis, prefix) }));
  const sent: number[] = [];
  const write = (queue: GitHubWriteQueue, installation: number, run = async () => undefined as unknown) =>
    queue.enqueue(installation, {
      run: async () => {
        sent.push(Date.now());
        return run();
      },
    });
  return { queues, sent, write };
}

const gaps = (times: number[]) =>
  [...times]
    .sort((a, b) => a - b)
    .slice(1)
    .map((t, i) => t - ([...times].sort((a, b) => a - b)[i] ?? 0));

describe("the GitHub write pace shared through Redis", () => {
  it("spaces one installation's writes across processes, not per process", async () => {
    const { queues, sent, write } = twoProcesses(60);

    await Promise.all(queues.flatMap((queue) => [1, 2, 3].map(() => write(queue, 7))));

    expect(sent).toHaveLength(6);
    // Each process alone would space its own writes only: two at a time, 60 ms apart.
    expect(Math.min(...gaps(sent))).toBeGreaterThanOrEqual(55);
  });

  it("holds every process back when GitHub asks one to wait", async () => {
    const { queues, sent, write } = twoProcesses(1);
    const [limited, other] = queues as [GitHubWriteQueue, GitHubWriteQueue];
    let failed = false;
    // When GitHub asked: the hold counts from its answer, not from when the test saw it.
    let askedAt = 0;
    const retryAfter = async () => {
      if (failed) return undefined;
      failed = true;
      askedAt = Date.now();
      throw Object.assign(new Error("slow down"), { status: 429, response: { headers: { "retry-after": "0.3" } } });
    };

    const first = write(limited, 9, retryAfter);
    await expect.poll(() => failed).toBe(true);
    await write(other, 9);
    await first;

    // The other process's write waited for the 300 ms GitHub asked for, as the retry did.
    expect(Math.min(...sent.slice(1))).toBeGreaterThanOrEqual(askedAt + 250);
  });

  it("gives each installation its own pace", async () => {
    const { queues, sent, write } = twoProcesses(10_000);
    const started = Date.now();

    await Promise.all([write(queues[0] as GitHubWriteQueue, 1), write(queues[1] as GitHubWriteQueue, 2)]);

    // Sharing one pace, the second would have waited 10 s.
    expect(Math.max(...sent) - started).toBeLessThan(5_000);
  });
});
