/** A `worker: {type: openstack}` block (schemas/build-file.schema.json, definitions/openstackWorker). */
import type { WorkerSpec } from "../../buildfile/types.js";

export interface OpenStackWorkerSpec extends WorkerSpec {
  type: "openstack";
  image: string;
  flavor: string;
  /** Directory in the repository with init.sh, requirements.sh, start.sh. */
  path?: string;
  /** Eve's EVE-983 multi-VM hint: ignored but for the multivm_prefix property. */
  resources?: unknown;
}

export function isOpenStackWorkerSpec(spec: WorkerSpec): spec is OpenStackWorkerSpec {
  return spec.type === "openstack";
}
