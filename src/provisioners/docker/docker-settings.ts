/**
 * Operator settings of Docker workers. The app's config helper fills them from
 * EVE_* variables; everything dangerous is off by default.
 */

/** How to reach the Docker Engine; absent fields follow DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH. */
export interface DockerEngineOptions {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`. */
  host?: string;
  /** Use TLS and verify the engine's certificate (DOCKER_TLS_VERIFY=1). */
  tlsVerify?: boolean;
  /** Directory with ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH). */
  certPath?: string;
}

export interface DockerSettings {
  engine: DockerEngineOptions;
  /** Ceiling and default of a stage's `memory` (Eve DOCKER_CONTAINER_MAX_MEMORY), Docker units. */
  maxMemory: string;
  /** CPUs given to every container (Eve DOCKER_CONTAINER_MAX_CPU). */
  cpus: number;
  /** Container network mode. `none` by default; the engine may run with `--bridge=none`. */
  networkMode: string;
  /** Run containers privileged (Eve always did; it hands the host to any build). */
  privileged: boolean;
  /** Mount the engine's socket into containers (Eve always did; same warning). */
  mountDockerSocket: boolean;
  /** Host path prefixes that `volumes` may bind-mount; empty refuses every bind mount. */
  allowedBindPaths: string[];
  /** Most worker images Eve keeps on the engine; the least recently used go first. */
  maxCachedImages: number;
  /** The builder directory inside containers; steps default to `<builderDir>/build`. */
  builderDir: string;
}

export const DEFAULT_DOCKER_SETTINGS: DockerSettings = {
  engine: {},
  maxMemory: "4G",
  cpus: 1,
  networkMode: "none",
  privileged: false,
  mountDockerSocket: false,
  allowedBindPaths: [],
  maxCachedImages: 20,
  builderDir: "/home/eve/workspace",
};
