import { describe, expect, it } from "vitest";
import type { FailedTest, StepOutcome } from "../engine/types.js";
import { CHECK_LIMITS, formatCompletedCheck, formatDuration } from "./format-check-output.js";
import { createTestAnnotations, formatTestResults } from "./format-test-results.js";

const failing = (i: number, extra: Partial<FailedTest> = {}): FailedTest => ({ name: `t${i}`, classname: "c", status: "failed", message: "m".repeat(600), details: "d", durationMs: 5, ...extra });
const step = (failed: FailedTest[], omitted = 0): StepOutcome => ({
  name: "unit | tests",
  result: failed.length > 0 ? "failure" : "success",
  durationMs: 10,
  exitCode: 0,
  tests: { total: failed.length + omitted + 3, failures: failed.length + omitted, errors: 0, skipped: 1, failed, omitted },
});

describe("formatTestResults", () => {
  it("is empty for a stage without tests, totals alone when every test passes", () => {
    expect(formatTestResults([{ name: "s", result: "success", durationMs: 1, exitCode: 0 }], 1000, formatDuration)).toBe("");
    expect(formatTestResults([step([])], 1000, formatDuration)).toBe("\n### Tests\n\n- **unit \\| tests**: 3 tests, 0 failed, 0 errors, 1 skipped");
  });

  it("escapes the report's text in the table and keeps within the room it is given", () => {
    const steps = [step(Array.from({ length: 100 }, (_, i) => failing(i, { name: `<b>t${i}</b> | x` })), 5)];

    const text = formatTestResults(steps, 20_000, formatDuration);

    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text).toContain("| ❌ &lt;b&gt;t0&lt;/b&gt; \\| x | c | ");
    expect(text).toMatch(/… \d+ more failing tests: see the full log\.$/);
  });

  it("keeps a completed check's summary within GitHub's 65,535 characters with thousands of failures", () => {
    const steps = Array.from({ length: 30 }, () => step(Array.from({ length: 100 }, (_, i) => failing(i)), 900));

    const check = formatCompletedCheck({ outcome: { name: "s", result: "failure", durationMs: 1, steps, summary: "failure", properties: {} }, logTail: "", annotations: [] });

    expect(check.output.summary.length).toBeLessThanOrEqual(CHECK_LIMITS.markdown);
    expect(check.output.summary).toContain("### Tests");
  });
});

describe("createTestAnnotations", () => {
  it("annotates only located tests, at most 50, errors titled as such, within GitHub's sizes", () => {
    const tests = [failing(0), failing(1, { path: "a.py", line: 3, status: "errored", message: "x".repeat(70_000) }), ...Array.from({ length: 80 }, (_, i) => failing(i + 2, { path: "b.py", line: i + 1 }))];

    const annotations = createTestAnnotations([step(tests)]);

    expect(annotations).toHaveLength(50);
    expect(annotations[0]).toMatchObject({ path: "a.py", start_line: 3, end_line: 3, annotation_level: "failure", title: "Error: c › t1" });
    expect(annotations[0]?.message.length).toBeLessThanOrEqual(64_000);
  });
});
