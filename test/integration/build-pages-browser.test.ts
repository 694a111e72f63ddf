/**
 * The build and repository pages in a real browser (Debian's chromium driven
 * by playwright-core). The build's history is written by the app's own
 * recorder (recordBuildRuns with a BuildHistory on a real Redis) as a stage
 * worker would: a top stage triggering three stages, one of which fails and
 * one of which fails and is re-run. The clock is the test's, so durations
 * are exact. Screenshots go to test-output/screenshots/ for reviewers.
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuildPagesHandler } from "../../src/build-pages/build-pages.js";
import type { BuildResult } from "../../src/engine/results.js";
import type { StageIdentity, StageObserver, StepOutcome } from "../../src/engine/types.js";
import { createLogPageHandler } from "../../src/logs/log-page.js";
import { RedisLogStore } from "../../src/logs/redis-log-store.js";
import { BuildHistory } from "../../src/queue/build-history.js";
import { getRunId, type RunTrigger, type StageJobData } from "../../src/queue/job-data.js";
import { createStageQueues, type StageQueues } from "../../src/queue/queues.js";
import type { MultiReplies } from "../../src/queue/redis-write-batch.js";
import { recordBuildRuns } from "../../src/queue/record-build-runs.js";
import type { RunReporter } from "../../src/queue/run-reporter.js";
import { type BrowserPageServer, servePagesInChromium } from "../helpers/browser-page-server.js";

const SCREENSHOTS = "test-output/screenshots";
const prefix = `test-${randomUUID()}`;
const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);
let clock = T0;
let redis: Redis;
let queues: StageQueues;
let logs: RedisLogStore;
let history: BuildHistory;
let recorder: RunReporter;
let served: BrowserPageServer | undefined;
let browser: Browser;
let base: string;

/** The check-run side is not under test here: a reporter that reports nowhere. */
const silentObserver: StageObserver = { stageStarted() {}, stepStarted() {}, output() {}, info() {}, stepFinished() {}, stageFinished() {} };
const silentReporter: RunReporter = {
  queued: async () => undefined,
  start: async () => ({ observer: silentObserver, done: async () => undefined }),
  finishUnstarted: async () => undefined,
};

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  queues = createStageQueues(process.env.REDIS_URL ?? "", prefix);
  logs = new RedisLogStore(redis, { prefix: `${prefix}:log:`, batchMs: 5 });
  history = new BuildHistory({ redis, prefix, retentionSec: 3600, now: () => clock });
  recorder = recordBuildRuns(silentReporter, queues, (error) => {
    throw error;
  }, history);
  const pages = createBuildPagesHandler({ history, authorize: async () => true, pollMs: 50, now: () => clock });
  const logPage = createLogPageHandler({ logStore: logs });
  served = await servePagesInChromium((req, res) => {
    void (async () => (await pages(req, res)) || (await logPage(req, res)) || res.writeHead(404).end())();
  });
  ({ base, browser } = served);
});

afterAll(async () => {
  await served?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await queues?.close();
  redis?.disconnect();
});

function jobData(build: string, stage: string, attempt: number, parent: StageIdentity | undefined, trigger: RunTrigger, workerType = "docker"): StageJobData {
  return {
    installationId: 1,
    repository: { owner: "scality", name: "ring", id: 7, private: false },
    sha: "0123456789abcdef0123456789abcdef01234567",
    branch: "development/9.0",
    buildFilePath: "eve/main.yml",
    stage: { build, stage, attempt, run: getRunId(build, stage, attempt, parent?.run) },
    workerType,
    parent,
    properties: { artifacts_public_url: `https://eve.test/artifacts/builds/github:scality:ring:staging-${build}` },
    forcedProperties: [],
    checkRunId: undefined,
    createdAt: T0,
    trigger,
  };
}

/**
 * A run as a stage worker records it: started, steps of `[name, seconds, result]`, the end. With `leave`,
 * the stage (or its last step too) is left running; the function returned ends it.
 */
async function runStage(data: StageJobData, startAt: number, steps: [string, number, BuildResult][], leave: "none" | "stage" | "step" = "none"): Promise<(result?: BuildResult) => Promise<void>> {
  clock = T0 + startAt * 1000;
  const { observer, done } = await recorder.start(data);
  observer.stageStarted(data.stage);
  await logs.append(data.stage.run, `log of ${data.stage.stage} attempt ${data.stage.attempt}\n`);
  await logs.flush();
  const outcomes: StepOutcome[] = [];
  const finishStep = (index: number) => {
    const [name, seconds, result] = steps[index] as [string, number, BuildResult];
    clock += seconds * 1000;
    const outcome = { name, result, durationMs: seconds * 1000, exitCode: result === "success" ? 0 : 1 };
    outcomes.push(outcome);
    observer.stepFinished(data.stage, index, outcome);
  };
  const last = steps.length - 1;
  for (const [index, [name]] of steps.entries()) {
    observer.stepStarted(data.stage, index, name);
    if (leave === "step" && index === last) break;
    finishStep(index);
  }
  const finish = async (given?: BuildResult) => {
    if (leave === "step") finishStep(last);
    const result = given ?? (outcomes.some((step) => step.result !== "success") ? "failure" : "success");
    observer.stageFinished(data.stage, { name: data.stage.stage, result, durationMs: clock - (T0 + startAt * 1000), steps: outcomes, summary: result, properties: data.properties });
    await done();
  };
  if (leave === "none") await finish();
  return finish;
}

async function queue(data: StageJobData, at: number): Promise<void> {
  clock = T0 + at * 1000;
  // As enqueue-stage.ts does: the recorder's commands go in the MULTI that enqueues the run.
  const multi = redis.multi();
  const check = recorder.recordQueued?.(multi, data);
  await check?.(((await multi.exec()) ?? []) as MultiReplies);
}

/** Left edge and width of an element, in CSS pixels. */
async function box(page: Page, selector: string): Promise<{ x: number; width: number }> {
  const found = await page.locator(selector).boundingBox();
  if (!found) throw new Error(`${selector} is not shown`);
  return { x: found.x, width: found.width };
}

describe("build pages in Chromium", () => {
  it("draws the stage graph and the timeline of a build, follows it live, and its nodes open the right log", async () => {
    const build = `b${randomUUID().replace(/-/g, "").slice(0, 15)}`;
    const top = jobData(build, "pre-merge", 1, undefined, { kind: "push" }, "local");
    await queue(top, 0);
    // The top stage waits 2 s in its queue, checks out for 3 s, then triggers three stages and waits for them.
    const finishTop = await runStage(top, 2, [["checkout", 3, "success"]], "stage");
    const [buildStage, lint, tests] = ["build", "lint", "tests"].map((stage) => jobData(build, stage, 1, top.stage, { kind: "push" }));
    for (const child of [buildStage, lint, tests]) await queue(child as StageJobData, 5);
    await runStage(buildStage as StageJobData, 6, [["compile", 10, "success"]]);
    await runStage(lint as StageJobData, 8, [["lint", 2, "failure"]]);
    await runStage(tests as StageJobData, 6, [["unit", 4, "success"], ["integration", 2, "failure"]]);
    // Re-run of the failing tests by a user: attempt 2, still running when the page opens.
    const rerun = jobData(build, "tests", 2, top.stage, { kind: "rerun", by: "alice" });
    await queue(rerun, 20);
    const finishRerun = await runStage(rerun, 21, [["unit", 4, "success"], ["integration", 6, "success"]], "step");
    clock = T0 + 27_000;

    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${base}/builds/${build}`);
    expect(await page.locator("h1").textContent()).toBe(`Build ${build}`);
    expect(await page.locator("dl.facts").textContent()).toContain("development/9.0");
    expect(await page.locator("#build-status").textContent()).toContain("running");
    expect(await page.locator(".stage-node").count()).toBe(5);
    await expect.poll(() => page.locator('.stage-node[data-stage="tests"][data-attempt="2"]').getAttribute("data-state")).toBe("running");
    await expect.poll(() => page.locator('.stage-node[data-stage="pre-merge"]').getAttribute("data-state")).toBe("running");

    // The top stage's end (at 17 s) arrives while the page is open, then the re-run's: the page follows without a reload.
    clock = T0 + 17_000;
    // Its triggered stages failed: so does it.
    await finishTop("failure");
    await expect.poll(() => page.locator('.stage-node[data-stage="pre-merge"]').getAttribute("data-state")).toBe("failure");
    clock = T0 + 21_000 + 4_000;
    await finishRerun();
    await page.locator('#build-live[data-ended="true"]').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/build-page.png`, fullPage: true });

    // Four stages, the re-run attempt beside the first one on its row.
    const nodes = page.locator(".stage-node");
    expect(await nodes.count()).toBe(5);
    expect(new Set(await nodes.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-stage"))))).toEqual(new Set(["pre-merge", "build", "lint", "tests"]));
    const states = Object.fromEntries(
      await nodes.evaluateAll((elements) => elements.map((element) => [`${element.getAttribute("data-stage")}#${element.getAttribute("data-attempt")}`, element.getAttribute("data-state")])),
    );
    expect(states).toEqual({ "pre-merge#1": "failure", "build#1": "success", "lint#1": "failure", "tests#1": "failure", "tests#2": "success" });
    const firstTests = await page.locator('.stage-node[data-stage="tests"][data-attempt="1"] rect.node').boundingBox();
    const secondTests = await page.locator('.stage-node[data-stage="tests"][data-attempt="2"] rect.node').boundingBox();
    expect(secondTests?.y).toBe(firstTests?.y);
    expect(secondTests?.x).toBeGreaterThan((firstTests?.x ?? 0) + (firstTests?.width ?? 0));
    // Triggered stages are nested under the top stage.
    const topNode = await page.locator('.stage-node[data-stage="pre-merge"] rect.node').boundingBox();
    expect(firstTests?.x).toBeGreaterThan(topNode?.x ?? Infinity);
    expect(await page.locator("#build-status").textContent()).toContain("did not pass: pre-merge, lint");

    // The timeline: 31 s from the first queued run; the top stage waited 2 s (hatched) and ran 15 s.
    const axis = await box(page, '.timeline-run[data-stage="pre-merge"] rect[data-kind="queue"]');
    const topRunBar = await box(page, '.timeline-run[data-stage="pre-merge"] rect[data-kind="run"]');
    const secondOf = topRunBar.width / 15;
    expect(axis.width / secondOf).toBeCloseTo(2, 1);
    expect((topRunBar.x - axis.x) / secondOf).toBeCloseTo(2, 1);
    const compile = await box(page, '.timeline-step[data-run="' + buildStage?.stage.run + '"] rect');
    expect((compile.x - axis.x) / secondOf).toBeCloseTo(6, 1);
    expect(compile.width / secondOf).toBeCloseTo(10, 1);
    const rerunIntegration = await box(page, `.timeline-step[data-run="${rerun.stage.run}"][data-step="integration"] rect`);
    expect((rerunIntegration.x - axis.x) / secondOf).toBeCloseTo(25, 1);
    expect(await page.locator(".timeline-run").evaluateAll((rows) => rows.map((row) => `${row.getAttribute("data-stage")}#${row.getAttribute("data-attempt")}`))).toEqual([
      "pre-merge#1",
      "build#1",
      "lint#1",
      "tests#1",
      "tests#2",
    ]);
    expect(await page.locator("main").textContent()).toContain("Slowest step: compile in build (10 s)");

    // A node is a link to its run's log, reachable from the keyboard.
    await page.locator('.stage-node[data-stage="lint"] a.log-link').focus();
    await page.keyboard.press("Enter");
    await page.getByText("log of lint attempt 1").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/logs/${lint?.stage.run}`);
    expect(pageErrors).toEqual([]);

    // At phone width the page still reads: the figures scroll inside their frames, the page does not.
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await phone.goto(`${base}/builds/${build}`);
    const overflow = await phone.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${SCREENSHOTS}/build-page-phone.png`, fullPage: true });

    // The repository page lists the build under its branch, with the stages that did not pass.
    await phone.goto(`${base}/repos/scality/ring?branch=development%2F9.0`);
    const row = phone.locator('section[data-branch="development/9.0"] tbody tr', { hasText: build });
    expect(await row.textContent()).toContain("pre-merge, lint");
    await phone.screenshot({ path: `${SCREENSHOTS}/repository-page-phone.png`, fullPage: true });
    await phone.close();
    await page.close();
  });
});
