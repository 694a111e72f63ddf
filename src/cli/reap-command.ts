/**
 * `eve reap`: removes what dead stage runs of this Eve instance left on the
 * Docker Engine — labelled containers whose owning process (on this host) is
 * gone, dangling images, and worker images beyond the cache bound — and, when
 * the kube_pod cluster is reachable with the EVE_KUBE_* settings, the pods,
 * kubeconfig secrets and `service` namespaces of such runs; it prints each
 * removal. The engine and cluster are the workers' (DOCKER_*, EVE_KUBE_*).
 */
import { parseArgs } from "node:util";
import type { WorkerType } from "../buildfile/types.js";
import { loadWorkerSettings } from "../config/load-worker-settings.js";
import { toProvisionerSettings } from "../config/to-provisioner-settings.js";
import { provisionerSweepers } from "../provisioners/provisioner-sweepers.js";
import { reapOrphans, type ReapedResource } from "../provisioners/reaper.js";
import { createProvisionerRegistry } from "../provisioners/registry.js";
import { ProvisionError } from "../provisioners/types.js";
import { DEFAULT_LOCAL_BASE_DIR } from "../provisioners/local/local-provisioner.js";
import { LocalReaper } from "../provisioners/local/local-reaper.js";
import { RUN_INSTANCE } from "./run-instance.js";
import { UsageError } from "./usage-error.js";

const USAGE = "usage: eve reap [--instance NAME] [--max-images N]";

export async function reapCommand(args: string[]): Promise<number> {
  const { settings, errors } = loadWorkerSettings(process.env);
  if (errors.length > 0) {
    process.stderr.write(errors.map((error) => `eve reap: ${error}\n`).join(""));
    return 2;
  }
  const { instances, maxImages } = parseReapArgs(args, settings.docker.maxCachedImages);
  const kubePod = settings.kubeAccessProblems.length === 0;
  // Say why pods are not swept only to someone who configured a cluster.
  if (!kubePod && Object.keys(process.env).some((name) => name.startsWith("EVE_KUBE_"))) {
    process.stderr.write(settings.kubeAccessProblems.map((problem) => `eve reap: not sweeping kube_pod resources: ${problem}\n`).join(""));
  }
  const types: WorkerType[] = kubePod ? ["docker", "kube_pod"] : ["docker"];
  const provisioners = createProvisionerRegistry(toProvisionerSettings({ ...settings, docker: { ...settings.docker, maxCachedImages: maxImages } }, { kubePod }));
  // Local builder directories of killed `eve run`s (the app sweeps its own workspace itself).
  const sweepers = [new LocalReaper({ builderBaseDir: DEFAULT_LOCAL_BASE_DIR }), ...(await provisionerSweepers(provisioners, types))];
  const reaped: ReapedResource[] = [];
  try {
    for (const instance of instances) reaped.push(...(await reapOrphans({ instance, sweepers })));
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    process.stderr.write(`eve reap: ${error.message}\n`);
    return 1;
  }
  for (const resource of reaped) process.stdout.write(`${describe(resource)}\n`);
  if (reaped.length === 0) process.stdout.write(`eve reap: nothing to remove (instance ${instances.join(", ")})\n`);
  return reaped.some((resource) => resource.error !== undefined) ? 1 : 0;
}

/** Without --instance: the app's instance (EVE_INSTANCE, default eve) and the one of `eve run`. */
function parseReapArgs(args: string[], defaultMaxImages: number): { instances: string[]; maxImages: number } {
  let values: { instance?: string | undefined; "max-images"?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { instance: { type: "string" }, "max-images": { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const maxImages = Number(values["max-images"] ?? defaultMaxImages);
  if (!Number.isInteger(maxImages) || maxImages < 0) throw new UsageError(`--max-images expects a whole number ≥ 0\n${USAGE}`);
  const instances = values.instance !== undefined ? [values.instance] : [...new Set([process.env.EVE_INSTANCE ?? "eve", RUN_INSTANCE])];
  return { instances, maxImages };
}

function describe(resource: ReapedResource): string {
  const { labels } = resource;
  const owner = labels ? ` (build ${labels.build ?? "?"}, stage ${labels.stage ?? "?"}, attempt ${labels.attempt ?? "?"}, run ${labels.run ?? "?"})` : "";
  return resource.error === undefined ? `removed ${resource.kind} ${resource.name}${owner}` : `could not remove ${resource.kind} ${resource.name}${owner}: ${resource.error}`;
}
