/**
 * Test results on a check run (beyond Eve, which only showed a step summary):
 * totals per JUnitShellCommand step, a table of the failing tests (name,
 * class, message, duration) cut to the room left in the summary, and one
 * failure annotation per failing test whose file and line are known.
 */
import type { FailedTest, StepOutcome } from "../engine/types.js";
import type { Annotation } from "./matchers/annotation.js";

/** Test annotations per stage run: one request's worth, so they come with the completion. */
export const MAX_TEST_ANNOTATIONS = 50;
const MAX_MESSAGE = 64_000;
const MAX_TITLE = 255;

/** The "Tests" section of a summary, at most `room` characters; "" when no step read tests. */
export function formatTestResults(steps: readonly StepOutcome[], room: number, formatDuration: (ms: number) => string): string {
  const withTests = steps.filter((step) => step.tests !== undefined);
  if (withTests.length === 0) return "";
  const lines = ["", "### Tests", ""];
  for (const step of withTests) {
    const t = step.tests;
    if (t) lines.push(`- **${cell(step.name, 200)}**: ${t.total} tests, ${t.failures} failed, ${t.errors} errors, ${t.skipped} skipped`);
  }
  const totals = lines.join("\n");
  const failed = withTests.flatMap((step) => step.tests?.failed ?? []);
  const omitted = withTests.reduce((sum, step) => sum + (step.tests?.omitted ?? 0), 0);
  const head = `${totals}\n\n| Test | Class | Message | Duration |\n|---|---|---|---:|`;
  // Room for the head and the "more" line, else the totals alone.
  if (failed.length === 0 || head.length + 100 > room) return totals.length <= room ? totals : "";
  const rows = failed.map((test) => `| ${test.status === "errored" ? "💥" : "❌"} ${cell(test.name, 300)} | ${cell(test.classname, 200)} | ${cell(test.message, 500)} | ${test.durationMs === undefined ? "" : formatDuration(test.durationMs)} |`);
  let used = head.length + 100;
  let kept = 0;
  while (kept < rows.length && used + (rows[kept]?.length ?? 0) + 1 <= room) used += (rows[kept++]?.length ?? 0) + 1;
  const more = rows.length - kept + omitted;
  return [head, ...rows.slice(0, kept), ...(more > 0 ? ["", `… ${more} more failing tests: see the full log.`] : [])].join("\n");
}

/** Failure annotations on the failing tests' lines, the first MAX_TEST_ANNOTATIONS. */
export function createTestAnnotations(steps: readonly StepOutcome[]): Annotation[] {
  const annotations: Annotation[] = [];
  for (const test of steps.flatMap((step) => step.tests?.failed ?? [])) {
    if (annotations.length >= MAX_TEST_ANNOTATIONS) break;
    if (test.path === undefined || test.line === undefined) continue;
    annotations.push({
      path: test.path,
      start_line: test.line,
      end_line: test.line,
      annotation_level: "failure",
      title: cutText(`${test.status === "errored" ? "Error" : "Failed"}: ${title(test)}`, MAX_TITLE),
      message: cutText([test.message, test.details].filter((part, index, all) => part !== "" && (index === 0 || part !== all[0])).join("\n\n") || test.status, MAX_MESSAGE),
    });
  }
  return annotations;
}

function title(test: FailedTest): string {
  return test.classname && !test.name.startsWith(test.classname) ? `${test.classname} › ${test.name}` : test.name;
}

/** Names and messages come from reports: keep them from breaking the table or injecting markup. */
function cell(text: string, max: number): string {
  return cutText(text.replace(/\s+/g, " ").trim(), max).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${Array.from(text.slice(0, max - 1)).join("").replace(/[\uD800-\uDBFF]$/, "")}…`;
}
