/**
 * Reads one JUnit XML report (jest-junit, pytest --junitxml, go-junit-report,
 * Maven Surefire, mocha-junit-reporter...) into test cases, as Eve's
 * xunitparser did: `<testsuites>` or `<testsuite>` at the root, a testcase
 * with `<failure>` failed, with `<error>` errored, with `<skipped>` skipped.
 * Reports are untrusted: entities are not expanded, nesting is bounded, and
 * the caller bounds the size before parsing.
 */
import { XMLParser } from "fast-xml-parser";

export type TestStatus = "passed" | "failed" | "errored" | "skipped";

export interface TestCase {
  name: string;
  classname: string;
  status: TestStatus;
  /** The failure's or error's message (first line of its text when it has no message attribute). */
  message: string;
  /** The failure's text: a stack trace, where a location may be found. */
  details: string;
  durationMs: number | undefined;
  /** From the testcase's or its suite's `file` and `line` attributes (pytest, jest-junit, mocha). */
  file: string | undefined;
  line: number | undefined;
}

export type ParsedReport = { ok: true; cases: TestCase[] } | { ok: false; reason: string };

/** Deeper than any report producer nests; a deeper file is refused, not parsed. */
const MAX_DEPTH = 64;
/** Text kept per failure: enough for a stack trace, bounded for thousands of failures. */
const MAX_DETAILS = 4096;

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === "testsuite" || name === "testcase" || name === "failure" || name === "error" || name === "skipped",
});

export function parseJUnitReport(xml: string): ParsedReport {
  let document: Node;
  try {
    document = parser.parse(xml, true) as Node;
  } catch (error) {
    return { ok: false, reason: `not well-formed XML (${firstLine(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 200)})` };
  }
  const cases: TestCase[] = [];
  const root = document.testsuites;
  if (root !== undefined) for (const suite of nodes(isNode(root) ? root.testsuite : undefined)) readSuite(suite, cases, undefined);
  else if (document.testsuite !== undefined) for (const suite of nodes(document.testsuite)) readSuite(suite, cases, undefined);
  else return { ok: false, reason: "no <testsuites> or <testsuite> root element" };
  return { ok: true, cases };
}

function readSuite(suite: Node, cases: TestCase[], parentFile: string | undefined): void {
  const suiteFile = text(suite["@file"]) || text(suite["@filepath"]) || parentFile;
  for (const testcase of nodes(suite.testcase)) cases.push(readCase(testcase, suiteFile));
  // Some producers nest suites (mocha per describe, Surefire's aggregates).
  for (const child of nodes(suite.testsuite)) readSuite(child, cases, suiteFile);
}

function readCase(testcase: Node, suiteFile: string | undefined): TestCase {
  const failure = nodes(testcase.failure)[0];
  const error = nodes(testcase.error)[0];
  const skipped = testcase.skipped !== undefined;
  const problem = failure ?? error;
  const status: TestStatus = failure ? "failed" : error ? "errored" : skipped ? "skipped" : "passed";
  const body = problem ? text(problem["#text"]).slice(0, MAX_DETAILS) : "";
  const seconds = Number.parseFloat(text(testcase["@time"]).replace(/,/g, ""));
  const line = Number.parseInt(text(testcase["@line"]), 10);
  return {
    name: text(testcase["@name"]),
    classname: text(testcase["@classname"]),
    status,
    message: problem ? text(problem["@message"]) || firstLine(body) : "",
    details: body,
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined,
    file: text(testcase["@file"]) || suiteFile || undefined,
    line: Number.isInteger(line) && line > 0 ? line : undefined,
  };
}

/** `isArray` makes repeated elements lists; an element with only text parses as that string. */
function nodes(value: unknown): Node[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (isNode(item) ? item : { "#text": typeof item === "string" ? item : "" }));
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === "string" ? decodeEntities(value) : "";
}

const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** XML's five predefined entities and character references; a DOCTYPE's own entities stay as written (never expanded). */
function decodeEntities(value: string): string {
  if (!value.includes("&")) return value;
  return value.replace(/&(?:#x([0-9a-f]{1,6})|#(\d{1,7})|(amp|lt|gt|quot|apos));/gi, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return PREDEFINED[name.toLowerCase()] ?? whole;
    const code = Number.parseInt(hex ?? dec ?? "", hex === undefined ? 10 : 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function firstLine(value: string): string {
  return value.trim().split("\n")[0]?.slice(0, 500) ?? "";
}
