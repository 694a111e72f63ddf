import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { isOwnerGone, parseLabelMap, toLabelMap } from "./labels.js";

describe("labels", () => {
  const labels = { instance: "eve", build: "42", stage: "pre-merge", attempt: 2, run: "r-1" };

  it("round-trips resource labels and their owner", () => {
    const map = toLabelMap(labels, { host: "ci-1", pid: 1234 });

    expect(map).toEqual({ "eve.instance": "eve", "eve.build": "42", "eve.stage": "pre-merge", "eve.attempt": "2", "eve.run": "r-1", "eve.owner.host": "ci-1", "eve.owner.pid": "1234" });
    expect(parseLabelMap(map)).toEqual({ labels, owner: { host: "ci-1", pid: 1234 } });
  });

  it("reads partial or malformed labels without inventing values", () => {
    expect(parseLabelMap({ "eve.instance": "eve", "eve.attempt": "x", "eve.owner.pid": "12" })).toEqual({ labels: { instance: "eve" }, owner: undefined });
  });

  it("judges an owner gone only when it ran here and its pid is gone", () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;

    expect(isOwnerGone({ host: "here", pid: process.pid }, "here")).toBe(false);
    expect(isOwnerGone({ host: "here", pid: dead }, "here")).toBe(true);
    expect(isOwnerGone({ host: "elsewhere", pid: dead }, "here")).toBe(false);
    expect(isOwnerGone(undefined, "here")).toBe(false);
  });

  it("judges a dead owner gone even before its parent reaps it (a zombie)", async () => {
    // `sleep 0` dies at once; its parent then becomes `sleep 5`, which never waits for it.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    const [chunk] = (await once(parent.stdout, "data")) as [Buffer];
    const zombie = Number(chunk.toString().trim());

    try {
      await expect.poll(() => isOwnerGone({ host: "here", pid: zombie }, "here")).toBe(true);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});
