import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createArtifactStore, getArtifactsExpiry } from "./create-artifact-store.js";
import { DiskArtifactStore } from "./disk-artifact-store.js";
import { S3ArtifactStore } from "./s3-artifact-store.js";

const s3 = { endpoint: "http://127.0.0.1:1", bucket: "b", region: "us-east-1", credentials: undefined, keyPrefix: "", forcePathStyle: true };

describe("createArtifactStore", () => {
  it("makes the disk store by default, its folders created", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "eve-test-artifacts-")), "nested", "store");
    try {
      const store = await createArtifactStore({ store: "disk", dir, s3 });

      expect(store).toBeInstanceOf(DiskArtifactStore);
      expect((await readdir(dir)).sort()).toEqual(["blobs", "containers", "tmp", "trash"]);
    } finally {
      await rm(join(dir, "..", ".."), { recursive: true, force: true });
    }
  });

  it("makes the s3 store when asked", async () => {
    const store = await createArtifactStore({ store: "s3", dir: "/unused", s3 });

    expect(store).toBeInstanceOf(S3ArtifactStore);
    await store.close();
  });
});

describe("getArtifactsExpiry", () => {
  it("adds the retention days", () => {
    expect(getArtifactsExpiry(new Date("2026-12-06T12:00:00Z"), 14)).toBe("2026-12-20T12:00:00.000Z");
  });
});
