import { describe, expect, it } from "vitest";
import { getUploadLinks, readUrlsParam } from "./upload-links.js";

const stored = ["build_status/.final_status", "reports/unit.xml", "reports/e2e.xml", "iso/metalk8s-2.4.1.iso", "iso/sha256sum.txt", "a/x.log", "b/x.log", "setup 1.2.exe"];

function links(urls: unknown) {
  return getUploadLinks(readUrlsParam(urls), stored);
}

describe("getUploadLinks", () => {
  it.each([
    ["a plain glob names each file after its base name", ["reports/*.xml"], [{ name: "e2e.xml", path: "reports/e2e.xml" }, { name: "unit.xml", path: "reports/unit.xml" }]],
    ["a name for one file without wildcards", [["ISO checksum", "iso/sha256sum.txt"]], [{ name: "ISO checksum", path: "iso/sha256sum.txt" }]],
    ["a name without back-references prefixes each match", [["report: ", "reports/*"]], [{ name: "report: e2e.xml", path: "reports/e2e.xml" }, { name: "report: unit.xml", path: "reports/unit.xml" }]],
    ["back-references map the glob's groups", [["ISO \\1", "iso/metalk8s-*.iso"]], [{ name: "ISO 2.4.1", path: "iso/metalk8s-2.4.1.iso" }]],
    ["? groups count too", [["\\2 of \\1", "reports/*.?ml"]], [{ name: "x of e2e", path: "reports/e2e.xml" }, { name: "x of unit", path: "reports/unit.xml" }]],
    ["* crosses folders, as find -path", ["*.log"], [{ name: "x.log (a/x.log)", path: "a/x.log" }, { name: "x.log (b/x.log)", path: "b/x.log" }]],
    ["hidden files and spaces", ["build_status/.final_status", "setup *.exe"], [{ name: ".final_status", path: "build_status/.final_status" }, { name: "setup 1.2.exe", path: "setup 1.2.exe" }]],
    ["no link for a file that was not stored", [["missing", "nope.txt"], "*.nope"], []],
    ["the same file twice under one name is one link", ["reports/unit.xml", "reports/u*.xml"], [{ name: "unit.xml", path: "reports/unit.xml" }]],
  ])("%s", (_, urls, expected) => {
    expect(links(urls)).toEqual(expected);
  });

  it.each([
    ["a mapping", { a: "b" }],
    ["a triple", [["a", "b", "c"]]],
    ["a number entry", [3]],
  ])("refuses %s", (_, urls) => {
    expect(() => readUrlsParam(urls)).toThrow(/urls/);
  });
});
