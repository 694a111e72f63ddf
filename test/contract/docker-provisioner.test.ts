/** The provisioner contract for `type: docker`: containers on the Docker Engine of this machine. */
import { execFileSync } from "node:child_process";
import { beforeAll } from "vitest";
import { BUSYBOX_IMAGE, ensureBusyboxImage } from "../helpers/busybox-image.js";
import { describeProvisionerContract } from "./provisioner-contract.js";

beforeAll(() => {
  ensureBusyboxImage();
});

describeProvisionerContract("docker", () => ({
  type: "docker",
  env: {},
  context: {},
  spec: { type: "docker", image: BUSYBOX_IMAGE },
  killedBySignalExitCode: 137,
  repoDir: undefined,
  async listResources(instance) {
    const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=eve.instance=${instance}`], { encoding: "utf8" }).split("\n").filter((id) => id !== "");
    return ids.map((id) => JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .Config.Labels}}", id], { encoding: "utf8" })) as Record<string, string>);
  },
  async loseResource(workspace) {
    execFileSync("docker", ["rm", "-f", workspace.id], { stdio: "pipe" });
  },
}));
