import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDeadRunJudge } from "../reaper.js";
import { BuilderDirs } from "./builder-dirs.js";
import { LOCAL_MARKER_FILE, parseMarker } from "./builder-marker.js";
import { LocalReaper } from "./local-reaper.js";
import { useTempDirs } from "../../../test/helpers/temp-dirs.js";

const newBase = useTempDirs("eve-builder-dirs-");

const labels = (run: string) => ({ instance: "test", build: "b1", stage: "s", attempt: 1, run });
const markerOf = (dir: string) => parseMarker(readFileSync(join(dir, LOCAL_MARKER_FILE), "utf8"));

/** The mode a new folder gets here, as the spawn helper's mkdir of a step's workdir. */
function newFolderMode(base: string): number {
  mkdirSync(join(base, "probe"));
  const mode = statSync(join(base, "probe")).mode & 0o777;
  rmdirSync(join(base, "probe"));
  return mode;
}

/** What a stage's steps leave behind: a checkout in build/, a file and a folder beside it. */
function leaveFiles(dir: string): void {
  mkdirSync(join(dir, "build", "src", "deep"), { recursive: true });
  writeFileSync(join(dir, "build", "src", "deep", "a.c"), "int main;");
  writeFileSync(join(dir, "notes.txt"), "left");
  mkdirSync(join(dir, "cache"));
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "build"), 0o700);
  // The group of a step, as the spawn helper records it.
  appendFileSync(join(dir, LOCAL_MARKER_FILE), "4242\n");
}

describe("BuilderDirs", () => {
  it("empties a released directory and gives it, marker rewritten and build/ empty, to the next run", async () => {
    const base = newBase();
    const folderMode = newFolderMode(base);
    const dirs = new BuilderDirs(base);
    const first = dirs.take(labels("run-1"));
    const inode = statSync(first).ino;
    leaveFiles(first);

    await dirs.release(first, "test");

    const [spare, ...others] = readdirSync(base);
    expect(others).toEqual([]);
    expect(readdirSync(join(base, spare as string)).sort()).toEqual([LOCAL_MARKER_FILE, "build"]);
    // A spare names no run: the reaper judges it by its owner, this process.
    expect(markerOf(join(base, spare as string))).toEqual({ parsed: { labels: { instance: "test" }, owner: expect.objectContaining({ pid: process.pid }) }, groups: [] });

    const second = dirs.take(labels("run-2"));
    expect(second).not.toBe(first);
    expect(second.startsWith(join(base, "run-2-"))).toBe(true);
    expect(statSync(second).ino).toBe(inode);
    expect(statSync(second).mode & 0o777).toBe(0o700);
    expect(readdirSync(second).sort()).toEqual([LOCAL_MARKER_FILE, "build"]);
    expect(readdirSync(join(second, "build"))).toEqual([]);
    expect(statSync(join(second, "build")).mode & 0o777).toBe(folderMode);
    expect(markerOf(second)).toEqual({ parsed: { labels: labels("run-2"), owner: expect.objectContaining({ pid: process.pid }) }, groups: [] });
    expect(readdirSync(base)).toEqual([second.slice(base.length + 1)]);
  });

  it("removes a build/ that is a link, not what it points to", async () => {
    const base = newBase();
    const outside = newBase();
    writeFileSync(join(outside, "kept.txt"), "mine");
    const dirs = new BuilderDirs(base);
    const dir = dirs.take(labels("run-1"));
    symlinkSync(outside, join(dir, "build"));

    await dirs.release(dir, "test");

    const [spare] = readdirSync(base);
    expect(readdirSync(join(base, spare as string))).toEqual([LOCAL_MARKER_FILE]);
    expect(readFileSync(join(outside, "kept.txt"), "utf8")).toBe("mine");
  });

  it("removes a directory whose marker a step removed, and makes the next one new", async () => {
    const base = newBase();
    const dirs = new BuilderDirs(base);
    const dir = dirs.take(labels("run-1"));
    unlinkSync(join(dir, LOCAL_MARKER_FILE));
    writeFileSync(join(dir, "left.txt"), "x");

    await dirs.release(dir, "test");

    expect(readdirSync(base)).toEqual([]);
    const next = dirs.take(labels("run-2"));
    expect(readdirSync(base)).toEqual([next.slice(base.length + 1)]);
  });

  it("makes a new directory when a spare was removed meanwhile", async () => {
    const base = newBase();
    const dirs = new BuilderDirs(base);
    await dirs.release(dirs.take(labels("run-1")), "test");
    for (const name of readdirSync(base)) rmSync(join(base, name), { recursive: true });

    const dir = dirs.take(labels("run-2"));

    expect(markerOf(dir)?.parsed.labels).toEqual(labels("run-2"));
    expect(readdirSync(base)).toEqual([dir.slice(base.length + 1)]);
  });

  it("keeps at most 16 spares and close removes them", async () => {
    const base = newBase();
    const dirs = new BuilderDirs(base);
    const taken = Array.from({ length: 20 }, (_, i) => dirs.take(labels(`run-${i}`)));
    await Promise.all(taken.map((dir) => dirs.release(dir, "test")));
    expect(readdirSync(base)).toHaveLength(16);

    await dirs.close();

    expect(readdirSync(base)).toEqual([]);
  });

  it("leaves a spare to the reaper while its owner lives, even when every run is over", async () => {
    const base = newBase();
    const dirs = new BuilderDirs(base);
    await dirs.release(dirs.take(labels("run-1")), "test");

    const reaped = await new LocalReaper({ builderBaseDir: base }).sweep("test", createDeadRunJudge(async () => false));

    expect(reaped).toEqual([]);
    expect(readdirSync(base)).toHaveLength(1);
  });
});
