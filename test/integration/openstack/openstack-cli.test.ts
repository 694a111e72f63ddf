/**
 * Debian's real `openstack` client (python3-openstackclient) against the
 * stand-in: if the stand-in answered what no cloud would, a real client would
 * say so. Every request it sent must also pass Nova's own request schemas.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../helpers/free-port.js";
import { startOpenStackStandIn, type OpenStackStandIn } from "../../helpers/openstack-stand-in/openstack-stand-in.js";
import { ensureVmKit } from "../../helpers/openstack-stand-in/vm-kit.js";

const run = promisify(execFile);
let standIn: OpenStackStandIn;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eve-test-openstack-cli-"));
  standIn = await startOpenStackStandIn({ kitDir: ensureVmKit, workDir: dir, sshPort: await freePort() });
});
afterAll(async () => {
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openstack(...args: string[]): Promise<unknown> {
  const { stdout } = await run("openstack", args, { env: cliEnv(), timeout: 120_000 });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

function cliEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    OS_AUTH_URL: standIn.authUrl,
    OS_IDENTITY_API_VERSION: "3",
    OS_USERNAME: "eve",
    OS_PASSWORD: "stand-in-password",
    OS_PROJECT_NAME: "eve",
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
    OS_REGION_NAME: "RegionOne",
  };
}

describe("the openstack CLI against the stand-in", () => {
  it("creates a key pair and a server, lists, shows and deletes it", async () => {
    const keyFile = join(dir, "key.pub");
    writeFileSync(keyFile, `${ssh2.utils.generateKeyPairSync("ed25519").public}\n`);

    const keypair = (await openstack("keypair", "create", "--public-key", keyFile, "cli-key", "-f", "json")) as { name: string };
    const created = (await openstack("server", "create", "--image", "debian-12", "--flavor", "m1.small", "--key-name", "cli-key", "--property", "eve-build=b1", "--wait", "cli-server", "-f", "json")) as Record<string, unknown>;
    const listed = (await openstack("server", "list", "-f", "json")) as { ID: string; Name: string; Status: string }[];
    const shown = (await openstack("server", "show", "cli-server", "-f", "json")) as Record<string, unknown>;
    await openstack("server", "delete", "--wait", "cli-server");
    const afterDelete = (await openstack("server", "list", "-f", "json")) as unknown[];

    expect(keypair.name).toBe("cli-key");
    expect(created.status).toBe("ACTIVE");
    expect(listed).toEqual([expect.objectContaining({ ID: created.id, Name: "cli-server", Status: "ACTIVE" })]);
    expect(shown).toEqual(expect.objectContaining({ id: created.id, name: "cli-server", key_name: "cli-key", flavor: expect.stringContaining("m1.small") }));
    expect(afterDelete).toEqual([]);
    expect(standIn.servers.deleted).toEqual([created.id]);
    expect(standIn.schemaViolations).toEqual([]);
  }, 300_000);
});
