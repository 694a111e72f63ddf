import { describe, expect, it } from "vitest";
import { parseRangeHeader } from "./log-range.js";
import { searchLog } from "./log-search.js";

async function* chunksOf(text: string, size: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const log = "ok: première étape\nbuild ERROR: ünïcode broke\nfine\nwarning: 3 errors\nlast line without newline error";
const offsetOf = (text: string) => Buffer.byteLength(log.slice(0, log.indexOf(text)));

describe("searchLog", () => {
  it.each([1, 2, 3, 7, 64, 4096])("finds the same lines at the same byte offsets whatever the chunk size (%i bytes)", async (size) => {
    const found = await all(searchLog(chunksOf(log, size), { query: "error", limit: 10 }));

    expect(found).toEqual([
      { offset: offsetOf("build ERROR"), line: "build ERROR: ünïcode broke" },
      { offset: offsetOf("warning: 3"), line: "warning: 3 errors" },
      { offset: offsetOf("last line"), line: "last line without newline error" },
    ]);
  });

  it("matches non-ASCII text exactly, and stops at the limit", async () => {
    expect(await all(searchLog(chunksOf(log, 5), { query: "étape", limit: 10 }))).toEqual([{ offset: 0, line: "ok: première étape" }]);
    expect(await all(searchLog(chunksOf(log, 5), { query: "ÉTAPE", limit: 10 }))).toEqual([]);
    expect(await all(searchLog(chunksOf(log, 5), { query: "e", limit: 2 }))).toHaveLength(2);
  });

  it("finds lines that look like errors, offsets counted from where the chunks start", async () => {
    expect(await all(searchLog(chunksOf("a\nb failed\n", 3), { query: "errors", limit: 5, start: 1000 }))).toEqual([{ offset: 1002, line: "b failed" }]);
  });

  it("treats regular expression characters in a query as text", async () => {
    expect(await all(searchLog(chunksOf("a.b\naxb\n(x)\n", 4), { query: ".", limit: 5 }))).toEqual([{ offset: 0, line: "a.b" }]);
    expect(await all(searchLog(chunksOf("a.b\naxb\n(x)\n", 4), { query: "(x)", limit: 5 }))).toEqual([{ offset: 8, line: "(x)" }]);
  });
});

describe("parseRangeHeader", () => {
  it.each([
    [undefined, "whole"],
    ["bytes=0-9", { start: 0, end: 10 }],
    ["bytes=90-", { start: 90, end: 100 }],
    ["bytes=90-500", { start: 90, end: 100 }],
    ["bytes=-10", { start: 90, end: 100 }],
    ["bytes=-500", { start: 0, end: 100 }],
    ["bytes=100-", "unsatisfiable"],
    ["bytes=5-4", "unsatisfiable"],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=0-1,5-6", "whole"],
    ["items=0-1", "whole"],
  ] as const)("%s of 100 bytes → %j", (header, expected) => {
    expect(parseRangeHeader(header, 100)).toEqual(expected);
  });
});
