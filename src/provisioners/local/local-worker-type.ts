/**
 * `type: local`: steps run on the Eve host itself, so builds of pull requests
 * from forks may not use it unless the operator says otherwise.
 */
import type { WorkerTypeModule } from "../worker-type-module.js";
import { DEFAULT_LOCAL_BASE_DIR, LocalProvisioner } from "./local-provisioner.js";
import { LocalReaper } from "./local-reaper.js";

export const localWorkerType: WorkerTypeModule<undefined> = {
  type: "local",
  enabledByDefault: true,
  defaultCapacity: 2,
  forks: { trustedOnly: true },
  settings: [],
  loadSettings: () => undefined,
  createProvisioner: (_settings, context) => new LocalProvisioner(context.workersDir === undefined ? {} : { baseDir: context.workersDir }),
  createSweepers: async (_settings, context) => [new LocalReaper({ builderBaseDir: context.workersDir ?? DEFAULT_LOCAL_BASE_DIR })],
  needsCheckout: () => false,
};
