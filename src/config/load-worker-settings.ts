/**
 * The settings of docker and kube_pod workers (DOCKER_*, EVE_DOCKER_*,
 * EVE_KUBE_*), read the same way for the app, `eve worker`, `eve run` and
 * `eve reap`: it needs nothing of the GitHub App.
 */
import type { DockerSettings } from "../provisioners/docker/docker-settings.js";
import type { KubeSettings } from "../provisioners/kubernetes/kube-settings.js";
import { createEnvReader } from "./env-reader.js";
import { loadDockerSettings } from "./load-docker-settings.js";
import { loadKubeSettings } from "./load-kube-settings.js";

export interface WorkerSettings {
  docker: DockerSettings;
  kubernetes: KubeSettings;
  /** Why kube_pod cannot reach its cluster from here (not in a pod, no kubeconfig, no token); empty when it can. */
  kubeAccessProblems: string[];
}

export interface LoadWorkerSettingsResult {
  settings: WorkerSettings;
  /** One line per bad setting. */
  errors: string[];
}

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): LoadWorkerSettingsResult {
  const errors: string[] = [];
  const reader = createEnvReader(env, errors);
  const docker = loadDockerSettings(reader, errors);
  const { settings: kubernetes, accessProblems } = loadKubeSettings(reader, errors);
  return { settings: { docker, kubernetes, kubeAccessProblems: accessProblems }, errors };
}

/** Every credential in the settings, for the log scrubber. */
export function workerSettingsSecrets(settings: WorkerSettings): string[] {
  const { access, services } = settings.kubernetes;
  return [access, ...services.map((service) => service.access)].flatMap((entry) => (entry.mode === "token" && entry.token !== "" ? [entry.token] : []));
}
