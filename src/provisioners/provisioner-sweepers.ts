/**
 * The reaper's sweepers for the containers and pods of registered
 * provisioners: a DockerReaper on the docker provisioner's engine, a
 * KubeReaper on the kube_pod provisioner's cluster (and its `service`
 * clusters). The app, `eve worker` and `eve reap` build theirs here.
 */
import type { WorkerType } from "../buildfile/types.js";
import { DockerProvisioner } from "./docker/docker-provisioner.js";
import { DockerReaper } from "./docker/docker-reaper.js";
import type { KubeProvisioner } from "./kubernetes/kube-provisioner.js";
import { LazyProvisioner } from "./lazy-provisioner.js";
import type { OrphanSweeper } from "./reaper.js";
import type { Provisioner } from "./types.js";

/** Sweepers for the given types' provisioners (docker and kube_pod; local has its own LocalReaper). */
export async function provisionerSweepers(provisioners: ReadonlyMap<WorkerType, Provisioner>, types: readonly WorkerType[]): Promise<OrphanSweeper[]> {
  const sweepers: OrphanSweeper[] = [];
  const docker = provisioners.get("docker");
  if (types.includes("docker") && docker instanceof DockerProvisioner) sweepers.push(new DockerReaper(docker.client, docker.settings.maxCachedImages));
  const lazyKube = provisioners.get("kube_pod");
  if (types.includes("kube_pod") && lazyKube instanceof LazyProvisioner) {
    const kube = (await lazyKube.get()) as KubeProvisioner;
    const [{ KubeClient }, { KubeReaper }] = await Promise.all([import("./kubernetes/kube-client.js"), import("./kubernetes/kube-reaper.js")]);
    const { namespace, services, deleteGraceSeconds } = kube.settings;
    sweepers.push(new KubeReaper({ client: kube.client, namespace, serviceClients: services.map((service) => new KubeClient(service.access)), deleteGraceMs: deleteGraceSeconds * 1000 }));
  }
  return sweepers;
}
