import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack, type Header } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DiskArtifactStore } from "../../artifacts/disk-artifact-store.js";
import { openArtifactUpload } from "../../artifacts/open-artifact-upload.js";
import { createUploadTarReader, readEntryName } from "./read-upload-tar.js";

const NO_LIMIT = { maxBytes: Infinity, maxFiles: Infinity };
let root: string;
let store: DiskArtifactStore;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "eve-tar-reader-"));
  store = await new DiskArtifactStore(join(root, "store")).init();
  await store.ensureContainer("c", { expiresAt: null });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

type Entry = Partial<Header> & { name: string; body?: string };

/** A tar stream as an untrusted worker could send it. */
async function craft(entries: Entry[], options: { truncate?: number } = {}): Promise<Buffer> {
  const archive = pack();
  for (const { body, ...header } of entries) archive.entry(header, body ?? "");
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  const whole = Buffer.concat(chunks);
  return options.truncate === undefined ? whole : whole.subarray(0, options.truncate);
}

async function read(archive: Buffer) {
  const upload = await openArtifactUpload(store, "c", { step: NO_LIMIT, build: NO_LIMIT });
  const lines: string[] = [];
  const reader = createUploadTarReader({ put: (path, body) => upload.put(path, body), read: async (path) => (await store.readFile("c", path)).body }, (line) => lines.push(line));
  // In small chunks, as an exec delivers them.
  for (let offset = 0; offset < archive.length; offset += 700) await reader.write(archive.subarray(offset, offset + 700));
  const report = await reader.end();
  const files: Record<string, string> = {};
  for await (const file of store.listFiles("c")) files[file.path] = (await new Response((await store.readFile("c", file.path)).body as unknown as ReadableStream).text());
  return { report, lines, files };
}

describe("createUploadTarReader", () => {
  it("stores regular files and skips directories", async () => {
    const { report, files } = await read(await craft([{ name: "./", type: "directory" }, { name: "./a/", type: "directory" }, { name: "./a/b c.txt", body: "hello" }, { name: ".hidden", body: "h" }]));

    expect(files).toEqual({ "a/b c.txt": "hello", ".hidden": "h" });
    expect(report).toEqual({ stored: ["a/b c.txt", ".hidden"], bytes: 6, hostile: 0 });
  });

  it.each([
    ["an absolute name", "/etc/passwd", "the name is absolute"],
    ["a .. segment", "a/../../escape", "the name has a '..' segment"],
    ["a leading ..", "../x", "the name has a '..' segment"],
  ])("refuses %s and counts it hostile, storing nothing of it", async (_, name, why) => {
    const { report, lines, files } = await read(await craft([{ name: "ok", body: "1" }, { name, body: "evil" }, { name: "after", body: "2" }]));

    expect(files).toEqual({ ok: "1", after: "2" });
    expect(report.hostile).toBe(1);
    expect(lines).toEqual([`Refused ${JSON.stringify(name)}: ${why}`]);
  });

  it("fails the whole archive on a name with a NUL (a pax path can carry one)", async () => {
    await expect(read(await craft([{ name: "x", pax: { path: "a\u0000/../../b" }, body: "evil" }]))).rejects.toThrow("the worker sent a malformed archive: Invalid tar header: pax path contains a null byte");
    expect(readEntryName("a\u0000b", false)).toEqual({ hostile: "the name contains a NUL" });
  });

  it("refuses links, devices and fifos with a line each, and stores a hard link to a stored file again", async () => {
    const { report, lines, files } = await read(
      await craft([
        { name: "f", body: "data" },
        { name: "hard", type: "link", linkname: "f" },
        { name: "hard-out", type: "link", linkname: "/etc/shadow" },
        { name: "soft", type: "symlink", linkname: "/etc/passwd" },
        { name: "fifo", type: "fifo" },
        { name: "dev", type: "character-device", devmajor: 1, devminor: 3 },
      ]),
    );

    expect(files).toEqual({ f: "data", hard: "data" });
    expect(report.hostile).toBe(0);
    expect(lines).toEqual([
      'Refused "hard-out": a hard link to "/etc/shadow", which is not a file of this upload',
      'Refused "soft": a symbolic link to "/etc/passwd", not followed',
      'Refused "fifo": not a regular file (fifo)',
      'Refused "dev": not a regular file (character-device)',
    ]);
  });

  it("refuses names the store does not keep, and goes on", async () => {
    const { lines, files } = await read(await craft([{ name: "back\\slash", body: "x" }, { name: "ok", body: "y" }]));

    expect(files).toEqual({ ok: "y" });
    expect(lines[0]).toMatch(/^Refused "back\\\\slash": .*backslash/);
  });

  it("fails on a truncated archive", async () => {
    const archive = await craft([{ name: "big", body: "x".repeat(5000) }], { truncate: 2048 });

    await expect(read(archive)).rejects.toThrow("the worker sent a malformed archive");
  });

  it("reads concatenated archives (one per batch of files, as the worker's find -exec tar writes them)", async () => {
    const archive = Buffer.concat([await craft([{ name: "a", body: "1" }]), await craft([{ name: "b", body: "2" }])]);

    expect((await read(archive)).files).toEqual({ a: "1", b: "2" });
  });
});

describe("readEntryName", () => {
  it.each([
    ["./a/b", false, { path: "a/b" }],
    ["././a", false, { path: "a" }],
    ["./", true, { path: "" }],
    ["a/./b", false, { path: "a/b" }],
    ["dir/", true, { path: "dir" }],
  ])("%s → %j", (raw, directory, expected) => {
    expect(readEntryName(raw, directory)).toEqual(expected);
  });
});
