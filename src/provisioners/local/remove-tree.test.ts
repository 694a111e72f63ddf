import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeExpectedTree, removeTree } from "./remove-tree.js";
import { useTempDirs } from "../../../test/helpers/temp-dirs.js";

const tempRoot = useTempDirs("eve-remove-tree-");

describe("removeTree", () => {
  it("removes nested directories and files, and unlinks links without following them", async () => {
    const root = tempRoot();
    const outside = join(root, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "kept");
    const tree = join(root, "tree");
    mkdirSync(join(tree, "a", "b", "c"), { recursive: true });
    for (const dir of ["", "a", "a/b", "a/b/c"]) for (let i = 0; i < 5; i++) writeFileSync(join(tree, dir, `f${i}`), "x");
    symlinkSync(outside, join(tree, "a", "link-to-outside"));

    await removeTree(tree);

    expect(existsSync(tree)).toBe(false);
    expect(existsSync(join(outside, "keep.txt"))).toBe(true);
  });

  it("removes a wide tree of many directories, links unfollowed", async () => {
    const root = tempRoot();
    const outside = join(root, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "kept");
    const tree = join(root, "checkout");
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(tree, `d${d}`, "sub"), { recursive: true });
      for (let i = 0; i < 20; i++) writeFileSync(join(tree, `d${d}`, i % 2 ? "sub" : "", `f${i}`), "x");
      symlinkSync(outside, join(tree, `d${d}`, "sub", "link-to-outside"));
    }

    await removeTree(tree);

    expect(existsSync(tree)).toBe(false);
    expect(existsSync(join(outside, "keep.txt"))).toBe(true);
  });

  it("is done when the directory is already gone", async () => {
    await expect(removeTree(join(tempRoot(), "missing"))).resolves.toBeUndefined();
  });
});

describe("removeExpectedTree", () => {
  /** A builder directory as Eve makes it, with what its steps left (relative paths; a trailing / is a directory). */
  function builderDir(left: string[]): string {
    const dir = join(tempRoot(), "builder");
    mkdirSync(dir);
    writeFileSync(join(dir, ".marker"), "labels\n");
    for (const path of left) {
      if (path.endsWith("/")) mkdirSync(join(dir, path), { recursive: true });
      else writeFileSync(join(dir, path), "x");
    }
    return dir;
  }

  it.each([
    ["only what Eve made", ["build/"]],
    ["no workdir (no step ran)", []],
    ["files in the workdir", ["build/", "build/out.txt", "build/sub/", "build/sub/deep.txt"]],
    ["files beside the workdir (a step's HOME)", ["build/", ".cache/", ".cache/x", "notes"]],
  ])("removes a builder directory holding %s", async (_, left) => {
    const dir = builderDir(left);

    await removeExpectedTree(dir, [".marker"], ["build"]);

    expect(existsSync(dir)).toBe(false);
  });

  it("is done when the directory is already gone", async () => {
    await expect(removeExpectedTree(join(tempRoot(), "missing"), [".marker"], ["build"])).resolves.toBeUndefined();
  });
});
