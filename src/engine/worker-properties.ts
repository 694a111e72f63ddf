/**
 * The properties Eve's build orders set from a stage's worker definition
 * (reference §1.9, the `build_order.py` of each Eve worker type), and `worker_uuid`, Eve's
 * per-repository hash of the worker (`eve/util/hash.py`). The provisioner adds
 * what only it knows once the worker exists (the built `docker_image`).
 */
import { createHash } from "node:crypto";
import type { WorkerSpec } from "../buildfile/types.js";
import type { PropertyValues } from "./types.js";

export function createWorkerProperties(worker: WorkerSpec, interpolate: (value: string) => string): PropertyValues {
  switch (worker.type) {
    case "docker":
      return {
        docker_memory: worker.memory ?? null,
        docker_volumes: worker.volumes ?? [],
        ...(worker.image === undefined ? { worker_path: worker.path ?? null } : { docker_image: interpolate(worker.image) }),
      };
    case "kube_pod":
      return { worker_path: worker.path, worker_vars: worker.vars ?? {}, worker_service: worker.service ?? null };
    // openstack: its provisioner sets its own (issue 16).
    default:
      return {};
  }
}

/** `e` + 28 hex digits of md5(repository, worker name): Eve's `create_hash`, a name valid as a namespace. */
export function createWorkerUuid(repository: unknown, workerName: string): string {
  const md5 = createHash("md5");
  md5.update(String(repository ?? ""));
  md5.update(workerName);
  return `e${md5.digest("hex").slice(0, 28)}`;
}
