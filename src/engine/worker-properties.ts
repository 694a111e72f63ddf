/**
 * `worker_uuid`: Eve's per-repository hash of a stage's worker
 * (`eve/util/hash.py`). The other worker properties Eve's build orders set
 * (docker_image, worker_path, ...) come from each provisioner's workspace.
 */
import { createHash } from "node:crypto";

/** `e` + 28 hex digits of md5(repository, worker name): Eve's `create_hash`, a name valid as a namespace. */
export function createWorkerUuid(repository: unknown, workerName: string): string {
  const md5 = createHash("md5");
  md5.update(String(repository ?? ""));
  md5.update(workerName);
  return `e${md5.digest("hex").slice(0, 28)}`;
}
