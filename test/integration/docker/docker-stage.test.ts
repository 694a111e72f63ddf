import { beforeAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../helpers/engine-harness.js";
import { ensureBusyboxImage } from "../../helpers/busybox-image.js";
import { labelledContainers } from "./docker-fixtures.js";

// The engine harness labels its resources with instance "test".
const INSTANCE = "test";

beforeAll(() => {
  ensureBusyboxImage();
});

describe("a docker stage through the engine", () => {
  it("runs its steps in the container, in the builder directory, and removes the container", async () => {
    const base = createWorkspaceBase();
    const file = buildFileOf({
      docker: {
        worker: { type: "docker", image: "eve-test-busybox" },
        steps: [
          ["ShellCommand", { name: "where", command: "pwd && cat /proc/1/comm" }],
          ["ShellCommand", { name: "env", command: 'echo "value=$MY_VAR"', env: { MY_VAR: "%(prop:stage_name)s" } }],
          ["ShellCommand", { name: "fails", command: "exit 4" }],
        ],
      },
    });

    const { outcome, observer } = await runBuild(base.baseDir, file, "docker");
    base.cleanup();

    expect(outcome.steps.map((step) => [step.name, step.result, step.exitCode])).toEqual([
      ["where", "success", 0],
      ["env", "success", 0],
      ["fails", "failure", 4],
    ]);
    expect(observer.log("docker")).toContain("/home/eve/workspace/build\ndocker-init\n");
    expect(observer.log("docker")).toContain("value=docker\n");
    expect(labelledContainers(INSTANCE)).toEqual([]);
    // Eve's DockerBuildOrder and SetWorkerDistro properties (busybox has no /etc/os-release).
    expect(outcome.properties).toMatchObject({ docker_image: "eve-test-busybox", docker_memory: null, docker_volumes: [], distribution_id: "unknown", distribution_version_id: "unknown" });
    expect(outcome.properties.worker_uuid).toMatch(/^e[0-9a-f]{28}$/);
  });

  it("fails with the refusal in the log when the worker cannot be spawned as the file asks", async () => {
    const base = createWorkspaceBase();
    const file = buildFileOf({ docker: { worker: { type: "docker", image: "eve-test-busybox", memory: "64G" }, steps: [["ShellCommand", { command: "true" }]] } });

    const { outcome, observer } = await runBuild(base.baseDir, file, "docker");
    base.cleanup();

    expect(outcome.result).toBe("failure");
    expect(outcome.summary).toBe("failure: memory '64G' is above this Eve's maximum of 4G");
    expect(observer.log("docker")).toContain("memory '64G' is above this Eve's maximum of 4G");
    expect(labelledContainers(INSTANCE)).toEqual([]);
  });
});
