/**
 * The settings of every worker type (DOCKER_*, EVE_DOCKER_*, EVE_KUBE_*, …),
 * each read by its own module, the same way for the app, `eve worker`,
 * `eve run` and `eve reap`: it needs nothing of the GitHub App.
 */
import type { WorkerType } from "../buildfile/types.js";
import type { WorkerTypeModule } from "../provisioners/worker-type-module.js";
import { WORKER_TYPE_MODULES } from "../provisioners/worker-types.js";
import { createEnvReader } from "./env-reader.js";

/** One worker type with its settings, as its module read them. */
export interface ConfiguredWorkerType {
  readonly module: WorkerTypeModule;
  /** The module's own settings object, handed back to its methods. */
  readonly settings: unknown;
  /** Why this process cannot run the type here (a cluster it cannot reach); empty when it can. */
  readonly problems: readonly string[];
}

/** Every worker type, in the registry's order. */
export type WorkerSettings = readonly ConfiguredWorkerType[];

export interface LoadWorkerSettingsResult {
  settings: WorkerSettings;
  /** One line per bad setting. */
  errors: string[];
}

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): LoadWorkerSettingsResult {
  const errors: string[] = [];
  const reader = createEnvReader(env, errors);
  const settings = WORKER_TYPE_MODULES.map((module): ConfiguredWorkerType => {
    const own = module.loadSettings(reader, errors);
    return { module, settings: own, problems: module.getProblems?.(own) ?? [] };
  });
  return { settings, errors };
}

/** The settings of one type, as its module read them (tests and tools look inside). */
export function getWorkerSettings(workers: WorkerSettings, type: WorkerType): ConfiguredWorkerType | undefined {
  return workers.find((worker) => worker.module.type === type);
}

/** Every credential in the settings, for the log scrubber. */
export function workerSettingsSecrets(workers: WorkerSettings): string[] {
  return workers.flatMap((worker) => worker.module.getSecrets?.(worker.settings) ?? []);
}
