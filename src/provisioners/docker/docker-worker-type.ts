/**
 * `type: docker`: a container per stage run on the Docker Engine of
 * DOCKER_HOST, built from the repository (`path`) or a pre-built `image`.
 * dockerode (with ssh2, gRPC and protobufjs behind it) is imported only when
 * a docker stage spawns or the reaper sweeps: ~0.1 s of every `eve run` that
 * has no docker stage.
 */
import { LazyProvisioner } from "../lazy-provisioner.js";
import type { WorkerTypeModule } from "../worker-type-module.js";
import { checkDockerWorker } from "./check-docker-worker.js";
import type { DockerProvisioner } from "./docker-provisioner.js";
import type { DockerSettings } from "./docker-settings.js";
import { isDockerWorkerSpec } from "./docker-worker-spec.js";
import { loadDockerSettings } from "./load-docker-settings.js";

export const dockerWorkerType: WorkerTypeModule<DockerSettings> = {
  type: "docker",
  enabledByDefault: true,
  defaultCapacity: 24,
  forks: { trustedOnly: false, note: "add docker if its containers run privileged" },
  settings: [
    { name: "DOCKER_HOST", default: "unix:///var/run/docker.sock", description: "Docker Engine of docker workers (and of the images other worker types build): unix:///path or tcp://host:port, as for the docker CLI" },
    { name: "DOCKER_TLS_VERIFY", default: "off", description: "talk TLS to a tcp:// DOCKER_HOST and verify its certificate (1/0, on/off)" },
    { name: "DOCKER_CERT_PATH", default: "~/.docker", description: "directory of ca.pem, cert.pem and key.pem, with DOCKER_TLS_VERIFY" },
    { name: "EVE_DOCKER_MAX_MEMORY", default: "4G", description: "ceiling and default of a docker stage's memory, Docker units (Eve's DOCKER_CONTAINER_MAX_MEMORY); above it the stage fails" },
    { name: "EVE_DOCKER_CPUS", default: "1", description: "CPUs given to every docker worker container (Eve's DOCKER_CONTAINER_MAX_CPU)" },
    { name: "EVE_DOCKER_NETWORK", default: "none", description: "network mode of docker worker containers: none, host, bridge or a network's name" },
    { name: "EVE_DOCKER_PRIVILEGED", default: "off", description: "run docker worker containers privileged (Eve always did; it hands the host to any build)" },
    { name: "EVE_DOCKER_MOUNT_SOCKET", default: "off", description: "mount the engine's socket into docker worker containers (Eve always did; same warning)" },
    { name: "EVE_DOCKER_BIND_PATHS", default: undefined, description: "host paths (comma-separated, absolute) under which docker `volumes` may bind-mount; unset refuses every bind mount" },
    { name: "EVE_DOCKER_MAX_IMAGES", default: "20", description: "worker images kept on the engine; the least recently used beyond it are removed" },
  ],
  loadSettings: loadDockerSettings,
  // The engine is only contacted when a docker stage spawns, so creating it costs nothing without Docker.
  createProvisioner: (settings) =>
    new LazyProvisioner<DockerProvisioner>("docker", async () => new (await import("./docker-provisioner.js")).DockerProvisioner({ settings }), { pings: true }),
  async createSweepers(settings) {
    const [{ DockerClient }, { DockerReaper }] = await Promise.all([import("./docker-client.js"), import("./docker-reaper.js")]);
    return [new DockerReaper(new DockerClient(settings.engine), settings.maxCachedImages)];
  },
  // A pre-built image needs nothing of the repository; a build context does.
  needsCheckout: (spec) => isDockerWorkerSpec(spec) && spec.image === undefined && spec.path !== undefined,
  checkWorker: checkDockerWorker,
};
