import { describe, expect, it } from "vitest";
import type { StageRunEntry } from "./build-registry.js";
import type { StageJobData } from "./job-data.js";
import { selectFailedStages, type StageRunStatus } from "./rerun-stages.js";

/** `tree` rows: [stage, parent stage or undefined, state]; run ids are the stage names. */
function statuses(tree: [string, string | undefined, StageRunStatus["state"]][]): StageRunStatus[] {
  return tree.map(([stage, parent, state], index) => {
    const identity = (name: string) => ({ build: "b", stage: name, attempt: 1, run: name });
    const data = { stage: identity(stage), parent: parent === undefined ? undefined : identity(parent) } as StageJobData;
    const entry: StageRunEntry = { data, enqueuedAt: index, result: undefined };
    return { entry, state };
  });
}

describe("selectFailedStages", () => {
  it.each<[string, [string, string | undefined, StageRunStatus["state"]][], string[]]>([
    ["nothing failed", [["top", undefined, "succeeded"], ["a", "top", "succeeded"]], []],
    ["a child failed under a passing parent", [["top", undefined, "succeeded"], ["a", "top", "failed"], ["b", "top", "succeeded"]], ["a"]],
    ["a failed parent covers its failed children", [["top", undefined, "failed"], ["a", "top", "failed"], ["b", "top", "succeeded"]], ["top"]],
    ["siblings under a passing middle stage", [["top", undefined, "succeeded"], ["mid", "top", "succeeded"], ["x", "mid", "failed"], ["y", "mid", "failed"]], ["x", "y"]],
    ["a grandchild under a failed grandparent", [["top", undefined, "failed"], ["mid", "top", "succeeded"], ["x", "mid", "failed"]], ["top"]],
  ])("%s", (_name, tree, expected) => {
    expect(selectFailedStages(statuses(tree)).map((status) => status.entry.data.stage.stage)).toEqual(expected);
  });
});
