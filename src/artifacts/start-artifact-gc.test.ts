import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ArtifactStore, GcReport } from "./artifact-store.js";
import { DiskArtifactStore } from "./disk-artifact-store.js";
import { startArtifactGc } from "./start-artifact-gc.js";

describe("startArtifactGc", () => {
  it("collects at start, logs what it removed, and stops", async () => {
    const root = await mkdtemp(join(tmpdir(), "eve-test-artifacts-"));
    const lines: Array<[object, string]> = [];
    const log = { info: (obj: object, msg: string) => lines.push([obj, msg]), warn: (obj: object, msg: string) => lines.push([obj, msg]) };
    try {
      const store = await new DiskArtifactStore(root).init();
      await store.ensureContainer("github:o:r:old", { expiresAt: "2026-01-01T00:00:00.000Z" });

      const runner = startArtifactGc(store, { intervalMs: 3_600_000, log, now: () => new Date("2026-06-01T00:00:00Z") });
      const report = await runner.firstPass;
      await runner.stop();

      expect(report).toEqual({ containersDeleted: ["github:o:r:old"], objectsDeleted: 0 });
      expect(lines).toEqual([[{ containers: 1, objects: 0 }, "Artifact store garbage collected"]]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("runs again each interval, and a failing pass is logged, not thrown", async () => {
    const warnings: string[] = [];
    let passes = 0;
    let secondPass: () => void = () => {};
    const reachedSecond = new Promise<void>((resolve) => (secondPass = resolve));
    const store = {
      kind: "broken",
      gc: async (): Promise<GcReport> => {
        passes += 1;
        if (passes === 2) secondPass();
        throw new Error("bucket unreachable");
      },
    } as unknown as ArtifactStore;

    const runner = startArtifactGc(store, { intervalMs: 5, log: { info: () => {}, warn: (_obj, msg) => warnings.push(msg) } });
    expect(await runner.firstPass).toBeUndefined();
    await reachedSecond;
    await runner.stop();

    expect(warnings.slice(0, 2)).toEqual(["Artifact store garbage collection failed", "Artifact store garbage collection failed"]);
  });
});
