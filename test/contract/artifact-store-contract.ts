/**
 * What every ArtifactStore must do, run against each implementation (BullMQ adapter-conformance
 * style): `describeArtifactStoreContract("disk", factory)`. Each test gets a fresh store.
 */
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ArtifactExistsError, ArtifactLimitError, ArtifactNameError, ArtifactNotFoundError, ArtifactRangeError } from "../../src/artifacts/artifact-errors.js";
import type { ArtifactStore, FileInfo, NewContainer } from "../../src/artifacts/artifact-store.js";
import { openArtifactUpload } from "../../src/artifacts/open-artifact-upload.js";

export interface StoreUnderTest {
  store: ArtifactStore;
  /** Removes what the test created. */
  cleanup(): Promise<void>;
}

const BUILD = "github:scality:ring:staging-1.2.3.r201231235959.abcdef1234.pre-merge.00000042";
const LATER = { expiresAt: "2099-01-01T00:00:00.000Z" } satisfies NewContainer;
const NO_LIMIT = { maxBytes: Number.POSITIVE_INFINITY, maxFiles: Number.POSITIVE_INFINITY };

/** Hostile paths every store refuses, with a word of the message it must give. */
export const HOSTILE_PATHS: Array<[string, string]> = [
  ["", "empty"],
  ["/etc/passwd", "absolute"],
  ["../escape", "'..'"],
  ["a/../../escape", "'..'"],
  ["a/./b", "'.'"],
  ["..", "'..'"],
  ["%2e%2e/escape", "'%2e%2e'"],
  ["a/%2E%2e/b", "'%2E%2e'"],
  ["%252e%252e/x", "'%252e%252e'"],
  ["a//b", "empty segment"],
  ["a/", "empty segment"],
  ["nul\u0000byte", "control character"],
  ["line\nbreak", "control character"],
  ["..\\..\\windows", "backslash"],
  [`${"x".repeat(256)}/y`, "longer than 255"],
  ["a/".repeat(600) + "b", "longer than 1024"],
];

export const HOSTILE_CONTAINERS = ["", "../x", "a/b", "a..b", ".hidden", "-flag", "a b", "a\u0000b", "x".repeat(256)];

export function describeArtifactStoreContract(kind: string, createStore: () => Promise<StoreUnderTest>, options: { largeBytes?: number } = {}): void {
  describe(`ArtifactStore contract: ${kind}`, () => {
    let current: StoreUnderTest | undefined;
    const fresh = async (): Promise<ArtifactStore> => {
      current = await createStore();
      return current.store;
    };
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    describe("containers", () => {
      it("creates a container once, with its metadata, however many stages ask at once", async () => {
        const store = await fresh();

        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.ensureContainer(BUILD, { ...LATER, buildId: `b${i}`, stage: "pre-merge", commit: "abcdef1234" })),
        );

        const winner = results[0];
        expect(new Set(results.map((r) => r.buildId)).size).toBe(1);
        expect(winner).toMatchObject({ name: BUILD, kind: "artifacts", untrusted: false, stage: "pre-merge", expiresAt: LATER.expiresAt });
        expect(Date.parse(winner?.createdAt ?? "")).toBeGreaterThan(0);
        expect(await store.getContainer(BUILD)).toEqual(winner);
      });

      it("updates metadata and lists containers by prefix (last_success lookups)", async () => {
        const store = await fresh();
        await store.ensureContainer("github:o:r:staging-1.0.0.r1.aaa.pre-merge.00000001", LATER);
        await store.ensureContainer("github:o:r:staging-1.0.0.r1.aaa.pre-merge.00000002", { ...LATER, untrusted: true });
        await store.ensureContainer("github:o:other:staging-1.0.0.r1.aaa.pre-merge.00000003", LATER);

        const updated = await store.updateContainer("github:o:r:staging-1.0.0.r1.aaa.pre-merge.00000001", { result: "success", properties: { tag: "x" } });
        const listed: Array<[string, string | undefined, boolean]> = [];
        for await (const c of store.listContainers("github:o:r:staging-1.0.0.r1.aaa.pre-merge.")) listed.push([c.name, c.result, c.untrusted]);

        expect(updated).toMatchObject({ result: "success", properties: { tag: "x" }, expiresAt: LATER.expiresAt });
        expect(listed.sort()).toEqual([
          ["github:o:r:staging-1.0.0.r1.aaa.pre-merge.00000001", "success", false],
          ["github:o:r:staging-1.0.0.r1.aaa.pre-merge.00000002", undefined, true],
        ]);
        await expect(store.updateContainer("github:o:r:missing", { result: "success" })).rejects.toThrow(ArtifactNotFoundError);
        expect(await store.getContainer("github:o:r:missing")).toBeUndefined();
      });

      it.each(HOSTILE_CONTAINERS)("refuses the container name %j", async (name) => {
        const store = await fresh();

        await expect(store.ensureContainer(name, LATER)).rejects.toThrow(ArtifactNameError);
        await expect(store.getContainer(name)).rejects.toThrow(ArtifactNameError);
        await expect(store.putFile(name, "f", Readable.from([Buffer.from("x")]))).rejects.toThrow(ArtifactNameError);
      });

      it("creates a container whole with small files, sharing content like putFile, and never over an existing one", async () => {
        const store = await fresh();
        await store.ensureContainer("github:o:r:other", LATER);
        const shared = await store.putFile("github:o:r:other", "x", body("segment text"));

        const created = await store.createContainer(BUILD, { ...LATER, kind: "logs", properties: { run: "r1" } }, [
          { path: "segments/0001.br", body: Buffer.from("segment text") },
          { path: "manifest.json", body: Buffer.from("{}") },
          { path: "empty", body: Buffer.alloc(0) },
        ]);

        expect(created).toMatchObject({ name: BUILD, kind: "logs", untrusted: false, expiresAt: LATER.expiresAt, properties: { run: "r1" } });
        expect(await store.getContainer(BUILD)).toEqual(created);
        expect((await readAll(store, "segments/0001.br")).toString()).toBe("segment text");
        expect((await readAll(store, "manifest.json")).toString()).toBe("{}");
        expect(await readAll(store, "empty")).toEqual(Buffer.alloc(0));
        expect((await store.statFile(BUILD, "segments/0001.br"))?.etag).toBe(shared.etag);
        await expect(store.createContainer(BUILD, LATER, [{ path: "manifest.json", body: Buffer.from("other") }])).rejects.toThrow(ArtifactExistsError);
        expect((await readAll(store, "manifest.json")).toString()).toBe("{}");
        await expect(store.createContainer("github:o:r:new", LATER, [{ path: "../escape", body: Buffer.from("x") }])).rejects.toThrow(ArtifactNameError);
        expect(await store.getContainer("github:o:r:new")).toBeUndefined();
      });

      it("deletes a container and its files; deleting again is a no-op", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        await store.putFile(BUILD, "a/b.txt", body("hello"));

        await store.deleteContainer(BUILD);
        await store.deleteContainer(BUILD);

        expect(await store.getContainer(BUILD)).toBeUndefined();
        expect(await store.statFile(BUILD, "a/b.txt")).toBeUndefined();
        await expect(store.putFile(BUILD, "c", body("x"))).rejects.toThrow(ArtifactNotFoundError);
      });
    });

    describe("files", () => {
      it("round-trips text, binary and empty files, and replaces a file in place", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        const binary = randomBytes(1024 * 1024 + 17);

        await store.putFile(BUILD, ".final_status", body("SUCCESSFUL"));
        const binaryInfo = await store.putFile(BUILD, "bin/all bytes.bin", Readable.from(chunks(binary, 65_536)));
        await store.putFile(BUILD, "empty", body(""));
        await store.putFile(BUILD, "replaced.txt", body("first"));
        await store.putFile(BUILD, "replaced.txt", body("second, longer"));

        expect(await readAll(store, ".final_status")).toEqual(Buffer.from("SUCCESSFUL"));
        expect((await readAll(store, "bin/all bytes.bin")).equals(binary)).toBe(true);
        expect(await readAll(store, "empty")).toEqual(Buffer.alloc(0));
        expect((await readAll(store, "replaced.txt")).toString()).toBe("second, longer");
        expect(binaryInfo).toMatchObject({ path: "bin/all bytes.bin", size: binary.length });
        expect(await store.statFile(BUILD, "bin/all bytes.bin")).toMatchObject({ size: binary.length, etag: binaryInfo.etag });
        expect(await store.statFile(BUILD, "missing")).toBeUndefined();
        await expect(store.readFile(BUILD, "missing")).rejects.toThrow(ArtifactNotFoundError);
      });

      it("gives the same etag to the same content and another to other content", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);

        const a = await store.putFile(BUILD, "a", body("same"));
        const b = await store.putFile(BUILD, "b", body("same"));
        const c = await store.putFile(BUILD, "c", body("different"));

        expect(a.etag).toBe(b.etag);
        expect(c.etag).not.toBe(a.etag);
        expect(a.mtime).toBeInstanceOf(Date);
      });

      it("reads byte ranges, inclusive as in HTTP, and refuses one past the end", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        await store.putFile(BUILD, "digits", body("0123456789"));

        const middle = await store.readFile(BUILD, "digits", { start: 2, end: 5 });
        const tail = await store.readFile(BUILD, "digits", { start: 7 });
        const clamped = await store.readFile(BUILD, "digits", { start: 8, end: 100 });

        expect((await collect(middle.body)).toString()).toBe("2345");
        expect(middle.info.size).toBe(10);
        expect((await collect(tail.body)).toString()).toBe("789");
        expect((await collect(clamped.body)).toString()).toBe("89");
        await expect(store.readFile(BUILD, "digits", { start: 10 })).rejects.toThrow(ArtifactRangeError);
      });

      it("lists files recursively and by folder: spaces, unicode and hidden files, sorted by path", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        const paths = [".hidden", "dir with space/file one.txt", "dir with space/.dot/inner", "ünïcödé/日本語.txt", "a/b/c/deep", "a/b-sibling", "z"];
        for (const path of paths) await store.putFile(BUILD, path, body(path));

        const all = await listPaths(store.listFiles(BUILD));
        const underDir = await listPaths(store.listFiles(BUILD, "dir with space/"));
        const underA = await listPaths(store.listFiles(BUILD, "a"));
        const top = await store.listFolder(BUILD, "");
        const nested = await store.listFolder(BUILD, "dir with space");

        expect(all).toEqual([".hidden", "a/b-sibling", "a/b/c/deep", "dir with space/.dot/inner", "dir with space/file one.txt", "z", "ünïcödé/日本語.txt"]);
        expect(underDir).toEqual(["dir with space/.dot/inner", "dir with space/file one.txt"]);
        expect(underA).toEqual(["a/b-sibling", "a/b/c/deep"]);
        expect(top.folders).toEqual(["a", "dir with space", "ünïcödé"]);
        expect(top.files.map((f) => [f.path, f.size])).toEqual([[".hidden", 7], ["z", 1]]);
        expect(nested).toMatchObject({ folders: [".dot"], files: [{ path: "dir with space/file one.txt", size: 27 }] });
        expect(await store.listFolder(BUILD, "absent")).toEqual({ folders: [], files: [] });
        expect(await listPaths(store.listFiles(BUILD, "absent/"))).toEqual([]);
      });

      it.each(HOSTILE_PATHS)("refuses the path %j with a clear error", async (path, word) => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);

        await expect(store.putFile(BUILD, path, body("x"))).rejects.toThrow(word);
        await expect(store.putFile(BUILD, path, body("x"))).rejects.toThrow(ArtifactNameError);
        await expect(store.readFile(BUILD, path)).rejects.toThrow(ArtifactNameError);
        await expect(store.statFile(BUILD, path)).rejects.toThrow(ArtifactNameError);
        await expect(store.deleteFile(BUILD, path)).rejects.toThrow(ArtifactNameError);
        expect(await listPaths(store.listFiles(BUILD))).toEqual([]);
      });

      it("refuses hostile listing prefixes", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);

        await expect(store.listFolder(BUILD, "../")).rejects.toThrow(ArtifactNameError);
        await expect(listPaths(store.listFiles(BUILD, "a/%2e%2e/"))).rejects.toThrow(ArtifactNameError);
      });

      it("lists nothing of a file that failed: over maxBytes, aborted, or a broken stream", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        const abort = new AbortController();

        const tooBig = Readable.from(chunks(Buffer.alloc(300_000), 65_536));
        await expect(store.putFile(BUILD, "too big", tooBig, { maxBytes: 200_000 })).rejects.toThrow(ArtifactLimitError);
        const tooBigStreamed = Readable.from(chunks(Buffer.alloc(3 * 1024 * 1024), 65_536));
        await expect(store.putFile(BUILD, "too big, streamed", tooBigStreamed, { maxBytes: 2 * 1024 * 1024 })).rejects.toThrow(ArtifactLimitError);
        const aborted = store.putFile(BUILD, "aborted", endless(() => abort.abort()), { signal: abort.signal });
        await expect(aborted).rejects.toThrow();
        await expect(store.putFile(BUILD, "broken", broken())).rejects.toThrow("worker went away");
        const exact = await store.putFile(BUILD, "exactly at the limit", body("12345"), { maxBytes: 5 });

        expect(await listPaths(store.listFiles(BUILD))).toEqual(["exactly at the limit"]);
        expect(exact.size).toBe(5);
        expect(tooBig.destroyed && tooBigStreamed.destroyed).toBe(true); // the rest of the source is not left hanging
      });

      it("takes many writers into one container at once", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        const contents = Array.from({ length: 24 }, (_, i) => randomBytes(10_000 + i * 997));

        await Promise.all(contents.map((content, i) => store.putFile(BUILD, `stage-${i % 3}/file-${i}.bin`, Readable.from(chunks(content, 4096)))));
        await Promise.all(contents.map((_, i) => store.putFile(BUILD, "shared/same-path", body(`writer ${i}`))));

        const listed = await listPaths(store.listFiles(BUILD));
        expect(listed).toHaveLength(25);
        for (const [i, content] of contents.entries()) expect((await readAll(store, `stage-${i % 3}/file-${i}.bin`)).equals(content)).toBe(true);
        expect((await readAll(store, "shared/same-path")).toString()).toMatch(/^writer \d+$/);
      });

      it("deletes one file; deleting a missing one is a no-op", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        await store.putFile(BUILD, "a/keep", body("k"));
        await store.putFile(BUILD, "a/drop", body("d"));

        await store.deleteFile(BUILD, "a/drop");
        await store.deleteFile(BUILD, "a/drop");

        expect(await listPaths(store.listFiles(BUILD))).toEqual(["a/keep"]);
      });
    });

    describe("limits and rollback (openArtifactUpload)", () => {
      it("stops a step at its file and byte limits and rolls it back, leaving earlier steps' files", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        await store.putFile(BUILD, "earlier-step.txt", body("kept"));
        const upload = await openArtifactUpload(store, BUILD, { step: { maxBytes: 10, maxFiles: 2 }, build: NO_LIMIT });

        await upload.put("one", body("12345"));
        await expect(upload.put("two", body("123456"))).rejects.toThrow(/step's limit of 10 bytes/);
        await upload.put("two", body("123"));
        await expect(upload.put("three", body("1"))).rejects.toThrow(/step's limit of 2 files/);
        const before = await listPaths(store.listFiles(BUILD));
        await upload.rollback();

        expect(before).toEqual(["earlier-step.txt", "one", "two"]);
        expect(await listPaths(store.listFiles(BUILD))).toEqual(["earlier-step.txt"]);
      });

      it("counts what the build's container already holds against the build's limits", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        await store.putFile(BUILD, "from-another-stage", body("x".repeat(90)));
        const bytesUpload = await openArtifactUpload(store, BUILD, { step: NO_LIMIT, build: { maxBytes: 100, maxFiles: 10 } });
        const filesUpload = await openArtifactUpload(store, BUILD, { step: NO_LIMIT, build: { maxBytes: 1000, maxFiles: 1 } });

        await expect(bytesUpload.put("big", body("y".repeat(11)))).rejects.toThrow(/build's limit of 100 bytes/);
        await bytesUpload.put("small", body("y".repeat(10)));
        await expect(filesUpload.put("second", body("z"))).rejects.toThrow(/build's limit of 1 files/);

        expect(await listPaths(store.listFiles(BUILD))).toEqual(["from-another-stage", "small"]);
        expect(bytesUpload.bytes).toBe(10);
      });
    });

    describe("copy (promote) and retention", () => {
      it("copies a container whole, and the copy outlives its source's expiry and gc", async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, { expiresAt: "2020-01-01T00:00:00.000Z", result: "success" });
        const big = randomBytes(200_000);
        await store.putFile(BUILD, "pkg/installer.bin", Readable.from(chunks(big, 65_536)));
        await store.putFile(BUILD, ".final_status", body("SUCCESSFUL"));
        for (let i = 0; i < 30; i++) await store.putFile(BUILD, `reports/${String(i).padStart(2, "0")}.xml`, body(`<report ${i}/>`));

        const copy = await store.copyContainer(BUILD, "github:scality:ring:staging-promoted-1.2.3", { expiresAt: null, promotedFrom: BUILD });
        await expect(store.copyContainer(BUILD, "github:scality:ring:staging-promoted-1.2.3", { expiresAt: null })).rejects.toThrow(ArtifactExistsError);
        await expect(store.copyContainer("github:o:r:missing", "github:o:r:other", { expiresAt: null })).rejects.toThrow(ArtifactNotFoundError);
        const report = await store.gc(new Date("2021-01-01T00:00:00Z"));

        expect(copy).toMatchObject({ expiresAt: null, promotedFrom: BUILD });
        expect(report.containersDeleted).toEqual([BUILD]);
        expect(await store.getContainer(BUILD)).toBeUndefined();
        expect(await listPaths(store.listFiles(copy.name))).toEqual([
          ".final_status",
          "pkg/installer.bin",
          ...Array.from({ length: 30 }, (_, i) => `reports/${String(i).padStart(2, "0")}.xml`),
        ].sort());
        expect((await readAll(store, "reports/29.xml", copy.name)).toString()).toBe("<report 29/>");
        expect((await readAll(store, "pkg/installer.bin", copy.name)).equals(big)).toBe(true);
      });

      it("keeps unique content (log segments) whole through gc, and deletes it with its container", async () => {
        const store = await fresh();
        await store.ensureContainer("github:o:r:live", LATER);
        await store.ensureContainer("github:o:r:gone", LATER);
        await store.putFile("github:o:r:live", "put", body("log text"), { unique: true });
        await store.createContainer("github:o:r:made", LATER, [{ path: "segments/1.br", body: Buffer.from("log text"), unique: true }]);
        await store.putFile("github:o:r:gone", "put", body("log text"), { unique: true });

        await store.deleteContainer("github:o:r:gone");
        await store.gc(new Date("2026-12-06T12:00:00Z"));

        expect((await readAll(store, "put", "github:o:r:live")).toString()).toBe("log text");
        expect((await readAll(store, "segments/1.br", "github:o:r:made")).toString()).toBe("log text");
        expect(await store.statFile("github:o:r:gone", "put")).toBeUndefined();
      });

      it("collects expired containers only, and then what nothing references", async () => {
        const store = await fresh();
        const now = new Date("2026-12-06T12:00:00Z");
        await store.ensureContainer("github:o:r:expired", { expiresAt: "2026-12-06T11:59:59.000Z" });
        await store.ensureContainer("github:o:r:expires-now", { expiresAt: now.toISOString() });
        await store.ensureContainer("github:o:r:live", { expiresAt: "2026-12-06T12:00:01.000Z" });
        await store.ensureContainer("github:o:r:forever", { expiresAt: null });
        for (const name of ["github:o:r:expired", "github:o:r:live"]) await store.putFile(name, "shared-content", body("same bytes"));
        await store.putFile("github:o:r:expired", "only-here", body("unique bytes"));

        const report = await store.gc(now);
        const second = await store.gc(now);

        expect(report.containersDeleted.sort()).toEqual(["github:o:r:expired", "github:o:r:expires-now"]);
        expect(second).toEqual({ containersDeleted: [], objectsDeleted: 0 });
        expect((await readAll(store, "shared-content", "github:o:r:live")).toString()).toBe("same bytes");
        expect(await store.getContainer("github:o:r:forever")).toMatchObject({ expiresAt: null });
      });
    });

    if (options.largeBytes !== undefined) {
      const largeBytes = options.largeBytes;
      it(`streams a ${Math.round(largeBytes / 1e6)} MB file in and out with flat memory`, async () => {
        const store = await fresh();
        await store.ensureContainer(BUILD, LATER);
        const written = createHash("sha256");
        const memory = sampleMemory();

        const info = await store.putFile(BUILD, "large/image.iso", pseudoRandom(largeBytes, (chunk) => written.update(chunk)));
        const read = createHash("sha256");
        for await (const chunk of (await store.readFile(BUILD, "large/image.iso")).body) read.update(chunk as Buffer);
        const peakGrowth = memory.stop();

        expect(info.size).toBe(largeBytes);
        expect(await store.statFile(BUILD, "large/image.iso")).toMatchObject({ size: largeBytes, etag: info.etag });
        expect(read.digest("hex")).toBe(written.digest("hex"));
        // The file is > 200 MB; a store holding it whole would grow by all of it. Measured: ~32 MiB on
        // disk, 50–70 MiB on S3 (parts in flight plus buffers the collector has not reclaimed yet).
        expect(peakGrowth).toBeLessThan(128 * 1024 * 1024);
        console.info(`[artifact-store ${kind}] ${largeBytes} bytes round trip, peak memory growth ${(peakGrowth / 1048576).toFixed(1)} MiB`);
      }, 300_000);
    }
  });
}

function body(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

function* chunks(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}

/** A stream that never ends by itself; `onStarted` is called once data flows. */
async function* endless(onStarted: () => void): AsyncGenerator<Buffer> {
  for (let i = 0; ; i++) {
    if (i === 4) onStarted();
    yield Buffer.alloc(65_536, i);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function* broken(): AsyncGenerator<Buffer> {
  yield Buffer.alloc(100_000, 1);
  throw new Error("worker went away");
}

/** Fresh bytes chunk by chunk (as a tar stream delivers them), never the whole file at once. */
async function* pseudoRandom(total: number, onChunk: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  const seed = randomBytes(1024 * 1024);
  for (let sent = 0, i = 0; sent < total; i++) {
    const chunk = Buffer.from(seed.subarray(0, Math.min(seed.length, total - sent)));
    chunk.writeUInt32LE(i, 0); // no two chunks alike: a store may not get away with deduplicating chunks
    onChunk(chunk);
    sent += chunk.length;
    yield chunk;
  }
}

function sampleMemory(): { stop(): number } {
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const baseline = used();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, used()) - baseline;
    },
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function readAll(store: ArtifactStore, path: string, container = BUILD): Promise<Buffer> {
  return collect((await store.readFile(container, path)).body);
}

async function listPaths(files: AsyncIterable<FileInfo>): Promise<string[]> {
  const paths: string[] = [];
  for await (const file of files) paths.push(file.path);
  return paths;
}
