/**
 * Eve's OpenStack client against the stand-in's Keystone, Glance and Nova (no
 * VM is booted here): tokens renewed before they expire and once on a 401,
 * application credentials, names resolved, and no credential in any error.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvReader } from "../../../src/config/env-reader.js";
import { OpenStackApiError } from "../../../src/provisioners/openstack/keystone-session.js";
import { OpenStackClient } from "../../../src/provisioners/openstack/openstack-client.js";
import { loadOpenStackSettings } from "../../../src/provisioners/openstack/openstack-settings.js";
import { freePort } from "../../helpers/free-port.js";
import { startOpenStackStandIn, type OpenStackStandIn } from "../../helpers/openstack-stand-in/openstack-stand-in.js";

const PASSWORD = "pw-7f3a9c-never-logged";
const SECRET = "appcred-secret-4b1d";
let standIn: OpenStackStandIn;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eve-openstack-client-"));
  standIn = await startOpenStackStandIn({
    kitDir: () => {
      throw new Error("no VM in these tests");
    },
    workDir: dir,
    sshPort: await freePort(),
    users: [{ name: "eve", password: PASSWORD }],
    applicationCredentials: [{ id: "ac1", name: "eve-ci", secret: SECRET }],
    images: [
      { id: "2f0c4f54-5b47-4a8e-9f0e-3c1a2b3c4d5e", name: "debian-12", behaviour: "boot" },
      { id: "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", name: "silent-image", behaviour: "no-ssh" },
    ],
  });
});
afterAll(async () => {
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

function clientWith(env: Record<string, string>): OpenStackClient {
  const errors: string[] = [];
  const settings = loadOpenStackSettings(createEnvReader({ OS_AUTH_URL: standIn.authUrl, ...env }, errors), errors);
  expect(errors).toEqual([]);
  return new OpenStackClient(settings);
}
const password = { OS_USERNAME: "eve", OS_PASSWORD: PASSWORD, OS_PROJECT_NAME: "eve" };
const authentications = (): number => standIn.requests.filter((r) => r.path === "/identity/v3/auth/tokens").length;

describe("OpenStackClient against the stand-in", () => {
  it("resolves image and flavor names, authenticating once while the token is far from expiry", async () => {
    standIn.tokenTtlMs = 3_600_000;
    const client = clientWith(password);
    const before = authentications();

    const images = await client.findImageIds("debian-12");
    const flavors = await client.findFlavorIds("m1.small");
    const missing = await client.findImageIds("no-such-image");

    expect(images).toEqual(["2f0c4f54-5b47-4a8e-9f0e-3c1a2b3c4d5e"]);
    expect(flavors).toEqual(["1"]);
    expect(missing).toEqual([]);
    expect(authentications() - before).toBe(1);
    expect(standIn.schemaViolations).toEqual([]);
    expect(standIn.responseViolations).toEqual([]);
  });

  it("renews a token in the last part of its life (a minute, or half a short-lived token's life) before using it", async () => {
    standIn.tokenTtlMs = 1_600;
    const client = clientWith(password);
    const before = authentications();

    await client.findFlavorIds("m1.small");
    await client.findFlavorIds("m1.small");
    const whileYoung = authentications() - before;
    await new Promise((resolve) => setTimeout(resolve, 900));
    await client.findFlavorIds("m1.small");
    standIn.tokenTtlMs = 3_600_000;

    expect(whileYoung).toBe(1);
    expect(authentications() - before).toBe(2);
  });

  it("authenticates again, once, when a service answers 401", async () => {
    const client = clientWith(password);
    await client.findFlavorIds("m1.small");
    const before = authentications();
    standIn.revokeTokens();

    const flavors = await client.findFlavorIds("m1.small");

    expect(flavors).toEqual(["1"]);
    expect(authentications() - before).toBe(1);
  });

  it("creates, finds, reads and deletes a server and a key pair: requests Nova's schemas accept, answers Tempest's schemas accept", async () => {
    const client = clientWith(password);

    await client.createKeypair("eve-k1", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1b3ZlcmFuZG9ta2V5Zm9ydGhlc3RhbmRpbnRlc3Q eve");
    const id = await client.createServer({ name: "eve-s1", imageRef: "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", flavorRef: "1", key_name: "eve-k1", networks: "auto", metadata: { "eve.instance": "i1", "eve.run": "r1" }, tags: ["eve", "eve.instance:i1"] });
    await expect.poll(async () => (await client.getServer(id))?.status).toBe("ACTIVE");
    const listed = await client.listServers(["eve", "eve.instance:i1"]);
    const others = await client.listServers(["eve", "eve.instance:i2"]);
    const console = await client.getConsoleOutput(id, 10);
    await client.deleteServer(id);
    await client.deleteKeypair("eve-k1");

    expect(listed.map((server) => [server.id, server.metadata["eve.run"], server.key_name])).toEqual([[id, "r1", "eve-k1"]]);
    expect(others).toEqual([]);
    expect(console).toContain("never starts sshd");
    expect(await client.getServer(id)).toBeUndefined();
    expect(standIn.keypairNames).toEqual([]);
    expect(standIn.schemaViolations).toEqual([]);
    expect(standIn.responseViolations).toEqual([]);
  });

  it("authenticates with an application credential", async () => {
    const client = clientWith({ OS_APPLICATION_CREDENTIAL_ID: "ac1", OS_APPLICATION_CREDENTIAL_SECRET: SECRET });

    expect(await client.findFlavorIds("m1.small")).toEqual(["1"]);
  });

  it("names a refused authentication without quoting the credential", async () => {
    const wrongPassword = clientWith({ ...password, OS_PASSWORD: `${PASSWORD}-wrong` });
    const wrongSecret = clientWith({ OS_APPLICATION_CREDENTIAL_ID: "ac1", OS_APPLICATION_CREDENTIAL_SECRET: `${SECRET}-wrong` });

    const errors = await Promise.all([wrongPassword.findFlavorIds("x").catch((e: unknown) => e), wrongSecret.findFlavorIds("x").catch((e: unknown) => e)]);

    for (const error of errors) {
      expect(error).toBeInstanceOf(OpenStackApiError);
      expect((error as Error).message).toMatch(/Keystone authentication at http:\/\/127\.0\.0\.1:\d+\/identity\/v3 failed: 401/);
      expect((error as Error).message).not.toContain(PASSWORD);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});
