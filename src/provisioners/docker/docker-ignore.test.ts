import { describe, expect, it } from "vitest";
import { parseDockerIgnore } from "./docker-ignore.js";

describe("parseDockerIgnore", () => {
  const ignore = parseDockerIgnore("# comment\n*.log\n/build\n**/node_modules\n!keep.log\ndocs/*.md\n");

  it.each([
    ["app.log", true],
    ["keep.log", false],
    ["sub/app.log", false],
    ["build", true],
    ["build/out/a.o", true],
    ["node_modules", true],
    ["a/b/node_modules/x.js", true],
    ["docs/readme.md", true],
    ["docs/deep/readme.md", false],
    ["src/main.ts", false],
  ])("%s ignored: %s", (path, ignored) => {
    expect(ignore.isIgnored(path)).toBe(ignored);
  });

  it("knows when exceptions exist", () => {
    expect(ignore.hasExceptions).toBe(true);
    expect(parseDockerIgnore("*.log\n").hasExceptions).toBe(false);
  });
});
