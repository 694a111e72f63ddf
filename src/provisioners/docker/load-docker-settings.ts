/**
 * Docker workers' settings from the environment: the engine through Docker's
 * own DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, the rest through
 * EVE_DOCKER_*. Everything that hands the host to a build is off by default.
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { parseMemory } from "./memory.js";
import { DEFAULT_DOCKER_SETTINGS, type DockerEngineOptions, type DockerSettings } from "./docker-settings.js";
import type { EnvReader } from "../../config/env-reader.js";
import { isReadable } from "../../config/is-readable.js";

/** Docker refuses smaller limits. */
const MIN_MEMORY = 6 * 1024 ** 2;
const TLS_FILES = ["ca.pem", "cert.pem", "key.pem"];

export function loadDockerSettings(env: EnvReader, errors: string[]): DockerSettings {
  const maxMemory = env.read("EVE_DOCKER_MAX_MEMORY") ?? DEFAULT_DOCKER_SETTINGS.maxMemory;
  if ((parseMemory(maxMemory) ?? 0) < MIN_MEMORY) errors.push(`EVE_DOCKER_MAX_MEMORY=${maxMemory}: expected a Docker memory size of at least 6m, e.g. 4G or 512m`);

  const cpusRaw = env.read("EVE_DOCKER_CPUS");
  const cpus = cpusRaw === undefined ? DEFAULT_DOCKER_SETTINGS.cpus : Number(cpusRaw);
  if (cpusRaw !== undefined && !(/^\d+(\.\d+)?$/.test(cpusRaw) && cpus > 0)) errors.push(`EVE_DOCKER_CPUS=${cpusRaw}: expected a number of CPUs above 0, e.g. 1 or 0.5`);

  const networkMode = env.read("EVE_DOCKER_NETWORK") ?? DEFAULT_DOCKER_SETTINGS.networkMode;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(networkMode)) errors.push(`EVE_DOCKER_NETWORK=${networkMode}: expected none, host, bridge or the name of a Docker network`);

  return {
    ...DEFAULT_DOCKER_SETTINGS,
    engine: loadDockerEngine(env, errors),
    maxMemory,
    cpus: Number.isFinite(cpus) && cpus > 0 ? cpus : DEFAULT_DOCKER_SETTINGS.cpus,
    networkMode,
    privileged: env.flag("EVE_DOCKER_PRIVILEGED", false),
    mountDockerSocket: env.flag("EVE_DOCKER_MOUNT_SOCKET", false),
    allowedBindPaths: loadBindPaths(env.read("EVE_DOCKER_BIND_PATHS"), errors),
    maxCachedImages: env.integer("EVE_DOCKER_MAX_IMAGES", DEFAULT_DOCKER_SETTINGS.maxCachedImages, 0),
  };
}

/** Docker's variables, as the docker CLI reads them; without DOCKER_HOST the local socket. */
export function loadDockerEngine(env: EnvReader, errors: string[]): DockerEngineOptions {
  const host = env.read("DOCKER_HOST");
  const tlsVerify = env.flag("DOCKER_TLS_VERIFY", false);
  if (host === undefined) return {};
  if (!/^unix:\/\/\/\S+$/.test(host) && !/^tcp:\/\/[^/\s]+:\d+\/?$/.test(host)) {
    errors.push(`DOCKER_HOST=${host}: expected unix:///path/to/docker.sock or tcp://host:port`);
    return {};
  }
  if (!host.startsWith("tcp://") || !tlsVerify) return { host };
  // The docker CLI's default place for the client certificate.
  const certPath = env.read("DOCKER_CERT_PATH") ?? join(homedir(), ".docker");
  const missing = TLS_FILES.filter((file) => !isReadable(join(certPath, file)));
  if (missing.length > 0) errors.push(`DOCKER_CERT_PATH=${certPath}: no readable ${missing.join(", ")} (needed with DOCKER_TLS_VERIFY)`);
  return { host, tlsVerify, certPath };
}

/** Comma-separated absolute host paths; empty refuses every bind mount. */
function loadBindPaths(raw: string | undefined, errors: string[]): string[] {
  const paths = (raw ?? "").split(",").map((path) => path.trim()).filter((path) => path !== "");
  const relative = paths.filter((path) => !isAbsolute(path));
  if (relative.length > 0) errors.push(`EVE_DOCKER_BIND_PATHS=${raw ?? ""}: ${relative.join(", ")} not absolute (expected absolute host paths, comma-separated)`);
  return paths.filter((path) => isAbsolute(path));
}
