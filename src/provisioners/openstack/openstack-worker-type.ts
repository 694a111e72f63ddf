/**
 * `type: openstack`: a virtual machine per stage run. No provisioner yet:
 * build files may name it, and its stages end at once with "this Eve has no
 * 'openstack' workers" rather than staying queued.
 */
import type { WorkerTypeModule } from "../worker-type-module.js";
import { isOpenStackWorkerSpec } from "./openstack-worker-spec.js";

export const openstackWorkerType: WorkerTypeModule<undefined> = {
  type: "openstack",
  enabledByDefault: false,
  defaultCapacity: 20,
  forks: { trustedOnly: false },
  settings: [],
  loadSettings: () => undefined,
  // `path` holds the scripts that prepare the machine (init.sh, requirements.sh, start.sh).
  needsCheckout: (spec) => isOpenStackWorkerSpec(spec) && spec.path !== undefined,
};
