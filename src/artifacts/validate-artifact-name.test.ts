import { describe, expect, it } from "vitest";
import { ArtifactNameError } from "./artifact-errors.js";
import { validateArtifactFolder, validateArtifactPath, validateContainerName } from "./validate-artifact-name.js";

describe("validateContainerName", () => {
  it.each([
    "github:scality:ring:staging-1.2.3.r201231235959.abcdef1234.pre-merge.00000042",
    "github:scality:ring:staging-promoted-9.1.0",
    "githost.example.com:team-a:repo_b:staging-0.0.0.r260101000000.0123456789.post-merge.00000001",
    "logs:build-123",
  ])("accepts %s", (name) => {
    expect(validateContainerName(name)).toBe(name);
  });

  it.each([
    ["", "empty"],
    ["a/b", "expected a letter or digit"],
    ["a..b", "'..'"],
    [":leading", "expected a letter or digit"],
  ])("refuses %j (%s)", (name, word) => {
    expect(() => validateContainerName(name)).toThrow(ArtifactNameError);
    expect(() => validateContainerName(name)).toThrow(word);
  });
});

describe("validateArtifactPath", () => {
  it.each(["a", ".hidden", "dir with space/file (1).txt", "ünïcödé/日本語.txt", "..dotdot-prefix", "a.../b", "%2e%2e%2e", "emoji/🚀"])("accepts %j", (path) => {
    expect(validateArtifactPath(path)).toBe(path);
  });

  it("refuses a lone surrogate", () => {
    expect(() => validateArtifactPath("bad\uD800name")).toThrow("lone surrogate");
  });
});

describe("validateArtifactFolder", () => {
  it.each([
    ["", ""],
    ["/", ""],
    ["a/b/", "a/b"],
    ["a", "a"],
  ])("reads %j as folder %j", (input, folder) => {
    expect(validateArtifactFolder(input)).toBe(folder);
  });

  it("refuses '/' twice", () => {
    expect(() => validateArtifactFolder("a//")).toThrow(ArtifactNameError);
  });
});
