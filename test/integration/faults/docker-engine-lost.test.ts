/**
 * The Docker Engine losing a stage's container, or going away, mid-stage.
 * Restarting dockerd itself would disrupt everything else on this shared
 * machine, so the two ways an engine restart shows to Eve are simulated
 * honestly: the container is killed and removed behind Eve's back (what a
 * restarted engine without live-restore does to it), and Eve reaches the
 * engine through a socket proxy that the test stops mid-stage (the socket
 * disappearing). Either way the stage fails with a clear message and does
 * not hang; what Eve could not remove while the engine was away is reaped
 * once it is back.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStage } from "../../../src/engine/run-stage.js";
import { InProcessLauncher } from "../../../src/engine/in-process-launcher.js";
import { DockerClient } from "../../../src/provisioners/docker/docker-client.js";
import { DockerProvisioner } from "../../../src/provisioners/docker/docker-provisioner.js";
import { DockerReaper } from "../../../src/provisioners/docker/docker-reaper.js";
import { reapOrphans } from "../../../src/provisioners/reaper.js";
import type { Provisioner } from "../../../src/provisioners/types.js";
import type { WorkerType } from "../../../src/buildfile/types.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { buildFileOf, RecordingObserver, secretsOf, TEST_SETTINGS } from "../../helpers/engine-harness.js";
import { waitUntil } from "./eve-processes.js";

const dir = mkdtempSync(join(tmpdir(), "eve-docker-lost-"));

beforeAll(() => {
  ensureBusyboxImage();
});

/** The instances the tests ran stages under: whatever a failed test left is removed at the end. */
const instances: string[] = [];

afterAll(() => {
  for (const instance of instances) {
    for (const id of containersOf(instance)) execFileSync("docker", ["rm", "--force", id], { stdio: "ignore" });
  }
  rmSync(dir, { recursive: true, force: true });
});

const containersOf = (instance: string) =>
  execFileSync("docker", ["ps", "-a", "--filter", `label=eve.instance=${instance}`, "--format", "{{.ID}}"], { encoding: "utf8" }).split("\n").filter((line) => line !== "");

const file = buildFileOf({
  build: { worker: { type: "docker", image: "eve-test-busybox" }, steps: [["ShellCommand", { name: "long step", command: "echo started; sleep 60" }]] },
});

async function runDockerStage(instance: string, provisioner: DockerProvisioner, onStarted: () => Promise<void>) {
  const observer = new RecordingObserver();
  const provisioners = new Map<WorkerType, Provisioner>([["docker", provisioner]]);
  const common = { buildFile: file, secrets: secretsOf({}), provisioners, observer, settings: TEST_SETTINGS, instance, repoDir: undefined };
  const running = runStage({
    ...common,
    launcher: new InProcessLauncher(common),
    stage: { build: "b1", stage: "build", attempt: 1, run: `r${randomUUID().replaceAll("-", "").slice(0, 12)}` },
    properties: {},
    signal: new AbortController().signal,
    forcedProperties: [],
  });
  await waitUntil(() => observer.log("build").includes("started"), 30_000, () => observer.log("build"));
  const cut = Date.now();
  await onStarted();
  const outcome = await running;
  return { outcome, observer, endedAfterMs: Date.now() - cut };
}

/** A unix-socket proxy to the real engine that can be stopped (the engine's socket disappearing). */
async function startSocketProxy(path: string): Promise<{ stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect("/var/run/docker.sock");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("the Docker Engine losing a stage", () => {
  it("fails the stage with a clear message when its container disappears, and leaves nothing", async () => {
    const instance = `lost-${randomUUID().slice(0, 8)}`;
    instances.push(instance);
    const provisioner = new DockerProvisioner({ settings: {} });

    const { outcome, observer, endedAfterMs } = await runDockerStage(instance, provisioner, async () => {
      for (const id of containersOf(instance)) execFileSync("docker", ["rm", "-f", id], { stdio: "pipe" });
    });

    expect(outcome.result).toBe("exception");
    expect(endedAfterMs).toBeLessThan(15_000);
    // e.g. "step 'long step' worker failure: Docker Engine could not inspect an exec: No such exec instance"
    expect(outcome.summary).toMatch(/worker failure: Docker Engine could not .*No such exec/);
    void observer;
    expect(containersOf(instance)).toEqual([]);
  }, 60_000);

  it("fails the stage with a clear message when the engine's socket goes away; the reaper removes the container once it is back", async () => {
    const instance = `gone-${randomUUID().slice(0, 8)}`;
    instances.push(instance);
    const socket = join(dir, "docker.sock");
    const proxy = await startSocketProxy(socket);
    const provisioner = new DockerProvisioner({ settings: { engine: { host: `unix://${socket}` } } });

    const { outcome, observer, endedAfterMs } = await runDockerStage(instance, provisioner, () => proxy.stop());

    expect(outcome.result).toBe("exception");
    expect(endedAfterMs).toBeLessThan(15_000);
    // e.g. "worker failure: Docker Engine could not inspect an exec: connect ENOENT …/docker.sock", or, when a
    // request was on its way as the socket went, "… could not start an exec: read ECONNRESET" or "… socket hang up".
    expect(outcome.summary).toMatch(/worker failure: Docker Engine could not .*(ENOENT|ECONNRESET|EPIPE|socket hang up)/);
    expect(observer.log("build")).toContain("teardown failed: Docker Engine could not remove container");
    // While the socket was gone Eve could not remove its container: the engine (back) still has it, labelled.
    const left = containersOf(instance);
    const reaped = await reapOrphans({ instance, sweepers: [new DockerReaper(new DockerClient(), 100)], isRunActive: async () => false });
    expect(reaped.filter((r) => r.kind === "container").length).toBe(left.length);
    expect(containersOf(instance)).toEqual([]);
  }, 60_000);
});
