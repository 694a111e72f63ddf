import { Octokit } from "@octokit/rest";
import { Redis } from "ioredis";
import { ProbotOctokit } from "probot";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mockGitHub, type GitHubMock } from "../../test/helpers/github-mock.js";
import type { StageIdentity, StageOutcome } from "../engine/types.js";
import { LOG_START } from "../logs/log-store.js";
import { RedisLogStore } from "../logs/redis-log-store.js";
import { CheckRunReporter, type CheckRunReporterOptions } from "./check-run-reporter.js";
import type { ChecksClient } from "./checks-client.js";
import { parseExternalId } from "./external-id.js";
import { GitHubWriteQueue } from "./github-write-queue.js";

// Compile-time: both kinds of clients helpers pass are accepted as they are.
const _octokitFits: ChecksClient = new Octokit();
const _probotFits: ChecksClient = new ProbotOctokit();
void [_octokitFits, _probotFits];

const sha = "c0ffee".padEnd(40, "0");
let redis: Redis;
let github: GitHubMock;
let logs: RedisLogStore;
let prefix: string;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
});

afterEach(async () => {
  github.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(() => redis.disconnect());

function setUp(options: Partial<CheckRunReporterOptions> = {}) {
  prefix = `test-${randomUUID()}:`;
  github = mockGitHub();
  logs = new RedisLogStore(redis, { prefix, batchMs: 5 });
  const writeQueue = new GitHubWriteQueue({ minIntervalMs: 0, baseBackoffMs: 10 });
  const errors: unknown[] = [];
  const reporter = new CheckRunReporter({
    octokit: new Octokit({ auth: "installation-token" }),
    installationId: 42,
    owner: "scality",
    repo: "ring",
    headSha: sha,
    writeQueue,
    logStore: logs,
    logUrl: (run) => `https://eve.example.com/logs/${run}`,
    onError: (e) => errors.push(e),
    ...options,
  });
  return { reporter, writeQueue, errors };
}

function stage(name = "pre-merge"): StageIdentity {
  return { build: "b1", stage: name, attempt: 1, run: `run-${randomUUID()}` };
}

function outcome(result: StageOutcome["result"], summary: string): StageOutcome {
  return { name: "pre-merge", result, durationMs: 1500, summary, properties: {}, steps: [{ name: "compile", result, durationMs: 1400, exitCode: result === "success" ? 0 : 2 }] };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("CheckRunReporter", () => {
  it("reports a run queued → in_progress → progress → completed with annotations in chunks, and a commit status", async () => {
    // Its in_progress at once (no start hold): this test is about what follows it.
    const { reporter, errors } = setUp({ commitStatus: true, progressIntervalMs: 150, annotationRoots: ["/w/build"], startHoldMs: 0 });
    github
      .on("checks/create", { body: { id: 99 } })
      .on("checks/update", (req) => ({ body: { id: Number(req.params.check_run_id) } }), { times: 5 })
      .on("repos/create-commit-status", {}, { times: 2 });
    const run = stage();

    const id = await reporter.ensureQueued(run);
    reporter.stageStarted(run);
    reporter.stepStarted(run, 0, "compile");
    for (let i = 1; i <= 60; i++) void reporter.output(run, `/w/build/src/f${i}.c:${i}:1: error: bad ${i}\n`);
    await sleep(50);
    for (let i = 61; i <= 120; i++) void reporter.output(run, `/w/build/src/f${i}.c:${i}:1: error: bad ${i}\n`);
    await sleep(300);
    reporter.stepFinished(run, 0, outcome("failure", "").steps[0] as StageOutcome["steps"][0]);
    reporter.stageFinished(run, outcome("failure", "step 'compile' exited 2"));
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    expect(id).toBe(99);
    const [create] = github.requestsFor("checks/create");
    expect(create?.body).toEqual({ name: "pre-merge", head_sha: sha, status: "queued", external_id: `b1/1/${run.run}/pre-merge`, details_url: `https://eve.example.com/logs/${run.run}` });
    expect(parseExternalId((create?.body as { external_id: string }).external_id)).toEqual(run);
    const updates = github.requestsFor("checks/update").map((r) => r.body as Record<string, any>);
    expect(updates.map((u) => u.status ?? "annotations")).toEqual(["in_progress", "in_progress", "completed", "annotations", "annotations"]);
    expect(updates[0]?.output.text).not.toContain("bad 61");
    expect(updates[1]?.output.title).toBe("Running step 1: compile");
    expect(updates[1]?.output.text).toContain("src/f120.c:120:1: error: bad 120");
    expect(updates[2]).toMatchObject({ conclusion: "failure", output: { title: "step 'compile' exited 2" } });
    expect(updates.map((u) => u.output?.annotations?.length ?? 0)).toEqual([0, 0, 50, 50, 20]);
    expect(updates[2]?.output.annotations[0]).toEqual({ path: "src/f1.c", start_line: 1, end_line: 1, start_column: 1, end_column: 1, annotation_level: "failure", message: "bad 1" });
    expect(github.requestsFor("repos/create-commit-status").map((r) => r.body)).toEqual([
      { state: "pending", context: "pre-merge", description: "queued", target_url: `https://eve.example.com/logs/${run.run}` },
      { state: "failure", context: "pre-merge", description: "step 'compile' exited 2", target_url: `https://eve.example.com/logs/${run.run}` },
    ]);
    const page = await logs.read(run.run, LOG_START);
    const records = page.entries.flatMap((e) => e.records);
    expect(records[0]).toEqual({ kind: "info", line: "Queued stage pre-merge (attempt 1)" });
    expect(records).toContainEqual({ kind: "step", index: 0, name: "compile" });
    expect(records.at(-1)).toEqual({ kind: "end", end: { result: "failure", summary: "step 'compile' exited 2", durationMs: 1500 } });
  });

  it("writes at most 4 times for a short stage with ≤ 50 annotations, whatever it prints", async () => {
    const { reporter } = setUp();
    github.on("checks/create", { body: { id: 5 } }).on("checks/update", { body: {} }, { persist: true });
    const run = stage("post-merge");

    await reporter.ensureQueued(run);
    reporter.stageStarted(run);
    for (let i = 0; i < 2000; i++) void reporter.output(run, i % 100 === 0 ? `::warning file=a.txt,line=${i + 1}::w\n` : `noise ${i}\n`);
    reporter.stageFinished(run, outcome("warnings", "2 warnings"));
    await reporter.flush();

    github.assertDone();
    const writes = github.requests.length;
    expect(writes).toBeLessThanOrEqual(4);
    const last = github.requests.at(-1)?.body as Record<string, any>;
    expect(last).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(last.output.annotations).toHaveLength(20);
  });

  it("shows a JUnitShellCommand's tests: totals, a table of the failing ones and an annotation on each located one, in one completion", async () => {
    const { reporter, errors } = setUp();
    github.on("checks/create", { body: { id: 8 } }).on("checks/update", { body: {} }, { persist: true });
    const run = stage();
    const failed = Array.from({ length: 100 }, (_, i) => ({ name: `test ${i}`, classname: "suite", status: "failed" as const, message: `expected ${i}`, details: "at x", durationMs: 12, path: `test/t${i}.test.js`, line: i + 1 }));
    const tests = { total: 3000, failures: 3000, errors: 0, skipped: 0, failed, omitted: 2900 };

    await reporter.ensureQueued(run);
    reporter.stageStarted(run);
    reporter.stageFinished(run, { ...outcome("failure", "step 'tests' FAIL: suite.test 0"), steps: [{ name: "tests", result: "failure", durationMs: 900, exitCode: 0, summary: "FAIL: suite.test 0", tests }] });
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    const completed = github.requestsFor("checks/update").map((r) => r.body as Record<string, any>).find((u) => u.status === "completed");
    expect(completed?.output.summary).toContain("- **tests**: 3000 tests, 3000 failed, 0 errors, 0 skipped");
    expect(completed?.output.summary).toContain("| ❌ test 0 | suite | expected 0 | 12 ms |");
    expect(completed?.output.summary).toContain("… 2900 more failing tests: see the full log.");
    expect(completed?.output.annotations).toHaveLength(50);
    expect(completed?.output.annotations[0]).toEqual({ path: "test/t0.test.js", start_line: 1, end_line: 1, annotation_level: "failure", title: "Failed: suite › test 0", message: "expected 0\n\nat x" });
  });

  it("writes at most 4 times for a stage that prints for many progress intervals", async () => {
    const { reporter } = setUp({ progressIntervalMs: 40 });
    github.on("checks/create", { body: { id: 7 } }).on("checks/update", { body: {} }, { persist: true });
    const run = stage("long one");

    await reporter.ensureQueued(run);
    reporter.stageStarted(run);
    reporter.stepStarted(run, 0, "soak");
    for (let i = 0; i < 12; i++) {
      void reporter.output(run, `tick ${i}\n`);
      await sleep(25);
    }
    reporter.stageFinished(run, outcome("success", "ok"));
    await reporter.flush();

    github.assertDone();
    const updates = github.requestsFor("checks/update").map((r) => r.body as Record<string, any>);
    expect(updates.map((u) => u.status)).toEqual(["in_progress", "in_progress", "completed"]);
    expect(updates[1]?.output.text).toMatch(/tick \d/);
    expect(updates[2]?.output.text).toContain("tick 11");
  });

  it("coalesces a run that ends before anything was sent into one create", async () => {
    const { reporter } = setUp({ warningsConclusion: "success" });
    github.on("checks/create", { body: { id: 6 } });
    const run = stage();

    reporter.stageStarted(run);
    void reporter.output(run, "\x1b[32mall good\x1b[0m\n");
    reporter.stageFinished(run, outcome("warnings", "flaky test"));
    await reporter.flush();

    github.assertDone();
    expect(github.requests[0]?.body).toMatchObject({ status: "completed", conclusion: "success", output: { title: "flaky test", text: "```\nall good\n```" } });
  });

  it("sends the end (check run and commit status) only once the log store holds the whole log", async () => {
    let logWhole = false;
    // setUp's store, whose finish takes its time (a big log's last segment), as it may in production.
    const slowStore = new Proxy({} as RedisLogStore, {
      get(_, prop) {
        if (prop === "finish") {
          return async (...args: Parameters<RedisLogStore["finish"]>) => {
            await sleep(100);
            await logs.finish(...args);
            logWhole = true;
          };
        }
        const value = Reflect.get(logs, prop) as unknown;
        return typeof value === "function" ? value.bind(logs) : value;
      },
    });
    const { reporter, errors } = setUp({ commitStatus: true, logStore: slowStore });
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

  it("creates a run that started while its queued create waited in_progress, and one that ended meanwhile completed: one write each", async () => {
    const { reporter, writeQueue, errors } = setUp();
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

  it("updates a check run created elsewhere, and ends an exception as a failure titled Eve error", async () => {
    const { reporter } = setUp();
    // One write: the stage ended within the start hold.
    github.on("checks/update", { body: {} }, { times: 1, params: { check_run_id: "1234" } });
    const run = stage();

    reporter.useCheckRun(run, 1234);
    reporter.stageStarted(run);
    await sleep(50);
    reporter.stageFinished(run, outcome("exception", "docker daemon unreachable"));
    await reporter.flush();

    github.assertDone();
    expect(github.requests.at(-1)?.body).toMatchObject({ conclusion: "failure", output: { title: "Eve error: docker daemon unreachable" } });
  });

  it("holds a start GitHub would show over a queued check run: a stage that ends within the hold costs one update, with its start time", async () => {
    const { reporter, errors } = setUp();
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
    const { reporter, errors } = setUp({ startHoldMs: 20 });
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

  it("posts only the final commit status for a check run created elsewhere: its creator posted the pending one", async () => {
    const { reporter, errors } = setUp({ commitStatus: true });
    github.on("checks/update", { body: {} }, { params: { check_run_id: "77" } }).on("repos/create-commit-status", {});
    const run = stage();

    reporter.useCheckRun(run, 77);
    reporter.stageStarted(run);
    reporter.stageFinished(run, outcome("success", "ok"));
    await reporter.flush();

    expect(errors).toEqual([]);
    github.assertDone();
    expect(github.requestsFor("repos/create-commit-status").map((r) => (r.body as { state: string }).state)).toEqual(["success"]);
  });

  it("delivers the final state through a rate limit and a server error", async () => {
    const { reporter, writeQueue } = setUp();
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
    const { reporter } = setUp();
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
