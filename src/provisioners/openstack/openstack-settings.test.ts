import { describe, expect, it } from "vitest";
import { createEnvReader } from "../../config/env-reader.js";
import { checkOpenStackWorker } from "./check-openstack-worker.js";
import { getOpenStackProblems, loadOpenStackSettings } from "./openstack-settings.js";
import { openstackWorkerType } from "./openstack-worker-type.js";

function load(env: Record<string, string>): { settings: ReturnType<typeof loadOpenStackSettings>; errors: string[] } {
  const errors: string[] = [];
  return { settings: loadOpenStackSettings(createEnvReader(env, errors), errors), errors };
}

describe("openstack settings", () => {
  it("reads a password login as the openstack CLI does, with Eve's OS_TENANT_NAME and OS_NETWORK_* too", () => {
    const { settings, errors } = load({
      OS_AUTH_URL: "https://keystone.example.com:5000/v3/",
      OS_USERNAME: "eve",
      OS_PASSWORD: "pw",
      OS_TENANT_NAME: "ci",
      OS_PROJECT_DOMAIN_ID: "default",
      OS_NETWORK_PRIVATE: "5e4f3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c",
    });

    expect(errors).toEqual([]);
    expect(settings).toMatchObject({
      authUrl: "https://keystone.example.com:5000/v3",
      credentials: { kind: "password", username: "eve", userDomain: { name: "Default" }, project: { name: "ci", domain: { id: "default" } } },
      networks: ["5e4f3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"],
      sshUser: "root",
      bootTimeoutS: 900,
      requirementsAttempts: 5,
      requirementsDelayS: 30,
      quarantineS: 300,
      quarantineMaxS: 3600,
    });
    expect(getOpenStackProblems(settings)).toEqual([]);
    expect(openstackWorkerType.getSecrets?.(settings)).toEqual(["pw"]);
  });

  it("prefers an application credential, and keeps its secret for the scrubber", () => {
    const { settings } = load({ OS_AUTH_URL: "http://k/v3", OS_APPLICATION_CREDENTIAL_ID: "id1", OS_APPLICATION_CREDENTIAL_SECRET: "s3cret", OS_USERNAME: "eve", OS_PASSWORD: "pw" });

    expect(settings.credentials).toMatchObject({ kind: "application_credential", id: "id1", secret: "s3cret" });
    expect(openstackWorkerType.getSecrets?.(settings)).toEqual(["s3cret"]);
  });

  it("says what is missing or wrong, one message per setting", () => {
    const { settings, errors } = load({ OS_KEY_NAME: "ops", EVE_OPENSTACK_NETWORKS: "public", EVE_OPENSTACK_BOOT_TIMEOUT: "soon" });

    expect(errors).toEqual([
      "EVE_OPENSTACK_NETWORKS: public is not a network UUID",
      "OS_KEY_NAME is set without EVE_OPENSTACK_SSH_KEY, the private key Eve logs in with",
      "EVE_OPENSTACK_BOOT_TIMEOUT=soon: expected a number of seconds, e.g. 900",
    ]);
    expect(getOpenStackProblems(settings)).toEqual([
      "OS_AUTH_URL is not set",
      "no OpenStack credentials: set OS_USERNAME and OS_PASSWORD, or OS_APPLICATION_CREDENTIAL_ID and OS_APPLICATION_CREDENTIAL_SECRET",
    ]);
  });
});

describe("eve lint's openstack worker rule", () => {
  it("warns about keys Eve ignored, resources with its multivm_prefix meaning", () => {
    expect(checkOpenStackWorker({ type: "openstack", image: "i", flavor: "f", path: "p" }, "/stages/s/worker")).toEqual([]);
    expect(checkOpenStackWorker({ type: "openstack", image: "i", flavor: "f", resources: { vcpus: 2 }, size: "xl" }, "/stages/s/worker")).toEqual([
      { pointer: "/stages/s/worker/resources", severity: "warning", atKey: true, message: "openstack worker key 'resources' is ignored, as Eve ignored its values; it only sets the multivm_prefix property" },
      { pointer: "/stages/s/worker/size", severity: "warning", atKey: true, message: "openstack worker key 'size' is ignored (Eve knew image, flavor and path)" },
    ]);
  });
});
