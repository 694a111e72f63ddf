import { afterAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../test/helpers/engine-harness.js";

const base = createWorkspaceBase();
afterAll(() => {
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
});

type Step = [string, Record<string, unknown>];
const echo = (text: string): Step => ["ShellCommand", { command: `echo ${text}` }];
const trigger = (...names: string[]): Step => ["TriggerStages", { stage_names: names }];

describe("InProcessLauncher: limits on triggered stages (eve run)", () => {
  it("refuses a 501-stage fan-out under the default limit of 500: the step fails and no child starts", async () => {
    const children = Array.from({ length: 501 }, (_, index) => `c${index}`);
    const buildFile = buildFileOf({ top: [trigger(...children), echo("after")], ...Object.fromEntries(children.map((name) => [name, [echo(name)]])) });

    const { outcome, observer } = await runBuild(base.baseDir, buildFile, "top");

    expect(outcome.result).toBe("failure");
    expect(outcome.steps[0]).toMatchObject({
      result: "failure",
      summary: "TriggerStages refused: starting 501 more stage(s) would make 501 triggered stages in this build, over the limit of 500 (EVE_MAX_STAGES_PER_BUILD)",
    });
    expect(observer.log("top")).toContain("TriggerStages refused: starting 501 more stage(s)");
    expect(observer.finished.map((stage) => stage.name)).toEqual(["top"]);
  });

  it("counts every level: the launch that would pass the limit is refused, the ones before ran", async () => {
    const buildFile = buildFileOf({ top: [trigger("a", "b")], a: [trigger("x", "y")], b: [echo("b")], x: [echo("x")], y: [echo("y")] });

    const { outcome, observer } = await runBuild(base.baseDir, buildFile, "top", { triggerLimits: { maxStagesPerBuild: 3, maxDepth: 10 } });

    expect(outcome.result).toBe("failure");
    const a = observer.finished.find((stage) => stage.name === "a");
    expect(a?.steps[0]?.summary).toBe("TriggerStages refused: starting 2 more stage(s) would make 4 triggered stages in this build, over the limit of 3 (EVE_MAX_STAGES_PER_BUILD)");
    expect(observer.finished.map((stage) => stage.name).sort()).toEqual(["a", "b", "top"]);
  });

  it("refuses to trigger deeper than the depth limit", async () => {
    const buildFile = buildFileOf({ top: [trigger("l1")], l1: [trigger("l2")], l2: [trigger("l3")], l3: [echo("deep")] });

    const { outcome, observer } = await runBuild(base.baseDir, buildFile, "top", { triggerLimits: { maxStagesPerBuild: 500, maxDepth: 2 } });

    expect(outcome.result).toBe("failure");
    expect(observer.finished.find((stage) => stage.name === "l2")?.steps[0]).toMatchObject({
      result: "failure",
      summary: "TriggerStages refused: the stages would run 3 levels of TriggerStages below the top stage, over the limit of 2 (EVE_MAX_TRIGGER_DEPTH)",
    });
    expect(observer.finished.map((stage) => stage.name)).not.toContain("l3");
  });
});
