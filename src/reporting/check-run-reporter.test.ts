import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { HEAD_SHA, outcome, stage, useCheckRunReporters } from "../../test/helpers/check-run-reporters.js";
import type { StageOutcome } from "../engine/types.js";
import { LOG_START } from "../logs/log-store.js";
import type { ChecksClient } from "./checks-client.js";
import { parseExternalId } from "./external-id.js";

// Compile-time: both kinds of clients helpers pass are accepted as they are.
const _octokitFits: ChecksClient = new Octokit();
const _probotFits: ChecksClient = new ProbotOctokit();
void [_octokitFits, _probotFits];

const reporters = useCheckRunReporters();

describe("CheckRunReporter: what it writes", () => {
  it("reports a run queued → in_progress → progress → completed with annotations in chunks, and a commit status", async () => {
    // Its in_progress at once (no start hold): this test is about what follows it.
    const { reporter, errors, github, logs } = reporters.setUp({ commitStatus: true, progressIntervalMs: 150, annotationRoots: ["/w/build"], startHoldMs: 0 });
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
    expect(create?.body).toEqual({ name: "pre-merge", head_sha: HEAD_SHA, status: "queued", external_id: `b1/1/${run.run}/pre-merge`, details_url: `https://eve.example.com/logs/${run.run}` });
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
    const { reporter, github } = reporters.setUp();
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
    const { reporter, errors, github } = reporters.setUp();
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
    const { reporter, github } = reporters.setUp({ progressIntervalMs: 40 });
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
    const { reporter, github } = reporters.setUp({ warningsConclusion: "success" });
    github.on("checks/create", { body: { id: 6 } });
    const run = stage();

    reporter.stageStarted(run);
    void reporter.output(run, "\x1b[32mall good\x1b[0m\n");
    reporter.stageFinished(run, outcome("warnings", "flaky test"));
    await reporter.flush();

    github.assertDone();
    expect(github.requests[0]?.body).toMatchObject({ status: "completed", conclusion: "success", output: { title: "flaky test", text: "```\nall good\n```" } });
  });

  it("updates a check run created elsewhere, and ends an exception as a failure titled Eve error", async () => {
    const { reporter, github } = reporters.setUp();
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

  it("posts only the final commit status for a check run created elsewhere: its creator posted the pending one", async () => {
    const { reporter, errors, github } = reporters.setUp({ commitStatus: true });
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
});
