import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { describeArtifactStoreContract, HOSTILE_PATHS } from "../../test/contract/artifact-store-contract.js";
import { DiskArtifactStore } from "./disk-artifact-store.js";

describeArtifactStoreContract(
  "disk",
  async () => {
    const root = await mkdtemp(join(tmpdir(), "eve-test-artifacts-"));
    const store = await new DiskArtifactStore(root).init();
    return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  { largeBytes: 210 * 1024 * 1024 },
);

describe("DiskArtifactStore", () => {
  const withStore = async (test: (store: DiskArtifactStore, outer: string) => Promise<void>): Promise<void> => {
    const outer = await mkdtemp(join(tmpdir(), "eve-test-artifacts-outer-"));
    try {
      await test(await new DiskArtifactStore(join(outer, "store")).init(), outer);
    } finally {
      await rm(outer, { recursive: true, force: true });
    }
  };

  it("stores identical content once, shared by containers and by promoted copies", async () => {
    await withStore(async (store) => {
      await store.ensureContainer("github:o:r:one", { expiresAt: null });
      await store.ensureContainer("github:o:r:two", { expiresAt: null });

      await store.putFile("github:o:r:one", "a.bin", Readable.from([Buffer.alloc(50_000, 7)]));
      await store.putFile("github:o:r:two", "b/c.bin", Readable.from([Buffer.alloc(50_000, 7)]));
      await store.copyContainer("github:o:r:one", "github:o:r:promoted-1", { expiresAt: null });

      const inodes = await Promise.all([
        stat(join(store.filesDir("github:o:r:one"), "a.bin")),
        stat(join(store.filesDir("github:o:r:two"), "b/c.bin")),
        stat(join(store.filesDir("github:o:r:promoted-1"), "a.bin")),
      ]);
      expect(new Set(inodes.map((s) => s.ino)).size).toBe(1);
      expect(inodes[0]?.nlink).toBe(4); // the blob's own name + three files
      expect((inodes[0]?.mode ?? 0) & 0o222).toBe(0); // nobody edits every copy at once by mistake
    });
  });

  it("stores unique content apart from the blobs, one link each", async () => {
    await withStore(async (store) => {
      await store.ensureContainer("github:o:r:one", { expiresAt: null });
      await store.putFile("github:o:r:one", "shared", Readable.from([Buffer.from("log text")]));

      await store.putFile("github:o:r:one", "unique", Readable.from([Buffer.from("log text")]), { unique: true });
      await store.createContainer("github:o:r:two", { expiresAt: null }, [{ path: "segments/1.br", body: Buffer.from("log text"), unique: true }]);

      const [shared, unique, made] = await Promise.all([
        stat(join(store.filesDir("github:o:r:one"), "shared")),
        stat(join(store.filesDir("github:o:r:one"), "unique")),
        stat(join(store.filesDir("github:o:r:two"), "segments/1.br")),
      ]);
      expect(shared.nlink).toBe(2); // the blob's own name + the file
      expect([unique.nlink, made.nlink]).toEqual([1, 1]);
      expect(new Set([shared.ino, unique.ino, made.ino]).size).toBe(3);
    });
  });

  it("makes containers again once its tmp/ was removed under it", async () => {
    await withStore(async (store) => {
      await rm(join(store.root, "tmp"), { recursive: true });

      await store.createContainer("github:o:r:log", { expiresAt: null }, [{ path: "segments/1.br", body: Buffer.from("log text"), unique: true }]);
      await store.ensureContainer("github:o:r:upload", { expiresAt: null });

      expect(await readFile(join(store.filesDir("github:o:r:log"), "segments/1.br"), "utf8")).toBe("log text");
      expect(await store.getContainer("github:o:r:upload")).toMatchObject({ name: "github:o:r:upload" });
      expect(await readdir(join(store.root, "tmp"))).toEqual([]);
    });
  });

  it("does not share a blob that a crash left truncated", async () => {
    await withStore(async (store) => {
      await store.ensureContainer("github:o:r:before", { expiresAt: null });
      await store.ensureContainer("github:o:r:after", { expiresAt: null });
      await store.putFile("github:o:r:before", "f", Readable.from([Buffer.from("the full content")]));
      // What ext4 may leave after a power loss: the name is there, the data is not.
      await truncate(join(store.filesDir("github:o:r:before"), "f"), 0);

      const info = await store.putFile("github:o:r:after", "f", Readable.from([Buffer.from("the full content")]));
      const again = await store.putFile("github:o:r:after", "g", Readable.from([Buffer.from("the full content")]));

      expect(info.size).toBe(16);
      expect(await readFile(join(store.filesDir("github:o:r:after"), "f"), "utf8")).toBe("the full content");
      expect(again.etag).toBe(info.etag); // the repaired blob is shared again
    });
  });

  it("loses no data when gc runs while the same content is stored and its other copies deleted", async () => {
    await withStore(async (store) => {
      const content = Buffer.alloc(30_000, 9);
      await store.ensureContainer("github:o:r:live", { expiresAt: null });
      let collecting = true;
      const collector = (async () => {
        let passes = 0;
        while (collecting || passes === 0) {
          await store.gc(new Date("2100-01-01T00:00:00Z"));
          passes += 1;
        }
        return passes;
      })();

      try {
        for (let round = 0; round < 8; round++) {
          // A container holding the content expires (gc deletes it) while the live one stores it again.
          await store.ensureContainer(`github:o:r:old-${round}`, { expiresAt: "2000-01-01T00:00:00.000Z" });
          await store.putFile(`github:o:r:old-${round}`, "same", Readable.from([content])).catch(() => {}); // may be collected already
          await Promise.all(Array.from({ length: 5 }, (_, i) => store.putFile("github:o:r:live", `r${round}/f${i}`, Readable.from([content]))));
        }
      } finally {
        collecting = false;
      }
      const passes = await collector;

      const files: string[] = [];
      for await (const file of store.listFiles("github:o:r:live")) {
        files.push(file.path);
        expect(await readFile(join(store.filesDir("github:o:r:live"), file.path))).toEqual(content);
      }
      expect(files).toHaveLength(40);
      expect(passes).toBeGreaterThan(0);
    });
  });

  it("gc removes blobs no container refers to and keeps the rest", async () => {
    await withStore(async (store) => {
      await store.ensureContainer("github:o:r:old", { expiresAt: "2000-01-01T00:00:00.000Z" });
      await store.ensureContainer("github:o:r:new", { expiresAt: null });
      await store.putFile("github:o:r:old", "gone", Readable.from([Buffer.from("only in old")]));
      await store.putFile("github:o:r:old", "kept", Readable.from([Buffer.from("in both")]));
      await store.putFile("github:o:r:new", "kept", Readable.from([Buffer.from("in both")]));

      const report = await store.gc(new Date("2026-01-01T00:00:00Z"));

      expect(report).toEqual({ containersDeleted: ["github:o:r:old"], objectsDeleted: 1 });
      const shards = await readdir(join(store.root, "blobs"));
      let blobs = 0;
      for (const shard of shards) blobs += (await readdir(join(store.root, "blobs", shard))).length;
      expect(blobs).toBe(1);
    });
  });

  it("never writes outside its root, whatever the names", async () => {
    await withStore(async (store, outer) => {
      await store.ensureContainer("github:o:r:c", { expiresAt: null });
      await writeFile(join(outer, "sentinel"), "untouched");

      for (const [path] of HOSTILE_PATHS) await store.putFile("github:o:r:c", path, Readable.from([Buffer.from("x")])).catch(() => {});
      for (const name of ["..", "../escape", "/tmp/x"]) await store.ensureContainer(name, { expiresAt: null }).catch(() => {});

      expect((await readdir(outer)).sort()).toEqual(["sentinel", "store"]);
      expect((await readdir(store.root)).sort()).toEqual(["blobs", "containers", "tmp", "trash"]);
      expect(await readdir(join(store.root, "containers"))).toEqual(["github:o:r:c"]);
      expect(await readdir(store.filesDir("github:o:r:c"))).toEqual([]);
    });
  });

  it("lists and collects around a container whose metadata was damaged, and names it when asked", async () => {
    await withStore(async (store) => {
      await store.ensureContainer("github:o:r:damaged", { expiresAt: "2000-01-01T00:00:00.000Z" });
      await store.ensureContainer("github:o:r:expired", { expiresAt: "2000-01-01T00:00:00.000Z" });
      await writeFile(join(store.root, "containers", "github:o:r:damaged", "meta.json"), "{ truncated");

      const report = await store.gc(new Date("2026-01-01T00:00:00Z"));

      expect(report.containersDeleted).toEqual(["github:o:r:expired"]);
      await expect(store.getContainer("github:o:r:damaged")).rejects.toThrow("github:o:r:damaged: its metadata is not JSON");
    });
  });

  it("refuses a file where a folder is, and a folder where a file is", async () => {
    await withStore(async (store) => {
      await store.ensureContainer("github:o:r:c", { expiresAt: null });
      await store.putFile("github:o:r:c", "dir/file", Readable.from([Buffer.from("x")]));

      await expect(store.putFile("github:o:r:c", "dir", Readable.from([Buffer.from("y")]))).rejects.toThrow(/is a folder/);
      await expect(store.putFile("github:o:r:c", "dir/file/under", Readable.from([Buffer.from("y")]))).rejects.toThrow(/is a file/);
      expect(await readdir(join(store.root, "tmp"))).toEqual([]);
    });
  });
});
