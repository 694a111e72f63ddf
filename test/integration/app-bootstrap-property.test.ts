import { afterEach, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "./app-harness.js";

// The reader fails on purpose: its check run's title names the step, whose name shows what it saw.
const buildFile = `
version: 0.2
branches:
  default:
    stage: top
stages:
  top:
    worker: {type: local}
    steps:
      - TriggerStages: {stage_names: [writer]}
      - TriggerStages: {stage_names: [reader]}
  writer:
    worker: {type: local}
    steps:
      - SetBootstrapProperty: {property: version, value: 1.2.3}
      - SetBootstrapPropertyFromCommand: {property: commit, command: echo abc}
  reader:
    worker: {type: local}
    steps:
      - ShellCommand: {name: 'saw %(prop:version)s %(prop:commit)s', command: exit 1}
`;

let app: AppHarness | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("SetBootstrapProperty in the app", () => {
  it("reaches the stages the top stage triggers later, whichever worker process runs them", async () => {
    app = await startAppHarness(buildFile);
    const harness = app;

    await harness.push({ id: "delivery-bootstrap" });
    await expect.poll(() => harness.checkRuns().filter((run) => run.statuses.at(-1) === "completed").length, { timeout: 20_000, interval: 100 }).toBe(3);

    expect(harness.checkRuns().find((run) => run.name === "writer")).toMatchObject({ conclusion: "success" });
    expect(harness.checkRuns().find((run) => run.name === "reader")?.title).toBe("failure: step 'saw 1.2.3 abc' exited 1");
  });
});
