/**
 * The Docker* steps' settings: off unless the operator turns them on
 * (EVE_DOCKER_STEPS: they build and push images on the operator's engine,
 * with its registry credentials), on the engine of DOCKER_HOST, with the
 * credentials of EVE_DOCKER_REGISTRY_AUTH_FILE. The Docker client is
 * imported by the first Docker* step.
 */
import type { EnvReader } from "../../config/env-reader.js";
import { DockerStepsService } from "./docker-steps-service.js";
import { loadDockerEngine } from "./load-docker-settings.js";
import { readRegistryAuths } from "./registry-auth.js";

export function loadDockerSteps(env: EnvReader, errors: string[]): DockerStepsService | undefined {
  if (!env.flag("EVE_DOCKER_STEPS", false)) return undefined;
  // DOCKER_HOST is the docker workers' setting too, which report its problems.
  const engine = loadDockerEngine(env.silent(), []);
  const authFile = env.read("EVE_DOCKER_REGISTRY_AUTH_FILE");
  const auths = authFile === undefined ? new Map() : readRegistryAuths(authFile, errors);
  return new DockerStepsService(async () => new (await import("./docker-client.js")).DockerClient(engine), auths);
}
