import { describe, expect, it } from "vitest";
import { fnmatch } from "./fnmatch.js";
import { selectStage } from "./plan-build.js";
import type { BuildFile, StageDef } from "./types.js";

// Expected results are Python's fnmatch.fnmatch on POSIX.
describe("fnmatch", () => {
  it.each([
    ["feature/a/b", "feature/*", true],
    ["feature", "feature/*", false],
    ["x", "[!a]", true],
    ["a", "[!a]", false],
    ["]", "[]]", true],
    ["-", "[a-]", true],
    ["b", "[z-a]", false],
    ["[", "[", true],
    ["a/b", "a?b", true],
    ["AB", "ab", false],
    ["a\nb", "a*b", true],
    ["c", "[a-c]", true],
    ["d", "[a-c]", false],
    ["$x", "$*", true],
    ["a(b", "a(b", true],
    ["a.b", "a.b", true],
    ["axb", "a.b", false],
  ])("fnmatch(%j, %j) is %s", (name, pattern, expected) => {
    expect(fnmatch(name, pattern)).toBe(expected);
  });
});

const stage = (name: string): StageDef => ({ name, worker: { type: "local" }, steps: [] });
const buildFile = (branches: [string, string][], stages: string[]): BuildFile => ({
  version: "0.2",
  branches: branches.map(([pattern, name]) => ({ pattern, stage: name })),
  stages: new Map(stages.map((name) => [name, stage(name)])),
});

describe("selectStage", () => {
  const file = buildFile(
    [
      ["user/*", "pre-merge"],
      ["feature/*", "pre-merge"],
      ["development/*", "post-merge"],
      ["w/*", "missing"],
      ["default", "fallback"],
    ],
    ["pre-merge", "post-merge", "fallback", "release"],
  );

  it.each([
    ["feature/x/y", "pre-merge"],
    ["development/1.0", "post-merge"],
    ["hotfix/1", "fallback"],
    [undefined, "fallback"],
  ])("branch %j runs %j", (branch, expected) => {
    expect(selectStage(file, branch)).toEqual({ stage: expected });
  });

  it("tries patterns in file order: the first match wins", () => {
    const ordered = buildFile([["feature/special", "post-merge"], ["feature/*", "pre-merge"]], ["pre-merge", "post-merge"]);

    expect(selectStage(ordered, "feature/special")).toEqual({ stage: "post-merge" });
  });

  it("says when a branch is not covered", () => {
    const noDefault = buildFile([["feature/*", "pre-merge"]], ["pre-merge"]);

    expect(selectStage(noDefault, "main")).toEqual({ stage: undefined, skipped: true, reason: "Branch main not covered by yaml file" });
  });

  it("fails when the selected stage does not exist", () => {
    expect(selectStage(file, "w/2.0")).toEqual({ stage: undefined, skipped: false, reason: "the specified stage cannot be found (missing)" });
  });

  it("runs a forced stage whatever the branch", () => {
    expect(selectStage(file, "feature/x", { forceStage: "release" })).toEqual({ stage: "release" });
    expect(selectStage(file, "feature/x", { forceStage: "nope" })).toMatchObject({ stage: undefined, skipped: false });
  });
});
