/**
 * The provisioners this Eve can use, by worker type. A worker type missing
 * from the map makes the stages that ask for it end in `exception`.
 */
import type { WorkerType } from "../buildfile/types.js";
import { DockerProvisioner } from "./docker/docker-provisioner.js";
import type { DockerSettings } from "./docker/docker-settings.js";
import type { KubeProvisioner } from "./kubernetes/kube-provisioner.js";
import type { KubeSettings } from "./kubernetes/kube-settings.js";
import { LazyProvisioner } from "./lazy-provisioner.js";
import { LocalProvisioner } from "./local/local-provisioner.js";
import type { Provisioner } from "./types.js";

export interface ProvisionerSettings {
  /** Base directory of local builder directories (default `<tmpdir>/eve-workspaces`). */
  localBaseDir?: string;
  /** Docker worker settings (defaults: DEFAULT_DOCKER_SETTINGS). */
  docker?: Partial<DockerSettings>;
  /** kube_pod worker settings; kube_pod is registered only when given (Eve's KUBE_POD_WORKER_IN_USE, default off). */
  kubernetes?: Partial<KubeSettings>;
}

/**
 * Worker types a build file may name but no Eve process can spawn yet. Every
 * worker process takes their stages anyway, so that the engine ends them at
 * once with "this Eve has no 'openstack' workers" instead of their check runs
 * staying queued forever.
 */
export const UNIMPLEMENTED_WORKER_TYPES: readonly WorkerType[] = ["openstack"];

export function createProvisionerRegistry(settings: ProvisionerSettings = {}): Map<WorkerType, Provisioner> {
  const registry = new Map<WorkerType, Provisioner>();
  registry.set("local", new LocalProvisioner(settings.localBaseDir === undefined ? {} : { baseDir: settings.localBaseDir }));
  // The engine is only contacted when a docker stage spawns, so registering it costs nothing without Docker.
  const docker = new DockerProvisioner({ settings: settings.docker ?? {} });
  registry.set("docker", docker);
  // kube_pod images are built on the docker workers' engine (DOCKER_HOST and its TLS settings).
  const kubernetes = settings.kubernetes;
  if (kubernetes) {
    const load = async (): Promise<KubeProvisioner> => {
      const { KubeProvisioner } = await import("./kubernetes/kube-provisioner.js");
      return new KubeProvisioner({ settings: kubernetes, docker: docker.client });
    };
    registry.set("kube_pod", new LazyProvisioner("kube_pod", load));
  }
  return registry;
}
