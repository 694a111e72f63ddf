/**
 * The registry of worker types: the one list of them. A worker type is a
 * folder with one WorkerTypeModule (worker-type-module.ts); adding one is a
 * new folder, a line here and its fragment in schemas/build-file.schema.json
 * (docs/architecture.md, "Adding a worker type").
 */
import type { WorkerRule, WorkerRules } from "../buildfile/rule-problem.js";
import type { WorkerType } from "../buildfile/types.js";
import { dockerWorkerType } from "./docker/docker-worker-type.js";
import { kubePodWorkerType } from "./kubernetes/kube-pod-worker-type.js";
import { localWorkerType } from "./local/local-worker-type.js";
import { openstackWorkerType } from "./openstack/openstack-worker-type.js";
import type { WorkerTypeModule } from "./worker-type-module.js";

/** In the order messages and the settings table list them. */
export const WORKER_TYPE_MODULES: readonly WorkerTypeModule[] = [localWorkerType, dockerWorkerType, kubePodWorkerType, openstackWorkerType];

/** Every worker type's name. */
export const WORKER_TYPES: readonly WorkerType[] = WORKER_TYPE_MODULES.map((module) => module.type);

/** The worker types a process takes when EVE_WORKER_TYPES is unset. */
export const DEFAULT_WORKER_TYPES: readonly WorkerType[] = WORKER_TYPE_MODULES.filter((module) => module.enabledByDefault).map((module) => module.type);

/** The worker type of a stage the build file does not define: its job ends at once, saying so. */
export const FALLBACK_WORKER_TYPE: WorkerType = WORKER_TYPES[0] ?? "";

/** Worker types that builds of pull requests from forks may not use unless the operator says otherwise. */
export const DEFAULT_TRUSTED_ONLY_WORKERS: readonly WorkerType[] = WORKER_TYPE_MODULES.filter((module) => module.forks.trustedOnly).map((module) => module.type);

/** Each type's rules for its `worker:` blocks, for validateBuildFile. */
export const WORKER_RULES: WorkerRules = new Map(
  WORKER_TYPE_MODULES.flatMap((module): [WorkerType, WorkerRule][] => (module.checkWorker ? [[module.type, module.checkWorker]] : [])),
);

/** The module of a worker type, or undefined for a name no module has. */
export function getWorkerTypeModule(type: WorkerType): WorkerTypeModule | undefined {
  return WORKER_TYPE_MODULES.find((module) => module.type === type);
}

/** Whether a stage on `worker` reads files of the repository on the Eve host. */
export function workerNeedsCheckout(worker: { type: WorkerType } & Record<string, unknown>): boolean {
  return getWorkerTypeModule(worker.type)?.needsCheckout(worker) ?? false;
}

/**
 * Worker types a build file may name but no Eve process can spawn yet. Every
 * worker process takes their stages anyway, so that the engine ends them at
 * once instead of their check runs staying queued forever.
 */
export const UNIMPLEMENTED_WORKER_TYPES: readonly WorkerType[] = WORKER_TYPE_MODULES.filter((module) => module.createProvisioner === undefined).map((module) => module.type);
