import { describe, expect, it } from "vitest";
import { formatMessage } from "./format-message.js";
import { validateBuildFile } from "./validate-build-file.js";

/** A build file whose stages trigger the given stages (stage → names), one stage per 5 lines from line 5. */
function buildFile(graph: Record<string, string[]>): string {
  const stages = Object.entries(graph).map(([name, targets]) =>
    targets.length === 0
      ? `  ${name}:\n    worker: {type: local}\n    steps:\n      - ShellCommand: {command: ls}\n`
      : `  ${name}:\n    worker: {type: local}\n    steps:\n      - TriggerStages:\n          stage_names: [${targets.join(", ")}]\n`,
  );
  return `branches:\n  default:\n    stage: a\nstages:\n${stages.join("")}`;
}

const errors = (text: string): string[] =>
  validateBuildFile(text, "main.yml")
    .messages.filter((message) => message.severity === "error")
    .map(formatMessage);

describe("trigger cycles", () => {
  it("rejects a stage that triggers itself, at the line of its entry", () => {
    expect(errors(buildFile({ a: ["a"] }))).toEqual(["main.yml:9:25: error: stage 'a' triggers itself (line 9): it would start itself again for ever"]);
  });

  it("rejects a → b → a, naming both stages and both lines", () => {
    expect(errors(buildFile({ a: ["b"], b: ["a"] }))).toEqual([
      "main.yml:14:25: error: stages trigger each other in a cycle 'a' → 'b' → 'a' ('a' triggers 'b' at line 9, 'b' triggers 'a' at line 14): they would start each other for ever",
    ]);
  });

  it("rejects a → b → c → a, naming the three stages and lines", () => {
    expect(errors(buildFile({ a: ["b"], b: ["c"], c: ["a"] }))).toEqual([
      "main.yml:19:25: error: stages trigger each other in a cycle 'a' → 'b' → 'c' → 'a' ('a' triggers 'b' at line 9, 'b' triggers 'c' at line 14, 'c' triggers 'a' at line 19): they would start each other for ever",
    ]);
  });

  it("finds a cycle that the top stage only reaches, and one per back edge", () => {
    const found = errors(buildFile({ a: ["b", "d"], b: ["c"], c: ["b"], d: ["d"] }));

    expect(found).toHaveLength(2);
    expect(found[0]).toContain("cycle 'b' → 'c' → 'b'");
    expect(found[1]).toContain("stage 'd' triggers itself");
  });

  it("cannot hide a cycle behind a property: a stage name built from one is refused", () => {
    expect(errors(buildFile({ a: ["'%(prop:next:-a)s'"] }))).toEqual(["main.yml:9:25: error: TriggerStages names stage '%(prop:next:-a)s', which is not defined in stages"]);
  });

  it("accepts a diamond: two stages triggering the same one is not a cycle", () => {
    expect(errors(buildFile({ a: ["b", "c"], b: ["d"], c: ["d"], d: [] }))).toEqual([]);
  });

  it("walks a chain of 2000 stages without overflowing the stack", () => {
    const graph: Record<string, string[]> = { a: ["s0"] };
    for (let index = 0; index < 2000; index++) graph[`s${index}`] = [index === 1999 ? "a" : `s${index + 1}`];

    const found = errors(buildFile(graph));

    expect(found).toHaveLength(1);
    expect(found[0]).toContain("cycle 'a' → 's0' → 's1' → 's2' → 's3' → 's4' → 's5' → 's6' → 's7' → 's8' → … → 's1998' → 's1999' → 'a'");
    expect(found[0]).toContain("'s1999' triggers 'a' at line 10009");
  });
});
