import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { outcome, stage, useCheckRunReporters } from "../../test/helpers/check-run-reporters.js";
import { RedisLogStore } from "../logs/redis-log-store.js";

const reporters = useCheckRunReporters();

describe("CheckRunReporter: when it writes", () => {
  it("sends the end (check run and commit status) only once the log store holds the whole log", async () => {
    let logWhole = false;
    // A log store whose finish takes its time (a big log's last segment), as it may in production.
    const slowStore = logStoreFinishingAfter(() => sleep(100), () => (logWhole = true));
    const { reporter, errors, github } = reporters.setUp({ commitStatus: true, logStore: slowStore });
    const sent: [string, string, boolean][] = [];
    const note = (req: { operation: string; body: unknown }) => {
      const body = req.body as { status?: string; state?: string };
      sent.push([req.operation, body.status ?? body.state ?? "", logWhole]);
    };
    // The run ends before its create leaves: one create, already completed; statuses pending, then success.
    github.on("checks/create", (req) => (note(req), { body: { id: 7 } })).on("repos/create-commit-status", (req) => (note(req), { body: {} }), { times: 2 });
    const run = stage();

    reporter.stageStarted(run);
    void reporter.output(run, "the last line\n");
    reporter.stageFinished(run, outcome("success", "ok"));
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    expect(sent.filter(([, state]) => state !== "pending")).toEqual([
      ["checks/create", "completed", true],
      ["repos/create-commit-status", "success", true],
    ]);
  });

  it("sends the end once a reader sees the log whole, while the store still keeps it; the run's flush waits for that", async () => {
    let kept = false;
    let keep = () => {};
    const keeping = new Promise<void>((resolve) => (keep = resolve));
    const logs = new RedisLogStore(reporters.redis, { prefix: reporters.prefix, batchMs: 5 });
    // Whole in Redis at once; kept elsewhere (KeptLogStore's archive) only when the test says so.
    const keptLater = withFinish(logs, async (run, end, whole) => {
      await logs.finish(run, end);
      whole?.();
      await keeping;
      kept = true;
    });
    const { reporter, errors, github } = reporters.setUp({ logStore: keptLater });
    const sent: [string, boolean][] = [];
    github.on("checks/create", (req) => (sent.push([(req.body as { status: string }).status, kept]), { body: { id: 7 } }));
    const run = stage();

    reporter.stageStarted(run);
    reporter.stageFinished(run, outcome("success", "ok"));
    let flushed = false;
    const flushing = reporter.flush().then(() => (flushed = true));
    await expect.poll(() => sent).toEqual([["completed", false]]);
    expect(flushed).toBe(false);
    keep();
    await flushing;

    expect(errors).toEqual([]);
    github.assertDone();
  });

  it("lets the installation's other writes go while an end waits for its log to be whole", async () => {
    let logWhole = false;
    let releaseLog = () => {};
    const logGate = new Promise<void>((resolve) => (releaseLog = resolve));
    const { reporter, errors, github } = reporters.setUp({ commitStatus: true, logStore: logStoreFinishingAfter(() => logGate, () => (logWhole = true)) });
    const sent: [string, string, string, boolean][] = [];
    const note = (req: { operation: string; body: unknown }) => {
      const body = req.body as { name?: string; context?: string; status?: string; state?: string };
      sent.push([req.operation, body.name ?? body.context ?? "", body.status ?? body.state ?? "", logWhole]);
    };
    github
      .on("checks/create", (req) => (note(req), { body: { id: (req.body as { name: string }).name === "ended" ? 1 : 2 } }), { times: 2 })
      .on("checks/update", (req) => (note(req), { body: {} }), { params: { check_run_id: "1" } })
      .on("repos/create-commit-status", (req) => (note(req), { body: {} }), { times: 3 });
    const ended = stage("ended");
    const next = stage("next");

    await reporter.ensureQueued(ended);
    reporter.stageStarted(ended);
    reporter.stageFinished(ended, outcome("success", "ok"));
    // Its end waits for the log; were it waiting inside its write, this create and status would wait behind it.
    await expect(reporter.ensureQueued(next)).resolves.toBe(2);
    await expect.poll(() => sent.some(([, name, state]) => name === "next" && state === "pending")).toBe(true);
    expect(logWhole).toBe(false);
    releaseLog();
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    expect(sent.filter(([, name]) => name === "next")).toEqual([
      ["repos/create-commit-status", "next", "pending", false],
      ["checks/create", "next", "queued", false],
    ]);
    expect(sent.filter(([, , state]) => state === "completed" || state === "success")).toEqual([
      ["checks/update", "", "completed", true],
      ["repos/create-commit-status", "ended", "success", true],
    ]);
  });

  it("creates a run that started while its queued create waited in_progress, and one that ended meanwhile completed: one write each", async () => {
    const { reporter, writeQueue, errors, github } = reporters.setUp();
    github.on("checks/create", (req) => ({ body: { id: (req.body as { name: string }).name === "started" ? 1 : 2 } }), { times: 2 }).on("checks/update", { body: {} }, { params: { check_run_id: "1" } });
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The installation's lane is busy (a fan-out's backlog) while both runs are queued.
    const busy = writeQueue.enqueue(42, { run: () => gate });
    const started = stage("started");
    const ended = stage("ended");

    const ids = Promise.all([reporter.ensureQueued(ended), reporter.ensureQueued(started)]);
    reporter.stageStarted(ended);
    reporter.stageFinished(ended, outcome("success", "ok"));
    reporter.stageStarted(started);
    release();
    await busy;
    expect(await ids).toEqual([2, 1]);
    reporter.stageFinished(started, outcome("success", "ok"));
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    // The running stage first, though queued last; then the one that ended.
    expect(github.requests.map((r) => [r.operation, (r.body as { name?: string }).name, (r.body as { status: string }).status])).toEqual([
      ["checks/create", "started", "in_progress"],
      ["checks/create", "ended", "completed"],
      ["checks/update", undefined, "completed"],
    ]);
    expect(github.requests[0]?.body).toMatchObject({ started_at: expect.any(String), output: { title: expect.any(String) } });
  });

  it("holds a start GitHub would show over a queued check run: a stage that ends within the hold costs one update, with its start time", async () => {
    const { reporter, errors, github } = reporters.setUp();
    github.on("checks/update", { body: {} }, { params: { check_run_id: "55" } });
    const run = stage();

    reporter.useCheckRun(run, 55);
    reporter.stageStarted(run);
    reporter.stepStarted(run, 0, "true");
    reporter.stageFinished(run, outcome("success", "ok"));
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    expect(github.requestsFor("checks/update").map((r) => r.body)).toEqual([expect.objectContaining({ status: "completed", conclusion: "success", started_at: expect.any(String), completed_at: expect.any(String) })]);
  });

  it("sends a held start once the hold is over while the stage runs", async () => {
    const { reporter, errors, github } = reporters.setUp({ startHoldMs: 20 });
    github.on("checks/update", { body: {} }, { times: 2, params: { check_run_id: "56" } });
    const run = stage();

    reporter.useCheckRun(run, 56);
    reporter.stageStarted(run);
    await expect.poll(() => github.requestsFor("checks/update").length).toBe(1);
    reporter.stageFinished(run, outcome("success", "ok"));
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    expect(github.requestsFor("checks/update").map((r) => (r.body as { status: string }).status)).toEqual(["in_progress", "completed"]);
  });

  it("delivers the final state through a rate limit and a server error", async () => {
    const { reporter, writeQueue, github } = reporters.setUp();
    github
      .on("checks/create", { status: 403, headers: { "retry-after": "0" }, body: { message: "secondary rate limit" } })
      .on("checks/create", { status: 502, body: {} })
      .on("checks/create", { body: { id: 8 } });
    const run = stage();

    reporter.stageFinished(run, outcome("success", "ok"));
    await reporter.flush();
    await writeQueue.flush();

    github.assertDone();
    expect(github.requests.map((r) => r.operation)).toEqual(["checks/create", "checks/create", "checks/create"]);
  });

  it("never holds the stage back: observer calls return before anything reaches GitHub", async () => {
    const { reporter, github } = reporters.setUp();
    github.on("checks/create", () => ({ body: { id: 1 } }));
    const run = stage();

    reporter.stageStarted(run);
    for (let i = 0; i < 10_000; i++) void reporter.output(run, `line ${i}\n`);
    reporter.stageFinished(run, outcome("success", "ok"));
    const sentWhileCalling = github.requests.length;
    await reporter.flush();

    expect(sentWhileCalling).toBe(0);
    github.assertDone();
  });
});

/** A RedisLogStore on the test Redis whose finish waits for `before` and then calls `after` (a big log's last segment). */
function logStoreFinishingAfter(before: () => Promise<unknown>, after: () => void): RedisLogStore {
  const logs = new RedisLogStore(reporters.redis, { prefix: reporters.prefix, batchMs: 5 });
  return withFinish(logs, async (...args) => {
    await before();
    await logs.finish(...args);
    after();
  });
}

/** `logs` with its `finish` replaced. */
function withFinish(logs: RedisLogStore, finish: RedisLogStore["finish"]): RedisLogStore {
  return new Proxy({} as RedisLogStore, {
    get(_, prop) {
      if (prop === "finish") return finish;
      const value = Reflect.get(logs, prop) as unknown;
      return typeof value === "function" ? value.bind(logs) : value;
    },
  });
}
