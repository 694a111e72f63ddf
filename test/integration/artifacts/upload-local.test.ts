import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../helpers/engine-harness.js";
import { buildProperties, createArtifactsHarness, type ArtifactsHarness } from "../../helpers/artifacts-harness.js";

const container = buildProperties("top").artifacts_name as string;
let artifacts: ArtifactsHarness;
const workspace = createWorkspaceBase();

beforeEach(async () => {
  artifacts = await createArtifactsHarness();
});
afterEach(() => {
  artifacts.remove();
  expect(workspace.leftovers()).toEqual([]);
});
afterAll(() => workspace.cleanup());

async function listed(): Promise<Record<string, number>> {
  const files: Record<string, number> = {};
  for await (const file of artifacts.store.listFiles(container)) files[file.path] = file.size;
  return files;
}

async function sha256(stream: NodeJS.ReadableStream): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe("Upload from a local worker", () => {
  it("stores every file under source (nested, hidden, spaces, binary) and links the urls", async () => {
    const make = [
      "mkdir -p out/deep/er 'out/with space' out/.hidden",
      "echo SUCCESSFUL > out/.final_status",
      "printf 'x%.0s' $(seq 1 5000) > 'out/with space/a b.txt'",
      "head -c 300000 /dev/urandom > out/deep/er/blob.bin",
      "echo h > out/.hidden/h",
      ": > out/empty",
    ].join(" && ");
    const buildFile = buildFileOf({
      top: [
        ["ShellCommand", { command: make }],
        ["Upload", { source: "out", urls: [["status", ".final_status"], "deep/*/*.bin", ["text \\1", "with space/* b.txt"]] }],
      ],
    });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });

    expect(outcome.result).toBe("success");
    expect(await listed()).toEqual({ ".final_status": 11, ".hidden/h": 2, "deep/er/blob.bin": 300000, empty: 0, "with space/a b.txt": 5000 });
    const upload = outcome.steps[1];
    expect(upload?.links).toEqual([
      { name: "blob.bin", url: `http://eve.test/artifacts/builds/${container}/deep/er/blob.bin` },
      { name: "status", url: `http://eve.test/artifacts/builds/${container}/.final_status` },
      { name: "text a", url: `http://eve.test/artifacts/builds/${container}/with space/a b.txt` },
    ]);
    expect(upload?.artifacts).toEqual({ container, files: 5, bytes: 305013, url: `http://eve.test/artifacts/builds/${container}/` });
    expect(observer.log("top")).toContain(`Stored 5 files (298 KiB) in ${container}`);
  });

  it("keeps the bytes of a file exactly", async () => {
    const buildFile = buildFileOf({ top: [["ShellCommand", { command: "mkdir out && head -c 1000000 /dev/urandom > out/r.bin && sha256sum out/r.bin" }], ["Upload", { source: "out" }]] });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });

    expect(outcome.result).toBe("success");
    const { body } = await artifacts.store.readFile(container, "r.bin");
    expect(observer.log("top")).toContain(`${await sha256(body)}  out/r.bin`);
  });
});

describe("Upload's refusals on a local worker (the Eve host)", () => {
  it("follows links inside the workspace and refuses links that leave it, saying so", async () => {
    const outside = workspace.baseDir.replace(/\/?$/, "-outside");
    const make = [
      `mkdir -p ${outside} && echo secret > ${outside}/key`,
      "mkdir -p out/real && echo inside > out/real/f && echo other > other.txt",
      `ln -s ${outside}/key out/leak && ln -s ${outside} out/leakdir && ln -s ../other.txt out/ok && ln -s real out/again`,
    ].join(" && ");
    const buildFile = buildFileOf({ top: [["ShellCommand", { command: make }], ["Upload", { source: "out" }], ["ShellCommand", { command: `rm -rf ${outside}`, alwaysRun: true }]] });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });

    expect(outcome.result).toBe("success");
    expect(await listed()).toEqual({ "again/f": 7, ok: 6, "real/f": 7 });
    expect(observer.log("top")).toContain("eve-upload: refused: ./leak is a link that leaves the workspace");
    expect(observer.log("top")).toContain("eve-upload: refused: ./leakdir is a link that leaves the workspace");
  });

  it("refuses an absolute source outside the workspace", async () => {
    const buildFile = buildFileOf({ top: [["Upload", { source: "/etc" }]] });

    const { outcome } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });

    expect(outcome.result).toBe("failure");
    expect(outcome.steps[0]?.summary).toContain("the source is outside the workspace");
    expect(await listed()).toEqual({});
  });

  it("fails over the step's limit, halts the stage, and leaves none of its files; alwaysRun steps still run", async () => {
    const make = "mkdir -p out && head -c 4000 /dev/zero > out/a && head -c 4000 /dev/zero > out/b && head -c 4000 /dev/zero > out/c";
    const limits = { step: { maxBytes: 10_000, maxFiles: 100 }, build: { maxBytes: Infinity, maxFiles: Infinity } };
    const buildFile = buildFileOf({
      top: [
        ["ShellCommand", { command: make }],
        ["Upload", { source: "out", retry: [0, 0] }],
        ["ShellCommand", { command: "echo not reached" }],
        ["ShellCommand", { command: "mkdir -p st && echo FAILED > st/.final_status", alwaysRun: true }],
        ["Upload", { source: "st", alwaysRun: true }],
      ],
    });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access({ limits }) } });

    expect(outcome.result).toBe("failure");
    expect(outcome.steps.map((step) => step.result)).toEqual(["success", "failure", "skipped", "success", "success"]);
    expect(outcome.steps[1]?.summary).toMatch(/over the step's limit of 10000 bytes/);
    expect(await listed()).toEqual({ ".final_status": 7 });
    expect(observer.log("top")).toContain("the files of this try were removed");
  });

  it("tries again after retry's delay", async () => {
    // The first try fails (over the limit); a step in between cannot run, so the source is emptied by the retry marker.
    const make = "mkdir -p out && head -c 5000 /dev/zero > out/big";
    const limits = { step: { maxBytes: 1000, maxFiles: 100 }, build: { maxBytes: Infinity, maxFiles: Infinity } };
    const buildFile = buildFileOf({ top: [["ShellCommand", { command: make }], ["Upload", { source: "out", retry: [0, 2] }]] });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access({ limits }) } });

    expect(outcome.result).toBe("failure");
    expect(observer.log("top").match(/trying again in 0 s/g)).toHaveLength(2);
  });

  it("uploads nothing, successfully, from a source that does not exist (as Eve's find did)", async () => {
    const buildFile = buildFileOf({ top: [["Upload", { source: "nothing-here", urls: ["*"] }]] });

    const { outcome } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });

    expect(outcome.result).toBe("success");
    expect(outcome.steps[0]?.links).toEqual([]);
  });

  it("refuses a fork's build writing into a trusted build's container", async () => {
    await artifacts.store.ensureContainer(container, { expiresAt: null, buildId: "trusted" });
    const buildFile = buildFileOf({ top: [["ShellCommand", { command: "mkdir -p out && echo x > out/x" }], ["Upload", { source: "out" }]] });

    const { outcome } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access({ untrusted: true }) } });

    expect(outcome.result).toBe("failure");
    expect(outcome.steps[1]?.summary).toContain("belongs to a trusted build");
    expect(await listed()).toEqual({});
  });
});

describe("a worker whose tar lies or fails", () => {
  // A build controls its worker, including the tar the archive command runs: here one on the step's PATH.
  async function fakeTar(script: string, archive?: Buffer): Promise<{ dir: string; remove: () => void }> {
    const dir = mkdtempSync(join(tmpdir(), "eve-fake-tar-"));
    if (archive) writeFileSync(join(dir, "archive.tar"), archive);
    writeFileSync(join(dir, "tar"), `#!/bin/sh\n${script.replaceAll("$DIR", dir)}\n`, { mode: 0o755 });
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
  }

  async function crafted(entries: { name: string; body: string }[]): Promise<Buffer> {
    const archive = pack();
    for (const { name, body } of entries) archive.entry({ name }, body);
    archive.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it("fails the step on entries no honest tar writes, keeping nothing of the upload", async () => {
    const tar = await fakeTar("cat $DIR/archive.tar", await crafted([{ name: "ok.txt", body: "fine" }, { name: "../../escape.txt", body: "evil" }, { name: "/etc/evil", body: "evil" }]));
    const buildFile = buildFileOf({ top: [["Upload", { source: "out", env: { PATH: `${tar.dir}:/usr/bin:/bin` }, retry: [0, 0] }]] });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });
    tar.remove();

    expect(outcome.result).toBe("failure");
    expect(outcome.steps[0]?.summary).toBe("the worker's archive had 2 entries no honest tar writes; nothing kept");
    expect(observer.log("top")).toContain('Refused "../../escape.txt": the name has a \'..\' segment');
    expect(await listed()).toEqual({});
  });

  it("says the worker's tar failed when it stops mid-archive", async () => {
    const tar = await fakeTar("cat $DIR/archive.tar | head -c 1500; echo 'tar: out/big: Read error' >&2; exit 2", await crafted([{ name: "big", body: "x".repeat(5000) }]));
    const buildFile = buildFileOf({ top: [["Upload", { source: "out", env: { PATH: `${tar.dir}:/usr/bin:/bin` }, retry: [0, 0] }]] });

    const { outcome, observer } = await runBuild(workspace.baseDir, buildFile, "top", { properties: buildProperties("top"), services: { artifacts: artifacts.access() } });
    tar.remove();

    expect(outcome.result).toBe("failure");
    expect(outcome.steps[0]?.summary).toBe("archiving the source in the worker: exited 2");
    expect(observer.log("top")).toContain("tar: out/big: Read error");
    expect(await listed()).toEqual({});
  });
});
