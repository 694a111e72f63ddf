import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { StageIdentity, StageOutcome } from "../engine/types.js";
import { formatTable, TerminalReporter } from "./terminal-reporter.js";

const a: StageIdentity = { build: "b", stage: "a", attempt: 1, run: "ra" };
const b: StageIdentity = { build: "b", stage: "b", attempt: 1, run: "rb" };

function sink(highWaterMark = 1 << 20): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      setImmediate(done);
    },
  });
  return { out, text: () => chunks.join("") };
}

const outcome = (name: string): StageOutcome => ({
  name,
  result: "failure",
  durationMs: 1500,
  summary: "failure: step 'x' exited 1",
  properties: {},
  steps: [{ name: "x", result: "failure", durationMs: 20, exitCode: 1 }],
});

describe("TerminalReporter", () => {
  it("prefixes every line with stage and step, never mixing parallel stages inside a line", async () => {
    const { out, text } = sink();
    const reporter = new TerminalReporter(out);

    reporter.stageStarted(a);
    reporter.stageStarted(b);
    reporter.stepStarted(a, 0, "x");
    reporter.stepStarted(b, 0, "y");
    await reporter.output(a, "one\ntw");
    await reporter.output(b, "B1\n");
    await reporter.output(a, "o\nthree");
    reporter.stepFinished(a, 0, { name: "x", result: "failure", durationMs: 20, exitCode: 1, summary: "exited 1" });
    reporter.stageFinished(a, outcome("a"));
    await reporter.finish();

    const lines = text().split("\n");
    expect(lines).toEqual(
      expect.arrayContaining(["[a] ── step 1: x", "[a/x] one", "[b/y] B1", "[a/x] two", "[a/x] three", "[a] ── x: failure (exited 1) in 20 ms"]),
    );
    expect(lines.indexOf("[a/x] two")).toBeGreaterThan(lines.indexOf("[b/y] B1"));
    expect(text()).toContain("\na             failure  1.5 s\n  x           failure  20 ms\n");
  });

  it("hands the stream's backpressure to the producer", async () => {
    const { out, text } = sink(1024);
    const reporter = new TerminalReporter(out);
    reporter.stageStarted(a);
    const line = `${"x".repeat(99)}\n`;
    let waited = 0;

    for (let i = 0; i < 2000; i++) {
      const pending = reporter.output(a, line);
      if (pending) {
        waited++;
        await pending;
      }
    }
    await reporter.finish();

    expect(waited).toBeGreaterThan(0);
    expect(text().split("\n").filter((l) => l === `[a] ${"x".repeat(99)}`)).toHaveLength(2000);
  });
});

describe("formatTable", () => {
  it("aligns stages and steps", () => {
    expect(formatTable([outcome("stage")])).toBe("STAGE / STEP  RESULT   DURATION\nstage         failure  1.5 s\n  x           failure  20 ms\n");
  });

  it("leaves out the steps hideStepIf hid", () => {
    const stage = outcome("stage");
    const hidden = { ...stage, steps: [...stage.steps, { name: "hidden one", result: "success" as const, durationMs: 5, exitCode: 0, hidden: true as const }] };

    expect(formatTable([hidden])).not.toContain("hidden one");
  });
});
