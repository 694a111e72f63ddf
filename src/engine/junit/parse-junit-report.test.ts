import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateTestFailure } from "./locate-test-failure.js";
import { parseJUnitReport, type TestCase } from "./parse-junit-report.js";

const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/junit");
const checkout = "/home/eve/workspace/build";

function parse(name: string): TestCase[] {
  const report = parseJUnitReport(readFileSync(join(FIXTURES, name), "utf8"));
  if (!report.ok) throw new Error(report.reason);
  return report.cases;
}

const counts = (cases: TestCase[]) => ({
  total: cases.length,
  failed: cases.filter((c) => c.status === "failed").length,
  errored: cases.filter((c) => c.status === "errored").length,
  skipped: cases.filter((c) => c.status === "skipped").length,
});

describe("parseJUnitReport on the common producers", () => {
  it.each([
    ["jest-junit.xml", { total: 3, failed: 1, errored: 0, skipped: 1 }, { path: "src/math.test.js", line: 14 }],
    ["pytest.xml", { total: 4, failed: 1, errored: 1, skipped: 0 }, { path: "tests/test_api.py", line: 19 }],
    ["go-junit-report.xml", { total: 3, failed: 1, errored: 0, skipped: 1 }, { path: "calc_test.go", line: 15 }],
    ["surefire.xml", { total: 2, failed: 1, errored: 0, skipped: 0 }, undefined],
    ["mocha-junit-reporter.xml", { total: 3, failed: 1, errored: 0, skipped: 0 }, { path: "test/server.spec.js", line: 27 }],
  ])("%s", (name, expected, location) => {
    const cases = parse(name);

    expect(counts(cases)).toEqual(expected);
    const first = cases.find((c) => c.status === "failed");
    expect(first?.message).not.toBe("");
    expect(first && locateTestFailure(first, { checkout, workdir: checkout })).toEqual(location);
  });

  it("reads names, classes, messages and durations, decoding XML's own entities", () => {
    const [, post, connect] = parse("pytest.xml");

    expect(post).toMatchObject({ name: "test_post", classname: "tests.test_api", status: "failed", message: "assert 201 == 200", durationMs: 2, file: "tests/test_api.py", line: 19 });
    expect(post?.details).toContain(">       assert post() == 200");
    expect(connect).toMatchObject({ status: "errored", message: 'failed on setup with "ConnectionRefusedError: [Errno 111]"' });
  });

  it("locates a pytest error from its short traceback when the testcase names no file", () => {
    const connect = parse("pytest.xml")[2];

    expect(connect && locateTestFailure(connect, { checkout, workdir: checkout })).toEqual({ path: "tests/test_db.py", line: 6 });
  });
});

describe("parseJUnitReport on files that are not reports", () => {
  it.each([
    ["a coverage report", readFileSync(join(FIXTURES, "not-junit.xml"), "utf8"), "no <testsuites> or <testsuite> root element"],
    ["HTML", "<html><body>hi</body></html>", "no <testsuites> or <testsuite> root element"],
    ["broken XML", "<testsuite><testcase name='x'>", "not well-formed XML"],
    ["deep nesting", `<testsuite>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</testsuite>`, "not well-formed XML"],
  ])("%s is refused with a reason", (_what, xml, reason) => {
    const report = parseJUnitReport(xml);

    expect(report.ok).toBe(false);
    expect(report.ok ? "" : report.reason).toContain(reason);
  });

  it("never expands a DOCTYPE's entities (billion laughs)", () => {
    const lol = `<!DOCTYPE r [<!ENTITY a "${"x".repeat(1000)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${"b".repeat(i + 1)} "${`&${i === 0 ? "a" : "b".repeat(i)};`.repeat(10)}">`).join("")}]>`;
    const report = parseJUnitReport(`${lol}<testsuite><testcase name="&bbbbbbbbb;"><failure message="&bbbbbbbbb;"/></testcase></testsuite>`);

    expect(report).toEqual({ ok: true, cases: [expect.objectContaining({ name: "&bbbbbbbbb;", message: "&bbbbbbbbb;", status: "failed" })] });
  });
});
