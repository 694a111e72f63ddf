/**
 * Worker settings → what createProvisionerRegistry takes. The one mapping the
 * app, `eve worker`, `eve run` and `eve reap` share.
 */
import type { ProvisionerSettings } from "../provisioners/registry.js";
import type { WorkerSettings } from "./load-worker-settings.js";

export interface ProvisionerOptions {
  /** Register kube_pod (its cluster access must work: see WorkerSettings.kubeAccessProblems). */
  kubePod: boolean;
  /** Base directory of local builder directories. */
  localBaseDir?: string;
}

export function toProvisionerSettings(settings: WorkerSettings, options: ProvisionerOptions): ProvisionerSettings {
  return {
    docker: settings.docker,
    ...(options.kubePod ? { kubernetes: settings.kubernetes } : {}),
    ...(options.localBaseDir === undefined ? {} : { localBaseDir: options.localBaseDir }),
  };
}
