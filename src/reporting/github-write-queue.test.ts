import { describe, expect, it } from "vitest";
import { GitHubWriteQueue, WritePriority } from "./github-write-queue.js";

function httpError(status: number, headers: Record<string, string> = {}, message = "") {
  return Object.assign(new Error(message), { status, response: { headers } });
}

/** A task failing with `errors` in turn, then succeeding; records when each attempt started. */
function flaky(errors: unknown[], result = "ok") {
  const attempts: number[] = [];
  return {
    attempts,
    run: async () => {
      attempts.push(Date.now());
      const error = errors.shift();
      if (error) throw error;
      return result;
    },
  };
}

const fast = { minIntervalMs: 0, baseBackoffMs: 20, secondaryLimitWaitMs: 30 };

describe("GitHubWriteQueue", () => {
  it.each([
    ["502", [httpError(502), httpError(503)], 2],
    ["timeout / network error", [new Error("aborted")], 1],
    ["429 with retry-after", [httpError(429, { "retry-after": "0" })], 1],
    ["403 quota spent", [httpError(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)) })], 1],
    ["403 secondary limit", [httpError(403, {}, "You have exceeded a secondary rate limit")], 1],
  ])("retries after %s", async (_name, errors, retries) => {
    const task = flaky([...errors]);

    const result = await new GitHubWriteQueue(fast).enqueue(1, task);

    expect(result).toBe("ok");
    expect(task.attempts).toHaveLength(retries + 1);
  });

  it.each([
    ["422", httpError(422)],
    ["403 without a rate limit", httpError(403, {}, "Resource not accessible by integration")],
    ["404", httpError(404)],
  ])("gives up at once on %s and reports it", async (_name, error) => {
    const errors: unknown[] = [];
    const task = flaky([error]);

    await expect(new GitHubWriteQueue({ ...fast, onError: (e) => errors.push(e) }).enqueue(1, task)).rejects.toBe(error);

    expect(task.attempts).toHaveLength(1);
    expect(errors).toEqual([error]);
  });

  it("waits as long as retry-after says", async () => {
    const task = flaky([httpError(403, { "retry-after": "1" })]);

    await new GitHubWriteQueue(fast).enqueue(1, task);

    expect((task.attempts[1] ?? 0) - (task.attempts[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("retries a final write longer than others", async () => {
    const errors = () => Array.from({ length: 6 }, () => httpError(500));
    const queue = new GitHubWriteQueue({ ...fast, baseBackoffMs: 1, maxAttempts: 3, maxFinalAttempts: 10 });

    await expect(queue.enqueue(1, flaky(errors()))).rejects.toMatchObject({ status: 500 });
    await expect(queue.enqueue(1, { ...flaky(errors()), final: true })).resolves.toBe("ok");
  });

  it("coalesces waiting writes with the same key: only the latest is sent, every caller gets its result", async () => {
    const queue = new GitHubWriteQueue({ minIntervalMs: 50 });
    const sent: string[] = [];
    const write = (key: string, value: string) => queue.enqueue(1, { key, run: async () => (sent.push(value), value) });

    const results = await Promise.all([write("a", "a1"), write("b", "b1"), write("b", "b2"), write("b", "b3")]);

    expect(sent).toEqual(["a1", "b3"]);
    expect(results).toEqual(["a1", "b3", "b3", "b3"]);
  });

  it("spaces one installation's writes and never lets it delay another's", async () => {
    const queue = new GitHubWriteQueue({ minIntervalMs: 40 });
    const times: Record<string, number[]> = { busy: [], other: [] };
    const order: string[] = [];
    const started = Date.now();
    const write = (lane: "busy" | "other") =>
      queue.enqueue(lane, {
        run: async () => {
          times[lane]?.push(Date.now() - started);
          order.push(lane);
        },
      });

    const busy = Array.from({ length: 10 }, () => write("busy"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await write("other");
    await Promise.all(busy);
    await queue.flush();

    const gaps = (times.busy ?? []).slice(1).map((t, i) => t - (times.busy?.[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(35);
    // Queued behind the busy lane, it would come last.
    expect(order.indexOf("other")).toBeLessThan(order.lastIndexOf("busy"));
  });

  it("sends the most urgent waiting write first, in order of arrival within a priority; a write joined by a newer one takes its priority and lines up as arriving then", async () => {
    const queue = new GitHubWriteQueue({ minIntervalMs: 0 });
    const sent: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const write = (name: string, priority?: number, key?: string) =>
      queue.enqueue(1, { ...(key ? { key } : {}), ...(priority === undefined ? {} : { priority }), run: async () => void sent.push(name) });

    // The lane is busy with a first write while a fan-out's backlog piles up behind it.
    const busy = queue.enqueue(1, { run: () => gate.then(() => void sent.push("busy")) });
    const writes = [
      write("progress-1", WritePriority.progress),
      write("create-1", WritePriority.queued),
      write("create-2", WritePriority.queued),
      write("completed-1"),
      write("create-9", WritePriority.queued, "run-9"),
      write("create-8", WritePriority.queued, "run-8"),
      write("new-push", WritePriority.firstOfBuild),
      write("started-1", WritePriority.started),
      // Joins the waiting create-9, raised to started: it lines up behind started-1, ahead of the backlog.
      write("started-9", WritePriority.started, "run-9"),
      write("started-8", WritePriority.started, "run-8"),
      // Run 8 ended before its start was shown: its one write lines up behind the stages still running, ahead of other ends.
      write("ended-8", WritePriority.endedUnseen, "run-8"),
    ];
    release();
    await Promise.all([busy, ...writes]);

    expect(sent).toEqual(["busy", "new-push", "started-1", "started-9", "ended-8", "completed-1", "create-1", "create-2", "progress-1"]);
  });
});
