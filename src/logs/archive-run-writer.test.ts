import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { brotliDecompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ArtifactStore, ContainerFile, FileInfo, NewContainer, PutFileOptions } from "../artifacts/artifact-store.js";
import { DiskArtifactStore } from "../artifacts/disk-artifact-store.js";
import { ArchiveRunWriter } from "./archive-run-writer.js";
import { parseSegmentPath } from "./log-segments.js";

let dir: string;
let disk: DiskArtifactStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eve-archive-writer-"));
  disk = await new DiskArtifactStore(dir).init();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The disk store, with every putFile held until `open()`: a store slower than the producer. */
function gatedStore(): { store: ArtifactStore; open(): void; waiting(): number } {
  let opened = false;
  const held: (() => void)[] = [];
  const store = Object.create(disk) as ArtifactStore;
  store.putFile = async (container: string, path: string, body: Readable | AsyncIterable<Uint8Array>, options?: PutFileOptions): Promise<FileInfo> => {
    if (!opened) await new Promise<void>((resolve) => held.push(resolve));
    return disk.putFile(container, path, body, options);
  };
  return {
    store,
    open() {
      opened = true;
      for (const resolve of held.splice(0)) resolve();
    },
    waiting: () => held.length,
  };
}

describe("ArchiveRunWriter", () => {
  it("makes the producer wait once a segment is full and every compressor is busy, and loses nothing", async () => {
    const container = "log:writer-test";
    await disk.ensureContainer(container, { kind: "logs", expiresAt: null });
    const gate = gatedStore();
    const writer = new ArchiveRunWriter(gate.store, container, { exists: true, segments: [], newContainer: () => ({ kind: "logs", expiresAt: null }) }, { segmentBytes: 1000, segmentMs: 60_000, parallelSegments: 2, brotliQuality: 1 }, (error) => {
      throw error;
    });
    const chunk = (n: number) => Buffer.from(`${String(n).padStart(9, "0")}\n`.repeat(50)); // 500 bytes

    const pressure = [0, 1, 2, 3, 4, 5].map((n) => writer.write(chunk(n)));
    await expect.poll(gate.waiting).toBe(2);

    // Two segments stored at once; the third fills; the producer is asked to wait only then.
    expect(pressure.map((p) => p instanceof Promise)).toEqual([false, false, false, false, false, true]);
    let released = false;
    void (pressure[5] as Promise<void>).then(() => (released = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(false);
    gate.open();
    await pressure[5];
    await writer.flush();

    const stored: Buffer[] = [];
    const files: string[] = [];
    for await (const file of disk.listFiles(container)) files.push(file.path);
    for (const path of files) {
      const { body } = await disk.readFile(container, path);
      const parts: Buffer[] = [];
      for await (const part of body as AsyncIterable<Buffer>) parts.push(part);
      stored.push(brotliDecompressSync(Buffer.concat(parts)));
    }
    expect(files.map((path) => parseSegmentPath(path))).toEqual([
      { path: files[0], seq: 1, start: 0, bytes: 1000 },
      { path: files[1], seq: 2, start: 1000, bytes: 1000 },
      { path: files[2], seq: 3, start: 2000, bytes: 1000 },
    ]);
    expect(Buffer.concat(stored)).toEqual(Buffer.concat([0, 1, 2, 3, 4, 5].map(chunk)));
  });

  it("encodes text straight into its segments, whole across writes smaller and larger than a segment", async () => {
    const container = "log:writer-text";
    await disk.ensureContainer(container, { kind: "logs", expiresAt: null });
    const writer = new ArchiveRunWriter(disk, container, { exists: true, segments: [], newContainer: () => ({ kind: "logs", expiresAt: null }) }, { segmentBytes: 1000, segmentMs: 60_000, parallelSegments: 2, brotliQuality: 1 }, (error) => {
      throw error;
    });
    const texts = ["héllo\n".repeat(50), "ü€𝄞 wide\n".repeat(400), "x", "tail é\n".repeat(30)];

    for (const text of texts) await writer.writeText(text, Buffer.byteLength(text));
    await writer.write(Buffer.from("bytes too\n"));
    await writer.flush();

    const segments: { start: number; bytes: number; text: Buffer }[] = [];
    for await (const file of disk.listFiles(container)) {
      const { body } = await disk.readFile(container, file.path);
      const parts: Buffer[] = [];
      for await (const part of body as AsyncIterable<Buffer>) parts.push(part);
      const segment = parseSegmentPath(file.path);
      segments.push({ start: segment?.start ?? -1, bytes: segment?.bytes ?? -1, text: brotliDecompressSync(Buffer.concat(parts)) });
    }
    expect(Buffer.concat(segments.map((segment) => segment.text)).toString("utf8")).toBe(`${texts.join("")}bytes too\n`);
    expect(segments.every((segment, i) => segment.text.length === segment.bytes && segment.start === (i === 0 ? 0 : (segments[i - 1]?.start ?? 0) + (segments[i - 1]?.bytes ?? 0)))).toBe(true);
    expect(writer.storedBytes).toBe(Buffer.byteLength(`${texts.join("")}bytes too\n`));
  });

  it("fills the segments of a long log in a few buffers it reuses once their segments are compressed", async () => {
    const container = "log:writer-reuse";
    await disk.ensureContainer(container, { kind: "logs", expiresAt: null });
    const writer = new ArchiveRunWriter(disk, container, { exists: true, segments: [], newContainer: () => ({ kind: "logs", expiresAt: null }) }, { segmentBytes: 64 * 1024, segmentMs: 60_000, parallelSegments: 2, brotliQuality: 1 }, (error) => {
      throw error;
    });
    const line = "a line of build output, as a compiler would print it\n".repeat(200);
    const allocations = vi.spyOn(Buffer, "allocUnsafeSlow");

    for (let i = 0; i < 100; i++) await writer.writeText(line, line.length);
    await writer.flush();

    // ~16 segments of 64 KiB, in the first buffers' growth and at most a spare or two more.
    expect(writer.storedBytes).toBe(100 * line.length);
    expect(allocations.mock.calls.length).toBeLessThan(10);
    allocations.mockRestore();
  });

  it("stores each short segment in a buffer of its own size, not a slice of zlib's output chunk", async () => {
    // A fan-out writes thousands of short logs: a body that is a slice of a 64 KiB chunk keeps the
    // whole chunk alive until V8's next full collection.
    const container = "log:writer-short";
    const bodies: Buffer[] = [];
    const store = Object.create(disk) as ArtifactStore;
    store.createContainer = (name: string, metadata: NewContainer, files: readonly ContainerFile[]) => {
      bodies.push(...files.map((file) => file.body));
      return disk.createContainer(name, metadata, files);
    };
    const writer = new ArchiveRunWriter(store, container, { exists: false, segments: [], newContainer: () => ({ kind: "logs", expiresAt: null }) }, { segmentBytes: 1024 * 1024, segmentMs: 60_000, parallelSegments: 2, brotliQuality: 1 }, (error) => {
      throw error;
    });
    // Incompressible: Brotli's output is a little larger than its input.
    const text = Buffer.concat([Buffer.from("Queued\n"), randomBytes(20_000)]);

    await writer.write(text);
    await writer.flush();

    expect(bodies).toHaveLength(1);
    const body = bodies[0] as Buffer;
    expect(brotliDecompressSync(body)).toEqual(text);
    expect(body.buffer.byteLength).toBeLessThan(text.length + 1024);
  });
});
