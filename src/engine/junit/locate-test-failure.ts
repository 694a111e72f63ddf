/**
 * Where a failing test is in the repository, so its failure can be an
 * annotation on that line: the report's `file`/`line` attributes (pytest,
 * jest-junit, mocha), else the first frame of its stack trace that is a file
 * of the checkout (Node, Python, Go and pytest frames). Undefined when no
 * location names a repository file: no guessing.
 */
import { posix } from "node:path";
import { relativePath } from "../relative-path.js";
import type { TestCase } from "./parse-junit-report.js";

export interface TestLocation {
  path: string;
  line: number;
}

export interface LocateOptions {
  /** The checkout in the worker (`<builderDir>/build`). */
  checkout: string;
  /** The step's workdir: relative paths in reports are relative to it. */
  workdir: string;
}

const FRAMES = [
  // Node: "at fn (/w/build/src/a.test.js:12:5)" or "at /w/build/src/a.test.js:12:5"
  /\bat (?:[^\n(]*\()?((?:\/|\.{1,2}\/|[\w@-])[^\s():]*\.[cm]?[jt]sx?):(\d+)(?::\d+)?\)?/g,
  // Python traceback: 'File "/w/build/tests/test_a.py", line 12'
  /File "([^"\n]+\.py)", line (\d+)/g,
  // pytest's short location and Go's testing output: "tests/test_a.py:12: AssertionError", "    a_test.go:12: want 1"
  /^\s*([\w./-]+\.(?:py|go)):(\d+):/gm,
];

export function locateTestFailure(test: TestCase, options: LocateOptions): TestLocation | undefined {
  if (test.file !== undefined) {
    const path = toRepositoryPath(test.file, options);
    const line = test.line ?? lineInDetails(test.details, test.file, options);
    if (path !== undefined && line !== undefined) return { path, line };
  }
  for (const pattern of FRAMES) {
    for (const match of test.details.matchAll(pattern)) {
      const path = toRepositoryPath(match[1] ?? "", options);
      const line = Number.parseInt(match[2] ?? "", 10);
      if (path !== undefined && !path.includes("node_modules/") && line > 0) return { path, line };
    }
  }
  return undefined;
}

/** The line of a frame in `details` that names the test's own file. */
function lineInDetails(details: string, file: string, options: LocateOptions): number | undefined {
  const wanted = toRepositoryPath(file, options);
  for (const pattern of FRAMES) {
    for (const match of details.matchAll(pattern)) {
      if (toRepositoryPath(match[1] ?? "", options) === wanted) return Number.parseInt(match[2] ?? "", 10);
    }
  }
  return undefined;
}

function toRepositoryPath(file: string, options: LocateOptions): string | undefined {
  const absolute = posix.isAbsolute(file) ? file : posix.join(options.workdir, file);
  return relativePath(absolute, [options.checkout]);
}
