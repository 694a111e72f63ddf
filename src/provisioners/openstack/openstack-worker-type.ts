/**
 * `type: openstack`: a server per stage run in the cloud of the OS_*
 * settings, booted through Keystone v3, Glance and Nova, its steps run over
 * SSH (docs/openstack.md). ssh2 and the provisioner load only when an
 * openstack stage spawns or its sweeper is made.
 */
import { LazyProvisioner } from "../lazy-provisioner.js";
import type { WorkerTypeModule } from "../worker-type-module.js";
import { checkOpenStackWorker } from "./check-openstack-worker.js";
import { getOpenStackProblems, loadOpenStackSettings, OPENSTACK_SETTINGS, type OpenStackSettings } from "./openstack-settings.js";
import { isOpenStackWorkerSpec } from "./openstack-worker-spec.js";

export const openstackWorkerType: WorkerTypeModule<OpenStackSettings> = {
  type: "openstack",
  enabledByDefault: false,
  defaultCapacity: 20,
  forks: { trustedOnly: false },
  settings: OPENSTACK_SETTINGS,
  loadSettings: loadOpenStackSettings,
  getProblems: getOpenStackProblems,
  getSecrets: ({ credentials }) => (credentials === undefined ? [] : [credentials.kind === "password" ? credentials.password : credentials.secret]),
  createProvisioner: (settings) =>
    new LazyProvisioner("openstack", async () => {
      const { OpenStackProvisioner } = await import("./openstack-provisioner.js");
      return new OpenStackProvisioner(settings);
    }),
  async createSweepers(settings) {
    if (getOpenStackProblems(settings).length > 0) return [];
    const [{ OpenStackClient }, { OpenStackReaper }] = await Promise.all([import("./openstack-client.js"), import("./openstack-reaper.js")]);
    return [new OpenStackReaper(new OpenStackClient(settings), settings.pollIntervalS * 1000, settings.bootTimeoutS * 1000)];
  },
  // `path` holds the scripts that prepare the machine (init.sh, requirements.sh, start.sh).
  needsCheckout: (spec) => isOpenStackWorkerSpec(spec) && spec.path !== undefined,
  checkWorker: checkOpenStackWorker,
};
