import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../../test/helpers/engine-harness.js";

const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/junit");
const base = createWorkspaceBase();
afterAll(() => {
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
});

/** A JUnitShellCommand whose command puts fixtures in `reports/` and then runs `then`. */
async function junit(fixtures: string[], params: Record<string, unknown>, then = "true") {
  const copy = fixtures.map((name) => `cp '${join(FIXTURES, name)}' reports/`).join(" && ");
  const command = `mkdir -p reports${copy ? ` && ${copy}` : ""} && ${then}`;
  const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: [["JUnitShellCommand", { name: "tests", command, ...params }]] }), "s");
  return { step: outcome.steps[0], log: observer.log("s") };
}

describe("JUnitShellCommand, as Eve", () => {
  it("passes with T:n E:n F:n S:n when every test passes", async () => {
    const { step } = await junit([], { report_dir: "reports" }, `printf '<testsuite><testcase name="a"/><testcase name="b"><skipped/></testcase></testsuite>' > reports/ok.xml`);

    expect(step).toMatchObject({ result: "success", summary: "T:2 E:0 F:0 S:1", tests: { total: 2, failures: 0, errors: 0, skipped: 1, failed: [] } });
  });

  it("fails on a failing test, naming the first one, and sums every report of report_dir", async () => {
    const { step } = await junit(["jest-junit.xml", "go-junit-report.xml", "surefire.xml"], { report_dir: "reports/" });

    expect(step).toMatchObject({ result: "failure", tests: { total: 8, failures: 3, errors: 0, skipped: 2 } });
    expect(step?.summary).toMatch(/^FAIL: /);
    expect(step?.tests?.failed.find((t) => t.name === "math divides by zero")).toMatchObject({ classname: "math divides", path: "src/math.test.js", line: 14, durationMs: 11 });
  });

  it("names the first erroring test before any failing one (report_path as a list of globs)", async () => {
    const { step } = await junit(["pytest.xml", "mocha-junit-reporter.xml"], { report_path: ["reports/py*.xml", "reports/mocha-*.xml"] });

    expect(step).toMatchObject({ result: "failure", summary: "ERROR: tests.test_db.test_connect", tests: { total: 7, failures: 2, errors: 1 } });
  });

  it("fails when the command fails, whatever the reports say", async () => {
    const { step } = await junit([], { report_path: "reports/*.xml" }, `printf '<testsuite><testcase name="a"/></testsuite>' > reports/ok.xml; exit 3`);

    expect(step).toMatchObject({ result: "failure", exitCode: 3, summary: "exited 3; T:1 E:0 F:0 S:0" });
  });

  it.each([
    ["no report file", [], { report_dir: "reports" }],
    ["reports without tests", [], { report_path: "reports/empty.xml" }],
    ["neither report_dir nor report_path", [], {}],
  ])("warns with %s", async (_what, fixtures, params) => {
    const { step } = await junit(fixtures, params, `printf '<testsuites/>' > reports/empty.xml`);

    expect(step).toMatchObject({ result: "warnings", summary: "no test results found" });
  });

  it("is an error to give both report_dir and report_path", async () => {
    const { step } = await junit([], { report_dir: "reports", report_path: "x.xml" });

    expect(step).toMatchObject({ result: "exception", summary: "JUnitShellCommand: both report_dir and report_path are defined, please choose one" });
  });

  it("ignores, with a line in the log, a file that is not JUnit XML, and a huge one", async () => {
    const { step, log } = await junit(["not-junit.xml", "surefire.xml"], { report_dir: "reports" }, "truncate -s 1G reports/huge.xml");

    expect(step).toMatchObject({ result: "failure", tests: { total: 2, failures: 1 } });
    expect(log).toContain("junit: reports/not-junit.xml: ignored, not a JUnit XML report: no <testsuites> or <testsuite> root element\n");
    expect(log).toContain(`junit: reports/huge.xml: ignored, larger than ${16 * 1024 * 1024} bytes\n`);
  });

  it("keeps the first 100 failing tests of thousands and counts the rest", async () => {
    const cases = `i=0; while [ $i -lt 3000 ]; do echo "<testcase name=\\"t$i\\" classname=\\"c\\"><failure message=\\"m$i\\"/></testcase>"; i=$((i+1)); done`;
    const { step } = await junit([], { report_dir: "reports" }, `{ echo '<testsuite>'; ${cases}; echo '</testsuite>'; } > reports/many.xml`);

    expect(step).toMatchObject({ result: "failure", summary: "FAIL: c.t0", tests: { total: 3000, failures: 3000, omitted: 2900 } });
    expect(step?.tests?.failed).toHaveLength(100);
  });
});
