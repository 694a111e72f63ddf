/**
 * `npm run openstack-stand-in -- --port P [--ssh-port S] [--max-servers N]`:
 * the OpenStack stand-in on its own, with its qemu VMs, for `eve run` of a
 * build with openstack stages on a laptop (docs/openstack.md). Prints the
 * settings to export; Ctrl-C stops it and every VM it started.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startOpenStackStandIn } from "./openstack-stand-in.js";
import { ensureVmKit } from "./vm-kit.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "ssh-port": { type: "string" },
    "max-servers": { type: "string", default: "2" },
  },
});
const port = Number(values.port);
const maxServers = Number(values["max-servers"]);
if (!Number.isInteger(port) || port < 0 || !Number.isInteger(maxServers) || maxServers < 1) {
  process.stderr.write("usage: npm run openstack-stand-in -- --port P [--ssh-port S] [--max-servers N]\n");
  process.exit(2);
}

process.stderr.write("preparing the VM kit (the first time downloads Debian's kernel, ~70 MB)...\n");
const kitDir = ensureVmKit();
const workDir = mkdtempSync(join(tmpdir(), "eve-openstack-stand-in-"));
const password = randomBytes(12).toString("base64url");
// Every server answers SSH on this port at its own loopback address (127.10.x.y).
const sshPort = values["ssh-port"] === undefined ? (port === 0 ? 2222 : port + 1) : Number(values["ssh-port"]);
const standIn = await startOpenStackStandIn({
  kitDir: () => kitDir,
  workDir,
  port,
  sshPort,
  users: [{ name: "eve", password }],
  images: [
    { id: randomUUID(), name: "debian-12", behaviour: "boot" },
    { id: randomUUID(), name: "broken-image", behaviour: "error" },
    { id: randomUUID(), name: "silent-image", behaviour: "no-ssh" },
  ],
  maxServers,
});
process.stdout.write(
  [
    `# OpenStack stand-in on ${standIn.baseUrl}: images debian-12 (boots a VM), broken-image (goes ERROR), silent-image (no SSH); flavor m1.small; at most ${maxServers} servers`,
    `export OS_AUTH_URL=${standIn.authUrl}`,
    "export OS_USERNAME=eve",
    `export OS_PASSWORD=${password}`,
    "export OS_PROJECT_NAME=eve",
    "export OS_USER_DOMAIN_NAME=Default",
    "export OS_PROJECT_DOMAIN_NAME=Default",
    "export OS_REGION_NAME=RegionOne",
    `export EVE_OPENSTACK_SSH_PORT=${sshPort}`,
    "export EVE_OPENSTACK_POLL_INTERVAL=1",
    "",
  ].join("\n"),
);

const stop = async (): Promise<void> => {
  process.stderr.write("stopping the stand-in and its VMs...\n");
  await standIn.close();
  rmSync(workDir, { recursive: true, force: true });
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
