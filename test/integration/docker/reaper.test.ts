import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerClient } from "../../../src/provisioners/docker/docker-client.js";
import { DockerProvisioner } from "../../../src/provisioners/docker/docker-provisioner.js";
import { DockerReaper } from "../../../src/provisioners/docker/docker-reaper.js";
import { reapOrphans } from "../../../src/provisioners/reaper.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { labelledContainers, spawnContext, uniqueInstance } from "./docker-fixtures.js";

const run = promisify(execFile);
const client = new DockerClient();

/** Starts a worker process that runs a long step in a container, and resolves once the step prints. */
function startDoomedWorker(instance: string): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/integration/docker/fixtures/stage-child.ts", instance], { stdio: ["ignore", "pipe", "inherit"] });
  let killed = false;
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      if (!killed && data.toString().includes("running")) {
        killed = child.kill("SIGKILL");
      }
    });
    child.once("exit", (code) => (killed ? resolve(child.pid ?? 0) : reject(new Error(`worker exited early (${code})`))));
  });
}

beforeAll(() => {
  ensureBusyboxImage();
});

const instances: string[] = [];
afterAll(async () => {
  // Whatever a failed assertion left: remove it so the engine stays clean.
  for (const instance of instances) await reapOrphans({ instance, sweepers: [new DockerReaper(client, 0)], isRunActive: async () => false });
});

describe("the reaper", () => {
  it("removes the container of a worker killed with SIGKILL in the middle of a step", async () => {
    const instance = uniqueInstance();
    instances.push(instance);
    await startDoomedWorker(instance);
    expect(labelledContainers(instance)).toHaveLength(1);

    const reaped = await reapOrphans({ instance, sweepers: [new DockerReaper(client, 20)] });

    expect(reaped).toEqual([expect.objectContaining({ kind: "container", labels: expect.objectContaining({ build: "killed", stage: "long", attempt: 1 }) })]);
    expect(labelledContainers(instance)).toEqual([]);
  });

  it("as `eve reap`, prints what it removed and leaves zero containers", async () => {
    const instance = uniqueInstance();
    instances.push(instance);
    await startDoomedWorker(instance);

    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", `const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(["reap", "--instance", "${instance}"]);`]);

    expect(stdout).toMatch(/^removed container eve-killed-\d+ \(build killed, stage long, attempt 1, run killed-\d+\)\n$/);
    expect(labelledContainers(instance)).toEqual([]);
  });

  it("keeps containers of live owners and, with isRunActive, of active runs only", async () => {
    const instance = uniqueInstance();
    instances.push(instance);
    const provisioner = new DockerProvisioner({ client });
    const active = spawnContext(instance);
    const finished = spawnContext(instance);
    const kept = await provisioner.spawn({ type: "docker", image: "eve-test-busybox" }, active);
    const stale = await provisioner.spawn({ type: "docker", image: "eve-test-busybox" }, finished);

    const byOwner = await reapOrphans({ instance, sweepers: [new DockerReaper(client, 20)] });
    const byRun = await reapOrphans({ instance, sweepers: [new DockerReaper(client, 20)], isRunActive: async (runId) => runId === active.labels.run });

    expect(byOwner).toEqual([]);
    expect(byRun.map((resource) => resource.labels?.run)).toEqual([finished.labels.run]);
    expect(labelledContainers(instance)).toEqual([`eve-${active.labels.run}`]);
    await kept.teardown();
    await stale.teardown();
    expect(labelledContainers(instance)).toEqual([]);
  });
});
