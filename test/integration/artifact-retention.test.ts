/**
 * The app collects the artifact store: a process that runs stages starts the garbage collector
 * on the store its stages use, and closes it on shutdown.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DiskArtifactStore } from "../../src/artifacts/disk-artifact-store.js";
import { startAppHarness, type AppHarness } from "./app-harness.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {command: "true"}
`;

describe("artifact retention in the app", () => {
  let app: AppHarness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await app?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("deletes expired containers when the workers start, and keeps the others", async () => {
    dir = await mkdtemp(join(tmpdir(), "eve-test-retention-"));
    const store = await new DiskArtifactStore(dir).init();
    await store.ensureContainer("github:o:r:staging-1.0.0.r200101000000.0000000000.pre-merge.00000001", { expiresAt: "2020-01-01T00:00:00.000Z" });
    await store.ensureContainer("github:o:r:staging-1.0.0.r260101000000.1111111111.pre-merge.00000002", { expiresAt: "2099-01-01T00:00:00.000Z" });
    await store.ensureContainer("github:o:r:staging-promoted-1.0.0", { expiresAt: null });

    app = await startAppHarness(buildFile, { EVE_ARTIFACTS_DIR: dir });

    const names = async (): Promise<string[]> => {
      const found: string[] = [];
      for await (const container of store.listContainers("github:o:r:")) found.push(container.name);
      return found.sort();
    };
    for (let polls = 0; (await names()).length === 3 && polls < 200; polls++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await names()).toEqual(["github:o:r:staging-1.0.0.r260101000000.1111111111.pre-merge.00000002", "github:o:r:staging-promoted-1.0.0"]);
  });
});
