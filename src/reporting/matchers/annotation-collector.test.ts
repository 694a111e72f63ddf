import { describe, expect, it } from "vitest";
import { AnnotationCollector } from "./annotation-collector.js";
import { relativePath } from "../../engine/relative-path.js";

const roots = ["/home/eve/workspace/pre-merge/build"];

function collect(text: string, options = {}) {
  const collector = new AnnotationCollector({ roots, ...options });
  collector.push(text);
  collector.end();
  return collector;
}

describe("AnnotationCollector", () => {
  it.each([
    [
      "gcc error with column",
      "src/main.c:12:5: error: expected ';' before '}' token",
      { path: "src/main.c", start_line: 12, end_line: 12, start_column: 5, end_column: 5, annotation_level: "failure", message: "expected ';' before '}' token" },
    ],
    [
      "clang warning with flag, absolute path under the checkout",
      "/home/eve/workspace/pre-merge/build/lib/x.c:3:1: warning: unused variable 'y' [-Wunused-variable]",
      { path: "lib/x.c", start_line: 3, end_line: 3, start_column: 1, end_column: 1, annotation_level: "warning", message: "unused variable 'y' [-Wunused-variable]" },
    ],
    [
      "fatal error without column",
      "a.h:7: fatal error: b.h: No such file or directory",
      { path: "a.h", start_line: 7, end_line: 7, annotation_level: "failure", message: "b.h: No such file or directory" },
    ],
    [
      "tsc parenthesised form",
      "src/app.ts(40,17): error TS2322: Type 'string' is not assignable to type 'number'.",
      { path: "src/app.ts", start_line: 40, end_line: 40, start_column: 17, end_column: 17, annotation_level: "failure", message: "Type 'string' is not assignable to type 'number'.", title: "TS2322" },
    ],
    [
      "tsc unix form",
      "src/app.ts:40:17 - error TS2322: nope",
      undefined,
    ],
    [
      "eslint unix formatter",
      "/tmp/w/build/web/a.js:10:5: Missing semicolon. [Error/semi]",
      { path: "web/a.js", start_line: 10, end_line: 10, start_column: 5, end_column: 5, annotation_level: "failure", message: "Missing semicolon.", title: "semi" },
    ],
    [
      "workflow command with every property, escaped",
      "::error file=src/a.py,line=3,col=2,endColumn=9,title=Lint%3A E1::bad%0Athing 100%25",
      { path: "src/a.py", start_line: 3, end_line: 3, start_column: 2, end_column: 9, annotation_level: "failure", message: "bad\nthing 100%", title: "Lint: E1" },
    ],
    [
      "multi-line workflow warning drops columns",
      "::warning file=README.md,line=1,endLine=4,col=3::long",
      { path: "README.md", start_line: 1, end_line: 4, annotation_level: "warning", message: "long" },
    ],
    ["notice without line", "::notice file=x.txt::hi", { path: "x.txt", start_line: 1, end_line: 1, annotation_level: "notice", message: "hi" }],
    ["workflow command without file", "::error::something broke", undefined],
    ["system header outside the checkout", "/usr/include/stdio.h:3:1: warning: odd", undefined],
    ["path leaving the checkout", "../other/a.c:1:1: error: x", undefined],
    ["plain text", "Compiling 3 files... done: error count 0", undefined],
    ["gcc note is not an annotation", "src/a.c:1:1: note: declared here", undefined],
    ["url is not a path", "see https://example.com:443: error: none", undefined],
  ])("%s", (_name, line, expected) => {
    const { annotations } = collect(`${line}\n`);

    expect(annotations).toEqual(expected ? [expected] : []);
  });

  it("joins lines split across chunks and strips colours and carriage returns", () => {
    const collector = new AnnotationCollector();

    collector.push("progress 10%\r\x1b[01m\x1b[Ksrc/a.c:1:2: \x1b[01;31m\x1b[Kerr");
    collector.push("or: \x1b[m\x1b[Kboom\r\nnext");
    collector.end();

    expect(collector.annotations).toEqual([
      { path: "src/a.c", start_line: 1, end_line: 1, start_column: 2, end_column: 2, annotation_level: "failure", message: "boom" },
    ]);
  });

  it("finds a diagnostic whose keyword a chunk boundary or a colour splits, among output that matches nothing", () => {
    const collector = new AnnotationCollector();
    const noise = Array.from({ length: 1000 }, (_, i) => `${i}`).join("\n");

    collector.push(`${noise}\nsrc/a.c:3:1: err`);
    collector.push(`or: split\n${noise}\n`);
    collector.push(`src/b.c:4:1: \x1b[31mwarn\x1b[0ming: coloured\n${noise}\n`);
    collector.push(`${noise}\n::not`);
    collector.push(`ice file=c.c,line=5::a notice\n12`);
    collector.push(`34\n${noise}\nsrc/d.c:6:1: error: amid noise\n${noise}\n`);
    collector.end();

    expect(collector.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.message])).toEqual([
      ["src/a.c", 3, "failure", "split"],
      ["src/b.c", 4, "warning", "coloured"],
      ["c.c", 5, "notice", "a notice"],
      ["src/d.c", 6, "failure", "amid noise"],
    ]);
  });

  it("counts the last line without a newline only at end()", () => {
    const collector = new AnnotationCollector();

    collector.push("a.c:1:1: error: x");
    const before = collector.annotations.length;
    collector.end();

    expect([before, collector.annotations.length]).toEqual([0, 1]);
  });

  it("drops duplicates and keeps at most max, counting the rest", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `f.c:${i + 1}:1: warning: w`);

    const collector = collect([...lines, ...lines].join("\n"), { max: 20 });

    expect(collector.annotations).toHaveLength(20);
    expect(collector.annotations.at(-1)?.start_line).toBe(20);
    expect(collector.dropped).toBe(20); // 10 beyond the cap, seen twice: not deduplicated, to bound memory
  });

  it("cuts long messages and titles to GitHub's limits", () => {
    const { annotations } = collect(`::error file=a,title=${"t".repeat(300)}::${"m".repeat(15_000)}\n`);

    expect(annotations[0]?.title).toHaveLength(255);
    expect(annotations[0]?.message).toHaveLength(15_000);
  });
});

describe("relativePath", () => {
  it.each([
    ["./src/a.c", [], "src/a.c"],
    ["/w/build/src/a.c", ["/w/build/"], "src/a.c"],
    ["/ws/pre-merge/build/x/build/y.c", [], "x/build/y.c"],
    ["C:\\w\\build\\a.c", [], "C:/w/build/a.c"],
    ["/w/build", ["/w/build"], undefined],
    ["a/../../b", [], undefined],
  ])("%s with roots %j → %s", (path, roots, expected) => {
    expect(relativePath(path, roots)).toBe(expected);
  });
});
