import { describe, expect, it } from "vitest";
import { GitHubWriteQueue, WritePriority } from "./github-write-queue.js";

/** A promise settled from outside: a write's readiness, or a gate a write's run waits on. */
function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("GitHubWriteQueue: writes that are not ready yet", () => {
  it("sends the lane's other writes while one waits for its readiness, and that one once it is ready", async () => {
    const queue = new GitHubWriteQueue({ minIntervalMs: 0 });
    const sent: string[] = [];
    const logWhole = deferred();

    // More urgent and first in line: were it sent as soon as taken, the lane would wait for it.
    const end = queue.enqueue(1, { priority: WritePriority.endedUnseen, ready: logWhole.promise, run: async () => (sent.push("end"), "end") });
    const other = queue.enqueue(1, { priority: WritePriority.queued, run: async () => (sent.push("other"), "other") });

    await expect(other).resolves.toBe("other");
    expect(sent).toEqual(["other"]);
    expect(queue.backlog()).toEqual(new Map([["1", 1]]));
    logWhole.resolve();
    await expect(end).resolves.toBe("end");
    expect(sent).toEqual(["other", "end"]);
    await queue.flush();
    expect(queue.backlog()).toEqual(new Map());
  });

  it("keeps a waiting write's priority and key: joined, it waits for the newer task's readiness and goes ahead of less urgent writes", async () => {
    const queue = new GitHubWriteQueue({ minIntervalMs: 0 });
    const sent: string[] = [];
    const [busyGate, urgentGate, runM, runN1, runN2] = [deferred(), deferred(), deferred(), deferred(), deferred()];
    let urgentStarted = () => {};
    const urgentRunning = new Promise<void>((resolve) => (urgentStarted = resolve));
    const write = (name: string, priority: number, options: { key?: string; ready?: Promise<void> } = {}) =>
      queue.enqueue(1, { ...options, priority, run: async () => (sent.push(name), name) });

    const busy = queue.enqueue(1, { run: () => busyGate.promise.then(() => void sent.push("busy")) });
    const n1 = write("n-1", WritePriority.started, { key: "n", ready: runN1.promise });
    const q = write("create-q", WritePriority.queued);
    const p = write("progress-p", WritePriority.progress);
    // Arrives after the backlog, not ready: once ready it still goes first, by its priority.
    const m = write("m", WritePriority.started, { key: "m", ready: runM.promise });
    // Joins n-1 (one write for both callers), with a readiness of its own.
    const n2 = write("n-2", WritePriority.started, { key: "n", ready: runN2.promise });
    const urgent = queue.enqueue(1, { priority: WritePriority.firstOfBuild, run: () => (urgentStarted(), urgentGate.promise.then(() => void sent.push("urgent"))) });
    busyGate.resolve();
    await urgentRunning;
    // While the urgent write is being sent: m is ready, n only as far as its older task goes.
    runM.resolve();
    runN1.resolve();
    urgentGate.resolve();
    await Promise.all([busy, urgent, m, q, p]);
    expect(sent).toEqual(["busy", "urgent", "m", "create-q", "progress-p"]);
    runN2.resolve();

    await expect(Promise.all([n1, n2])).resolves.toEqual(["n-2", "n-2"]);
    expect(sent).toEqual(["busy", "urgent", "m", "create-q", "progress-p", "n-2"]);
  });

  it("sends a write whose readiness rejected: its maker reports that failure, the write still goes", async () => {
    const queue = new GitHubWriteQueue({ minIntervalMs: 0 });
    const failed = deferred();
    const write = queue.enqueue(1, { final: true, ready: failed.promise, run: async () => "sent" });

    failed.reject(new Error("log store unreachable"));

    await expect(write).resolves.toBe("sent");
  });
});
