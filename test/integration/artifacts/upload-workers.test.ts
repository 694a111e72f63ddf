/**
 * Upload from container workers: a docker worker (busybox, no network) and a
 * kube_pod worker on the API-server stand-in (pods are Docker containers,
 * exec over the WebSocket API). The files leave the worker only through the
 * workspace's exec; busybox's tar and find write the stream. Once, a 200 MB
 * file goes through with Eve's memory flat.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerSpec } from "../../../src/buildfile/types.js";
import { KubeProvisioner } from "../../../src/provisioners/kubernetes/kube-provisioner.js";
import { buildProperties, createArtifactsHarness, type ArtifactsHarness } from "../../helpers/artifacts-harness.js";
import { BUSYBOX_IMAGE, ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../helpers/engine-harness.js";
import { KubeStandIn } from "../../helpers/kube-stand-in/kube-stand-in.js";

const TREE = [
  "mkdir -p out/deep/er 'out/with space' out/.hidden",
  "echo SUCCESSFUL > out/.final_status",
  "echo spaced > 'out/with space/a b.txt'",
  "head -c 300000 /dev/urandom > out/deep/er/blob.bin",
  "sha256sum out/deep/er/blob.bin",
  "echo h > out/.hidden/h",
  // Inside a container worker every path is the build's own: links are followed.
  "ln -s /etc/hostname-copy out/linked",
  "cp /etc/hostname /etc/hostname-copy 2>/dev/null || echo host > /etc/hostname-copy",
].join(" && ");

const POD = `apiVersion: v1
kind: Pod
metadata: {name: upload-worker}
spec:
  containers:
    - name: worker
      image: ${BUSYBOX_IMAGE}
      command: [sh, -c, "sleep 3600"]
      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 250m, memory: 128Mi}}
`;

let artifacts: ArtifactsHarness;
let standIn: KubeStandIn;
let repoDir: string;
const workspace = createWorkspaceBase();

beforeAll(async () => {
  ensureBusyboxImage();
  artifacts = await createArtifactsHarness();
  standIn = new KubeStandIn();
  await standIn.start();
  repoDir = mkdtempSync(join(tmpdir(), "eve-upload-kube-repo-"));
  mkdirSync(join(repoDir, "eve"));
  writeFileSync(join(repoDir, "eve", "pod.yaml"), POD);
}, 120_000);

afterAll(async () => {
  await standIn?.stop();
  artifacts?.remove();
  rmSync(repoDir, { recursive: true, force: true });
  workspace.cleanup();
});

function kubeProvisioners() {
  const access = { mode: "token" as const, server: standIn.url, token: standIn.token, skipTlsVerify: true };
  return new Map([["kube_pod" as const, new KubeProvisioner({ settings: { access, namespace: "default", startTimeoutSeconds: 30, deleteGraceSeconds: 1 } })]]);
}

async function listed(container: string): Promise<Record<string, number>> {
  const files: Record<string, number> = {};
  for await (const file of artifacts.store.listFiles(container)) files[file.path] = file.size;
  return files;
}

async function sha256(container: string, path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of (await artifacts.store.readFile(container, path)).body) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe.each([
  ["docker", { type: "docker", image: BUSYBOX_IMAGE } as WorkerSpec, 1],
  ["kube_pod", { type: "kube_pod", path: "eve/pod.yaml" } as WorkerSpec, 2],
])("Upload from a %s worker", (type, worker, build) => {
  it("stores nested folders, spaces, hidden and binary files, and followed links, read out through exec", async () => {
    const stage = `upload-${type.replace("_", "-")}`;
    const properties = buildProperties(stage, build);
    const container = properties.artifacts_name as string;
    const file = buildFileOf({ [stage]: { worker, steps: [["ShellCommand", { command: TREE }], ["Upload", { source: "out", urls: ["deep/*/*.bin", ["status", ".final_status"]] }]] } });

    const { outcome, observer } = await runBuild(workspace.baseDir, file, stage, {
      properties,
      services: { artifacts: artifacts.access() },
      ...(type === "kube_pod" ? { provisioners: kubeProvisioners(), repoDir } : {}),
    });

    expect(outcome.result).toBe("success");
    const files = await listed(container);
    expect(Object.keys(files).sort()).toEqual([".final_status", ".hidden/h", "deep/er/blob.bin", "linked", "with space/a b.txt"]);
    expect(files["deep/er/blob.bin"]).toBe(300000);
    expect(observer.log(stage)).toContain(`${await sha256(container, "deep/er/blob.bin")}  out/deep/er/blob.bin`);
    expect(outcome.steps[1]?.links?.map((link) => link.name)).toEqual(["blob.bin", "status"]);
    if (type === "kube_pod") expect(standIn.requests.filter((request) => request.includes("/exec")).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

describe("a large upload", () => {
  it("streams 200 MB from a docker worker with Eve's memory flat", async () => {
    const properties = buildProperties("large", 3);
    const container = properties.artifacts_name as string;
    const size = 200 * 1024 * 1024;
    const file = buildFileOf({
      large: {
        worker: { type: "docker", image: BUSYBOX_IMAGE },
        steps: [["ShellCommand", { command: `mkdir -p out && head -c ${size} /dev/urandom > out/large.bin && sha256sum out/large.bin` }], ["Upload", { source: "out" }]],
      },
    });
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);

    const { outcome, observer } = await runBuild(workspace.baseDir, file, "large", { properties, services: { artifacts: artifacts.access() } });
    clearInterval(sampler);

    expect(outcome.result).toBe("success");
    expect((await listed(container))["large.bin"]).toBe(size);
    expect(observer.log("large")).toContain(`${await sha256(container, "large.bin")}  out/large.bin`);
    // The file passes in chunks: Eve's memory grows by far less than the file.
    process.stdout.write(`200 MB upload: Eve's RSS grew by ${Math.round((peak - before) / 1048576)} MB\n`);
    expect(peak - before).toBeLessThan(size / 4);
  }, 300_000);
});
