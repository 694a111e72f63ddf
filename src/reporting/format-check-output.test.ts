import { describe, expect, it } from "vitest";
import { validateGitHubBody } from "../../test/helpers/github-mock.js";
import type { BuildResult } from "../engine/results.js";
import type { StageOutcome, StepOutcome } from "../engine/types.js";
import { conclusionFor, formatCompletedCheck, formatDuration, formatLogText, formatProgress, formatSummary } from "./format-check-output.js";
import type { Annotation } from "./matchers/annotation.js";

function step(name: string, result: BuildResult = "success", durationMs = 1200): StepOutcome {
  return { name, result, durationMs, exitCode: 0 };
}

function outcome(result: BuildResult, steps: StepOutcome[] = [step("git")], summary = ""): StageOutcome {
  return { name: "pre-merge", result, durationMs: 65_000, steps, summary, properties: {} };
}

function annotation(line: number): Annotation {
  return { path: "a.c", start_line: line, end_line: line, annotation_level: "warning", message: "w" };
}

describe("conclusionFor", () => {
  it.each([
    ["success", {}, "success"],
    ["warnings", {}, "neutral"],
    ["warnings", { warningsConclusion: "success" as const }, "success"],
    ["failure", {}, "failure"],
    ["cancelled", {}, "cancelled"],
    ["skipped", {}, "skipped"],
    ["exception", {}, "failure"],
    ["retry", {}, undefined],
  ] as const)("%s %j → %s", (result, options, expected) => {
    expect(conclusionFor(result, options)).toBe(expected);
  });
});

describe("formatCompletedCheck", () => {
  it("titles an exception as an Eve error and tables the steps", () => {
    const steps = [step("git"), { ...step("tests | unit", "failure", 3_723_000), exitCode: 2, summary: "exited 2" }];

    const check = formatCompletedCheck({ outcome: outcome("exception", steps, "worker lost"), logTail: "\x1b[31mboom\x1b[0m\n", annotations: [], logUrl: "https://eve.test/logs/r1" });

    expect(check.conclusion).toBe("failure");
    expect(check.final).toBe(true);
    expect(check?.output.title).toBe("Eve error: worker lost");
    expect(check?.output.summary).toBe(
      [
        "**exception** in 1 min 05 s · [full log](https://eve.test/logs/r1)",
        "",
        "| # | Step | Result | Duration |",
        "|---:|---|---|---:|",
        "| 1 | git | ✅ success | 1.2 s |",
        "| 2 | tests \\| unit | ❌ failure: exited 2 | 1 h 02 min |",
      ].join("\n"),
    );
    expect(check?.output.text).toBe("```\nboom\n```");
    expect(check?.output.annotations).toBeUndefined();
    expect(check?.moreAnnotations).toEqual([]);
  });

  it("does not repeat a step's result as its reason", () => {
    const steps = [{ ...step("deploy", "cancelled"), exitCode: null, summary: "cancelled" }];

    const check = formatCompletedCheck({ outcome: outcome("cancelled", steps, "cancelled: superseded"), logTail: "", annotations: [], logUrl: "https://eve.test/logs/r1" });

    expect(check.output.summary).toContain("| 1 | deploy | 🚫 cancelled | 1.2 s |");
  });

  it("sends the first 50 annotations with the completion and the rest in chunks of 50", () => {
    const annotations = Array.from({ length: 120 }, (_, i) => annotation(i + 1));

    const check = formatCompletedCheck({ outcome: outcome("warnings"), logTail: "", annotations, droppedAnnotations: 3 });

    expect(check?.output.annotations).toHaveLength(50);
    expect(check?.moreAnnotations.map((c) => c.length)).toEqual([50, 20]);
    expect(check?.moreAnnotations[1]?.[19]?.start_line).toBe(120);
    expect(check?.output.summary).toContain("3 more problems found than annotations kept");
  });

  it("ends a retried attempt neutral, marked not final: the stage runs again", () => {
    const check = formatCompletedCheck({ outcome: outcome("retry", [], "worker lost"), logTail: "", annotations: [] });

    expect([check.conclusion, check.final, check.output.title]).toEqual(["neutral", false, "Retrying: worker lost"]);
  });

  it("keeps every body within what GitHub accepts, even with huge inputs", () => {
    const steps = Array.from({ length: 5000 }, (_, i) => step(`step ${i} ${"x".repeat(40)}`));
    const logTail = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"y".repeat(20)}`).join("\n");
    const longTitle = "t".repeat(1000);

    const check = formatCompletedCheck({ outcome: outcome("failure", steps, longTitle), logTail, annotations: Array.from({ length: 51 }, (_, i) => annotation(i + 1)) });
    const body = { status: "completed", conclusion: check?.conclusion, output: check?.output };

    expect(validateGitHubBody("checks/update", body)).toBeUndefined();
    expect(check?.output.title).toHaveLength(255);
    expect(check?.output.summary.length).toBeLessThanOrEqual(65_535);
    expect(check?.output.summary).toMatch(/… \d+ more steps: see the full log\.$/);
    expect(check?.output.text?.length).toBeLessThanOrEqual(65_535);
    expect(check?.output.text).toMatch(/^… earlier output omitted\n\n```\nline \d+ y{20}\n/);
    expect(check?.output.text).toMatch(/line 19999 y{20}\n```$/);
  });
});

describe("formatLogText", () => {
  it("uses a fence longer than any backtick run in the log", () => {
    expect(formatLogText("a ```` b\n")).toBe("`````\na ```` b\n`````");
  });

  it("cuts a single over-long line rather than dropping it", () => {
    const text = formatLogText("z".repeat(70_000));

    expect(text.length).toBeLessThanOrEqual(65_535);
    expect(text).toMatch(/^… earlier output omitted\n\n```\nz+\n```$/);
  });
});

describe("formatProgress", () => {
  it("names the running step and tables the finished ones", () => {
    const output = formatProgress([step("git")], "build", "cloning\n");

    expect(output).toEqual({
      title: "Running step 2: build",
      summary: "running `build`\n\n| # | Step | Result | Duration |\n|---:|---|---|---:|\n| 1 | git | ✅ success | 1.2 s |",
      text: "```\ncloning\n```",
    });
  });
});

describe("an empty log tail", () => {
  it("sends no text rather than an empty code block (a stage refused before its first step)", () => {
    const refused = formatCompletedCheck({ outcome: outcome("failure", [], "'local' workers do not run pull requests from forks"), logTail: "", annotations: [] });
    const starting = formatProgress([], undefined, "\x1b[0m\n");

    expect(refused.output.text).toBeUndefined();
    expect(refused.output.title).toBe("'local' workers do not run pull requests from forks");
    expect(starting.text).toBeUndefined();
    expect(validateGitHubBody("checks/update", { status: "completed", conclusion: refused.conclusion, output: refused.output })).toBeUndefined();
  });
});

describe("formatSummary and formatDuration", () => {
  it("links the run's log and its whole build's page", () => {
    const summary = formatSummary([step("git")], ["running"], "https://eve.test/logs/r1", "https://eve.test/builds/b1");
    expect(summary.split("\n")[0]).toBe("running · [full log](https://eve.test/logs/r1) · [whole build](https://eve.test/builds/b1)");
    const progress = formatProgress([], "git", "", { logUrl: "https://eve.test/logs/r1", buildUrl: "https://eve.test/builds/b1" });
    expect(progress.summary).toContain("[whole build](https://eve.test/builds/b1)");
  });

  it("escapes markup in step names", () => {
    expect(formatSummary([step("<img src=x>")], ["done"])).toContain("| &lt;img src=x&gt; |");
  });

  it("leaves out the steps hideStepIf hid, the others keeping their numbers", () => {
    const summary = formatSummary([step("shown"), { ...step("secret setup"), hidden: true }, step("last")], ["done"]);

    expect(summary).not.toContain("secret setup");
    expect(summary).toContain("| 1 | shown |");
    expect(summary).toContain("| 3 | last |");
  });

  it.each([
    [12, "12 ms"],
    [12_340, "12.3 s"],
    [125_000, "2 min 05 s"],
    [7_380_000, "2 h 03 min"],
  ])("%d ms → %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("artifacts in the summary", () => {
  const upload: StepOutcome = {
    name: "upload",
    result: "success",
    durationMs: 10,
    exitCode: 0,
    links: [
      { name: "report [x](javascript:alert(1))", url: "http://eve.test/artifacts/builds/c/a%20b/r.html" },
      { name: "iso", url: "http://eve.test/artifacts/builds/c/x (1).iso" },
    ],
    artifacts: { container: "c", files: 3, bytes: 3 * 1024 * 1024, url: "http://eve.test/artifacts/builds/c/" },
  };

  it("lists the links and the build's total after the step table, names escaped", () => {
    const summary = formatSummary([upload], ["done"]);

    expect(summary).toContain("**Artifacts**: 3 files, 3.0 MiB in this build · [all files](<http://eve.test/artifacts/builds/c/>)");
    expect(summary).toContain("- [report \\[x\\](javascript:alert(1))](<http://eve.test/artifacts/builds/c/a%20b/r.html>)");
    expect(summary).toContain("- [iso](<http://eve.test/artifacts/builds/c/x%20(1).iso>)");
  });

  it("stays within GitHub's limit with many links", () => {
    const many: StepOutcome = { ...upload, links: Array.from({ length: 5000 }, (_, i) => ({ name: `file ${i}`.repeat(20), url: `http://eve.test/artifacts/builds/c/${i}` })) };

    const summary = formatSummary(Array.from({ length: 300 }, () => many), ["done"]);

    expect(summary.length).toBeLessThanOrEqual(65_535);
    expect(summary).toContain("more on the listing page");
  });
});
