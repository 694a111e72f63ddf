/**
 * `JUnitShellCommand` as Eve (`eve/steps/junit.py`): runs `command`, then
 * reads the JUnit reports named by `report_dir` (every `*.xml` in it) or
 * `report_path` (a glob or a list of globs), not both. Result: the command
 * failed → failure; a failed or errored test → failure; no report or no test
 * → warnings; else success. Summary: the first erroring or failing test, or
 * `T:n E:n F:n S:n`. The tests go on the outcome for the check run.
 */
import { pythonStr } from "../../buildfile/python-values.js";
import { readTestReports } from "../junit/read-test-reports.js";
import { commandResult, toStepCommand, type StepContext, type StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";
import type { TestSummary } from "../types.js";

export async function junitShellCommand(context: StepContext): Promise<StepRun> {
  const patterns = readReportPatterns(context.params);
  const command = toStepCommand(context.params.command);
  if (!command) throw new StepConfigError("JUnitShellCommand needs a 'command': a string or a list");
  const run = await context.exec(command);
  const outcome = commandResult(run, context.options);
  if (run.killedBy === "cancel") return outcome;
  if (patterns.length === 0) {
    context.log("junit: neither report_dir nor report_path is set: no report to read");
    return withTests(outcome, undefined);
  }
  return withTests(outcome, await readTestReports(context, patterns));
}

function withTests(outcome: StepRun, tests: TestSummary | undefined): StepRun {
  const summary = summarize(tests);
  const why = outcome.result === "success" ? summary : `${outcome.summary ?? outcome.result}; ${summary}`;
  const testResult = tests === undefined || tests.total === 0 ? "warnings" : tests.failures + tests.errors > 0 ? "failure" : "success";
  const result = outcome.result !== "success" ? outcome.result : testResult;
  return { ...outcome, result, summary: why, ...(tests ? { tests } : {}) };
}

/** Eve's getResultSummary. */
function summarize(tests: TestSummary | undefined): string {
  if (tests === undefined || tests.total === 0) return "no test results found";
  const firstError = tests.failed.find((test) => test.status === "errored");
  if (firstError) return `ERROR: ${testId(firstError)}`;
  const firstFailure = tests.failed.find((test) => test.status === "failed");
  if (firstFailure) return `FAIL: ${testId(firstFailure)}`;
  return `T:${tests.total} E:${tests.errors} F:${tests.failures} S:${tests.skipped}`;
}

/** unittest's `id()`: classname.name. */
function testId(test: { classname: string; name: string }): string {
  return test.classname ? `${test.classname}.${test.name}` : test.name;
}

function readReportPatterns(params: Record<string, unknown>): string[] {
  const dir = params.report_dir;
  const path = params.report_path;
  const given = (value: unknown) => value !== undefined && value !== null && value !== "";
  if (given(dir) && given(path)) throw new StepConfigError("JUnitShellCommand: both report_dir and report_path are defined, please choose one");
  if (given(dir)) return [`${pythonStr(dir).replace(/\/+$/, "")}/*.xml`];
  if (typeof path === "string" && path !== "") return [path];
  if (Array.isArray(path)) return path.map((item: unknown) => pythonStr(item)).filter((item) => item !== "");
  if (given(path)) throw new StepConfigError("JUnitShellCommand: report_path must be a glob or a list of globs");
  return [];
}
