import { afterEach, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand:
          name: maybe wait
          command: 'case "%(prop:revision)s" in aaaa*) sleep 30;; esac; echo top'
      - TriggerStages:
          stage_names: [lint, test]
  lint:
    worker: {type: local}
    steps:
      - ShellCommand: {command: sleep 1; echo lint is fine}
  test:
    worker: {type: local}
    steps:
      - ShellCommand: {name: unit tests, command: 'sleep 1; echo "1 test failed"; exit 1'}
`;

let app: AppHarness | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/**
 * A check run shows queued → in_progress → completed; created in_progress when its stage started before the
 * create went out, queued → completed when it ended within the start hold (one write fewer each).
 */
const SHOWN = [
  ["queued", "in_progress", "completed"],
  ["in_progress", "completed"],
  ["queued", "completed"],
];

const completed = (harness: AppHarness, count: number) =>
  expect.poll(() => harness.checkRuns().filter((run) => run.statuses.at(-1) === "completed").length, { timeout: 20_000, interval: 100 }).toBe(count);

describe("a push to a branch", () => {
  it("runs the top stage and its two triggered stages, each a check run (queued →) in_progress → completed", async () => {
    app = await startAppHarness(buildFile);

    await app.push({ id: "delivery-1" });
    await completed(app, 3);

    expect(app.checkRuns().map(({ name, conclusion }) => ({ name, conclusion }))).toEqual([
      { name: "lint", conclusion: "success" },
      { name: "pre-merge", conclusion: "failure" },
      { name: "test", conclusion: "failure" },
    ]);
    for (const run of app.checkRuns()) expect(SHOWN, run.name).toContainEqual(run.statuses);
    const statuses = () => app?.github.requestsFor("repos/create-commit-status").map((r) => r.body as { context: string; state: string }) ?? [];
    // The final status goes out after the stage's completed check run.
    await expect.poll(() => statuses().at(-1)?.state, { timeout: 10_000 }).toBe("failure");
    expect(statuses().every((s) => s.context === "pre-merge")).toBe(true);
    app.github.assertDone();
  });

  it("builds once when GitHub redelivers the webhook", async () => {
    app = await startAppHarness(buildFile);

    await app.push({ id: "delivery-2" });
    await app.push({ id: "delivery-2" });
    await completed(app, 3);
    // A second build would have been queued while the redelivery was handled: wait until nothing is queued or running.
    await app.settled();

    expect(app.checkRuns().map((run) => run.name)).toEqual(["lint", "pre-merge", "test"]);
    const jobs = await app.runtime.queues.queue("local").getJobCounts("completed", "failed");
    expect((jobs.completed ?? 0) + (jobs.failed ?? 0)).toBe(3);
  });

  it("cancels the branch's older build when a newer push arrives", async () => {
    app = await startAppHarness(buildFile);
    const harness = app;

    await harness.push({ id: "delivery-3", sha: "a".repeat(40) });
    await expect.poll(() => harness.checkRuns().find((run) => run.name === "pre-merge")?.statuses.at(-1), { timeout: 10_000 }).toBe("in_progress");
    await harness.push({ id: "delivery-4", sha: "b".repeat(40) });
    await completed(harness, 4);

    const [first, second] = harness.checkRuns().filter((run) => run.name === "pre-merge");
    expect(first).toMatchObject({ conclusion: "cancelled" });
    expect(SHOWN).toContainEqual(first?.statuses);
    expect(first?.title).toContain("superseded by bbbbbbb on main");
    expect(second).toMatchObject({ conclusion: "failure" });
  });

  it("runs nothing for a tag, a deleted branch or a branch the build file does not cover", async () => {
    app = await startAppHarness(buildFile.replace("default:", "release/*:"));

    await app.push({ id: "delivery-5", branch: "feature/x" });

    expect(app.checkRuns()).toEqual([]);
    expect(await app.runtime.queues.queue("local").count()).toBe(0);
  });

  it("reports a broken build file as one failed check run annotated at its lines", async () => {
    app = await startAppHarness("version: 0.2\nbranches:\n  default:\n    stage: nope\nstages:\n  other:\n    worker: {type: local}\n    steps: []\n");

    await app.push({ id: "delivery-6" });

    const [create] = app.github.requestsFor("checks/create");
    const body = create?.body as { name: string; conclusion: string; output: { annotations: { path: string; start_line: number }[] } };
    expect(body.name).toBe("eve/main.yml");
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations.length).toBeGreaterThan(0);
    expect(body.output.annotations.every((a) => a.path === "eve/main.yml" && a.start_line >= 1)).toBe(true);
    // A body GitHub's schema rejects would have been answered 422 and failed the push above.
  });

  it("refuses stages that trigger each other in a cycle: one failed check run annotated at the entry that closes it, nothing queued", async () => {
    app = await startAppHarness(
      "branches:\n  default:\n    stage: a\nstages:\n  a:\n    worker: {type: local}\n    steps:\n      - TriggerStages: {stage_names: [b]}\n  b:\n    worker: {type: local}\n    steps:\n      - TriggerStages: {stage_names: [a]}\n",
    );

    await app.push({ id: "delivery-7" });

    const [create] = app.github.requestsFor("checks/create");
    const body = create?.body as { conclusion: string; output: { annotations: { path: string; start_line: number; annotation_level: string; message: string }[] } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations).toContainEqual(
      expect.objectContaining({ path: "eve/main.yml", start_line: 12, annotation_level: "failure", message: expect.stringContaining("cycle 'a' → 'b' → 'a'") }),
    );
    expect(await app.runtime.queues.queue("local").count()).toBe(0);
  });
});
