import { describe, expect, it } from "vitest";
import { parseMemory, resolveMemoryLimit } from "./memory.js";

describe("parseMemory", () => {
  it.each([
    ["512m", 512 * 1024 ** 2],
    ["4G", 4 * 1024 ** 3],
    ["4g", 4 * 1024 ** 3],
    ["1.5gb", 1.5 * 1024 ** 3],
    ["2GiB", 2 * 1024 ** 3],
    ["100000", 100000],
    ["64 M", 64 * 1024 ** 2],
  ])("reads %s", (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it.each(["", "big", "-1g", "4x", "0", "1.2.3g"])("refuses %j", (text) => {
    expect(parseMemory(text)).toBeUndefined();
  });
});

describe("resolveMemoryLimit", () => {
  it("defaults to the maximum", () => {
    expect(resolveMemoryLimit(undefined, "4G")).toEqual({ ok: true, bytes: 4 * 1024 ** 3 });
  });

  it("accepts up to the maximum and refuses above it", () => {
    expect(resolveMemoryLimit("4096m", "4G")).toEqual({ ok: true, bytes: 4 * 1024 ** 3 });
    expect(resolveMemoryLimit("5G", "4G")).toEqual({ ok: false, message: "memory '5G' is above this Eve's maximum of 4G" });
  });

  it("refuses what Docker would refuse, saying why", () => {
    expect(resolveMemoryLimit("lots", "4G")).toEqual({ ok: false, message: "memory 'lots' is not a Docker memory size (e.g. 512m, 2G)" });
    expect(resolveMemoryLimit("1m", "4G")).toEqual({ ok: false, message: "memory '1m' is below Docker's minimum of 6m" });
  });
});
