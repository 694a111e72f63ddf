import { describe, expect, it } from "vitest";
import { DockerProvisioner } from "../provisioners/docker/docker-provisioner.js";
import { DockerReaper } from "../provisioners/docker/docker-reaper.js";
import type { KubeProvisioner } from "../provisioners/kubernetes/kube-provisioner.js";
import { KubeReaper } from "../provisioners/kubernetes/kube-reaper.js";
import type { LazyProvisioner } from "../provisioners/lazy-provisioner.js";
import { provisionerSweepers } from "../provisioners/provisioner-sweepers.js";
import { createProvisionerRegistry } from "../provisioners/registry.js";
import { loadWorkerSettings } from "./load-worker-settings.js";
import { toProvisionerSettings } from "./to-provisioner-settings.js";

const { settings } = loadWorkerSettings({ EVE_DOCKER_MAX_MEMORY: "1G", EVE_KUBE_SERVER: "https://kube.example.com:6443", EVE_KUBE_TOKEN: "t", EVE_KUBE_NAMESPACE: "builds" });

describe("toProvisionerSettings", () => {
  it("hands the docker settings to the docker provisioner, and kube_pod's only when asked", async () => {
    const without = createProvisionerRegistry(toProvisionerSettings(settings, { kubePod: false }));
    const withKube = createProvisionerRegistry(toProvisionerSettings(settings, { kubePod: true, localBaseDir: "/tmp/eve-test-workers" }));

    expect([...without.keys()]).toEqual(["local", "docker"]);
    expect((without.get("docker") as DockerProvisioner).settings.maxMemory).toBe("1G");
    expect([...withKube.keys()]).toEqual(["local", "docker", "kube_pod"]);
    const kube = await (withKube.get("kube_pod") as LazyProvisioner<KubeProvisioner>).get();
    expect(kube.settings).toMatchObject({ namespace: "builds", access: { mode: "token", server: "https://kube.example.com:6443" } });
  });

  it("gives the reaper a sweeper per enabled type", async () => {
    const provisioners = createProvisionerRegistry(toProvisionerSettings(settings, { kubePod: true }));

    expect(await provisionerSweepers(provisioners, ["local"])).toEqual([]);
    expect((await provisionerSweepers(provisioners, ["docker"])).map((sweeper) => sweeper.constructor)).toEqual([DockerReaper]);
    expect((await provisionerSweepers(provisioners, ["docker", "kube_pod"])).map((sweeper) => sweeper.constructor)).toEqual([DockerReaper, KubeReaper]);
  });
});
