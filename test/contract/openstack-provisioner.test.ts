/**
 * The provisioner contract for `type: openstack`: servers of the OpenStack
 * stand-in (test/helpers/openstack-stand-in: each a real qemu VM reached over
 * SSH), through Keystone, Glance and Nova as a cloud is reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, vi } from "vitest";
import { freePort } from "../helpers/free-port.js";
import { startOpenStackStandIn, type OpenStackStandIn } from "../helpers/openstack-stand-in/openstack-stand-in.js";
import { ensureVmKit } from "../helpers/openstack-stand-in/vm-kit.js";
import { describeProvisionerContract } from "./provisioner-contract.js";

// Each spawn boots a VM under software emulation: 15–60 s on two busy cores.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const PASSWORD = "contract-password-5c2e";
const workDir = mkdtempSync(join(tmpdir(), "eve-contract-openstack-"));
let standIn: OpenStackStandIn;
let sshPort = 0;

beforeAll(async () => {
  sshPort = await freePort();
  standIn = await startOpenStackStandIn({ kitDir: ensureVmKit, workDir, sshPort, users: [{ name: "eve", password: PASSWORD }], maxServers: 3 });
});

afterAll(async () => {
  await standIn?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describeProvisionerContract("openstack", () => ({
  type: "openstack",
  env: {
    OS_AUTH_URL: standIn.authUrl,
    OS_USERNAME: "eve",
    OS_PASSWORD: PASSWORD,
    OS_PROJECT_NAME: "eve",
    EVE_OPENSTACK_SSH_PORT: String(sshPort),
    EVE_OPENSTACK_POLL_INTERVAL: "0.5",
    EVE_OPENSTACK_BOOT_TIMEOUT: "280",
  },
  context: {},
  spec: { type: "openstack", image: "debian-12", flavor: "m1.small" },
  // sshd reports the signal that killed the command, and Eve passes it on as no exit code.
  killedBySignalExitCode: null,
  repoDir: undefined,
  async listResources(instance) {
    return standIn.servers.live.map((server) => server.metadata).filter((metadata) => metadata["eve.instance"] === instance);
  },
  async loseResource(workspace) {
    const server = standIn.servers.live.find((candidate) => candidate.name === workspace.id);
    if (!server) throw new Error(`no server ${workspace.id} in the stand-in`);
    await standIn.servers.delete(server);
  },
}));
