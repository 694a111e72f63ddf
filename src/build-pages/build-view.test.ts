import { describe, expect, it } from "vitest";
import type { BuildRecord, RunRecord } from "../queue/build-history.js";
import { buildView, latestAttempts } from "./build-view.js";
import { placeRuns } from "./render-stage-graph.js";
import { renderTimeline } from "./render-timeline.js";

const run = (name: string, attempt: number, parentRun: string | undefined, times: Partial<RunRecord>): RunRecord => ({
  run: `${name}-${attempt}`,
  stage: name,
  attempt,
  parentRun,
  workerType: "docker",
  trigger: { kind: "push" },
  queuedAt: 0,
  steps: [],
  ...times,
});

const record = (runs: RunRecord[]): BuildRecord => ({
  info: { build: "b1", owner: "o", repo: "r", private: false, sha: "abc", branch: "main", trigger: { kind: "push" }, createdAt: 0 },
  runs,
  version: 1,
});

describe("buildView", () => {
  it("judges a build by the latest attempt of each stage, and runs it until every run ended", () => {
    const runs = [
      run("top", 1, undefined, { startedAt: 1, finishedAt: 10, result: "success" }),
      run("tests", 1, "top-1", { queuedAt: 2, startedAt: 3, finishedAt: 5, result: "failure" }),
      run("tests", 2, "top-1", { queuedAt: 12, startedAt: 13, finishedAt: 20, result: "success" }),
    ];
    expect(latestAttempts(runs).map((r) => r.run)).toEqual(["top-1", "tests-2"]);
    const ended = buildView(record(runs), 99);
    expect(ended).toMatchObject({ state: "success", ended: true, startMs: 0, endMs: 20, failedStages: [] });
    const running = buildView(record([...runs.slice(0, 2), run("tests", 2, "top-1", { queuedAt: 12, startedAt: 13 })]), 30);
    expect(running).toMatchObject({ state: "running", ended: false, endMs: 30 });
  });

  it("nests triggered stages under their parent and puts re-run attempts side by side", () => {
    const runs = [run("top", 1, undefined, {}), run("a", 1, "top-1", {}), run("b", 1, "top-1", {}), run("b", 2, "top-1", {}), run("c", 1, "a-1", {})];
    const placed = new Map(placeRuns(runs).map((node) => [node.run.run, node]));
    const at = (id: string) => placed.get(id) ?? { x: Number.NaN, y: Number.NaN };
    // Rows depth first: top, a, c (under a), b.
    expect([at("top-1").y, at("a-1").y, at("c-1").y, at("b-1").y]).toEqual([...[at("top-1").y, at("a-1").y, at("c-1").y, at("b-1").y]].sort((p, q) => p - q));
    expect(at("c-1").x).toBeGreaterThan(at("a-1").x);
    expect(at("b-2").y).toBe(at("b-1").y);
    expect(at("b-2").x).toBeGreaterThan(at("b-1").x);
  });

  it("escapes stage and step names from the build file in the SVG", () => {
    const svg = renderTimeline([run("<script>", 1, undefined, { startedAt: 1, finishedAt: 2, result: "success", steps: [{ name: "a&b\"<", startedAt: 1, finishedAt: 2, result: "success" }] })], 0, 2);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&#60;script&#62;");
    expect(svg).not.toContain('a&b"<');
  });
});
