import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ParsedLabels } from "../labels.js";
import { LOCAL_MARKER_FILE, formatMarker, parseMarker } from "./builder-marker.js";
import { LocalReaper } from "./local-reaper.js";

const base = mkdtempSync(join(tmpdir(), "eve-local-reaper-"));
const sleepers: number[] = [];
afterEach(() => {
  for (const pid of sleepers.splice(0)) if (isAlive(pid)) process.kill(-pid, "SIGKILL");
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const labels = (run: string, instance = "test") => ({ instance, build: "b1", stage: "s", attempt: 1, run });

/** A step left running by a dead Eve: a `sleep` in a process group of its own. */
function startSleeper(): number {
  const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
  child.unref();
  const pid = child.pid as number;
  sleepers.push(pid);
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^\d+ \(.*\) /, "").split(" ")[0];
    return state !== "Z";
  } catch {
    return false;
  }
}

function builderDir(name: string, files: Record<string, string>): string {
  const dir = join(base, name);
  mkdirSync(join(dir, "build"), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe("LocalReaper", () => {
  it("removes a dead run's builder directory after killing the step groups its marker lists", async () => {
    const first = startSleeper();
    const second = startSleeper();
    const dead = builderDir("dead", { [LOCAL_MARKER_FILE]: `${formatMarker(labels("dead"))}${first}\n${second}\n` });
    const alive = builderDir("alive", { [LOCAL_MARKER_FILE]: formatMarker(labels("alive")) });
    const otherInstance = builderDir("other", { [LOCAL_MARKER_FILE]: formatMarker(labels("other", "elsewhere")) });
    const notBuilder = builderDir("not-a-builder", {});
    const judged: ParsedLabels[] = [];

    const reaped = await new LocalReaper({ builderBaseDir: base }).sweep("test", async (parsed) => {
      judged.push(parsed);
      return parsed.labels.run === "dead";
    });

    expect(reaped).toEqual([{ kind: "directory", name: dead, labels: labels("dead") }]);
    expect(judged.map((parsed) => parsed.labels.run).sort()).toEqual(["alive", "dead"]);
    expect(judged[0]?.owner?.pid).toBe(process.pid);
    await expect.poll(() => [isAlive(first), isAlive(second)]).toEqual([false, false]);
    expect([existsSync(dead), existsSync(alive), existsSync(otherInstance), existsSync(notBuilder)]).toEqual([false, true, true, true]);
  });

  it("reaps a directory an earlier Eve left, its labels and groups in two files", async () => {
    const group = startSleeper();
    const legacy = builderDir("legacy", { ".eve-labels.json": formatMarker(labels("legacy")), ".eve-groups": `${group}\n` });

    const reaped = await new LocalReaper({ builderBaseDir: base }).sweep("test", async (parsed) => parsed.labels.run === "legacy");

    expect(reaped.map((entry) => entry.name)).toEqual([legacy]);
    await expect.poll(() => isAlive(group)).toBe(false);
    expect(existsSync(legacy)).toBe(false);
  });
});

describe("parseMarker", () => {
  it("reads the labels line and the groups after it, and refuses what is not a marker", () => {
    expect(parseMarker(`${formatMarker(labels("r"))}123\n\n456\n`)?.groups).toEqual([123, 456]);
    expect(parseMarker("not json\n123\n")).toBeUndefined();
    expect(parseMarker("null\n")).toBeUndefined();
  });
});
