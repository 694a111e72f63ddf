/**
 * Finds a step's JUnit reports in its workspace and reads them into one
 * TestSummary. Globs expand in the worker's own shell, relative to the step's
 * workdir (Eve: `runGlob(join(workdir, path))`); files come out through exec
 * with `head -c`, so every worker type works and a huge file is cut in the
 * worker. Sizes and counts are bounded: a hostile report cannot exhaust Eve.
 * The XML parser is imported by the first report (~30 ms of every start of
 * `eve run` otherwise).
 */
import type { FailedTest, TestSummary } from "../types.js";
import type { StepContext } from "../step-context.js";
import { readWorkerOutput } from "../read-worker-output.js";
import { locateTestFailure } from "./locate-test-failure.js";

/** Bounds on what one step reads. */
export const REPORT_LIMITS = {
  files: 500,
  bytesPerFile: 16 * 1024 * 1024,
  totalBytes: 64 * 1024 * 1024,
  /** Failing tests kept with their details; the rest are counted. */
  failedTests: 100,
} as const;

// IFS empty: a pattern with spaces stays one pattern; unquoted, it still globs (and never runs code).
const LIST_SCRIPT = `IFS=''; for pattern in "$@"; do for f in $pattern; do [ -f "$f" ] && printf '%s\\n' "$f"; done; done; true`;

export async function readTestReports(context: StepContext, patterns: readonly string[]): Promise<TestSummary | undefined> {
  const files = await listReports(context, patterns);
  if (files.length === 0) {
    context.log("junit: found no report files");
    return undefined;
  }
  const { parseJUnitReport } = await import("./parse-junit-report.js");
  const summary: TestSummary = { total: 0, failures: 0, errors: 0, skipped: 0, failed: [], omitted: 0 };
  const locate = { checkout: `${context.workspace.builderDir}/build`, workdir: context.workdir };
  let budget: number = REPORT_LIMITS.totalBytes;
  for (const file of files) {
    if (budget <= 0) {
      context.log(`junit: ${file}: not read, the step's reports are over ${REPORT_LIMITS.totalBytes / 1024 / 1024} MiB`);
      continue;
    }
    const limit = Math.min(REPORT_LIMITS.bytesPerFile, budget);
    const read = await readWorkerOutput(context.workspace, { argv: ["head", "-c", String(limit + 1), "--", file] }, { workdir: context.workdir, maxBytes: limit, signal: context.signal });
    if (read.exitCode !== 0) {
      context.log(`junit: ${file}: cannot be read`);
      continue;
    }
    budget -= read.stdout.length;
    if (read.truncated) {
      context.log(`junit: ${file}: ignored, larger than ${limit} bytes`);
      continue;
    }
    const report = parseJUnitReport(read.stdout.toString("utf8"));
    if (!report.ok) {
      context.log(`junit: ${file}: ignored, not a JUnit XML report: ${report.reason}`);
      continue;
    }
    context.log(`junit: ${file}: ${report.cases.length} tests`);
    for (const test of report.cases) {
      summary.total++;
      if (test.status === "skipped") summary.skipped++;
      if (test.status !== "failed" && test.status !== "errored") continue;
      if (test.status === "failed") summary.failures++;
      else summary.errors++;
      if (summary.failed.length >= REPORT_LIMITS.failedTests) {
        summary.omitted++;
        continue;
      }
      const failed: FailedTest = { name: test.name, classname: test.classname, status: test.status, message: test.message, details: test.details };
      if (test.durationMs !== undefined) failed.durationMs = test.durationMs;
      const location = locateTestFailure(test, locate);
      if (location) Object.assign(failed, location);
      summary.failed.push(failed);
    }
  }
  return summary;
}

async function listReports(context: StepContext, patterns: readonly string[]): Promise<string[]> {
  const listing = await readWorkerOutput(context.workspace, { argv: ["sh", "-c", LIST_SCRIPT, "eve-junit-glob", ...patterns] }, { workdir: context.workdir, maxBytes: 1024 * 1024, signal: context.signal });
  const files = [...new Set(listing.stdout.toString("utf8").split("\n").filter((line) => line !== ""))];
  if (files.length > REPORT_LIMITS.files) context.log(`junit: ${files.length} report files: reading the first ${REPORT_LIMITS.files}`);
  return files.slice(0, REPORT_LIMITS.files);
}
