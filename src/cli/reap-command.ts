/**
 * `eve reap`: removes what dead stage runs of this Eve instance left, with
 * the sweeper of every worker type that can run here — builder directories
 * of killed `eve run`s; on the Docker Engine, labelled containers whose
 * owning process (on this host) is gone, dangling images, and worker images
 * beyond the cache bound; when the cluster is reachable with the EVE_KUBE_*
 * settings, the pods, kubeconfig secrets and `service` namespaces of such
 * runs — and prints each removal. The engine and cluster are the workers'
 * (DOCKER_*, EVE_KUBE_*).
 */
import { parseArgs } from "node:util";
import { loadWorkerSettings } from "../config/load-worker-settings.js";
import { reapOrphans, type ReapedResource } from "../provisioners/reaper.js";
import { createWorkerSweepers } from "../provisioners/registry.js";
import { ProvisionError } from "../provisioners/types.js";
import { RUN_INSTANCE } from "./run-instance.js";
import { UsageError } from "./usage-error.js";

const USAGE = "usage: eve reap [--instance NAME] [--max-images N]";
/** The setting --max-images stands for. */
const MAX_IMAGES_SETTING = "EVE_DOCKER_MAX_IMAGES";

export async function reapCommand(args: string[]): Promise<number> {
  const { instances, maxImages } = parseReapArgs(args);
  const env = maxImages === undefined ? process.env : { ...process.env, [MAX_IMAGES_SETTING]: String(maxImages) };
  const { settings, errors } = loadWorkerSettings(env);
  if (errors.length > 0) {
    process.stderr.write(errors.map((error) => `eve reap: ${error}\n`).join(""));
    return 2;
  }
  for (const { module, problems } of settings) {
    // Say why a type is not swept only to someone who configured it.
    if (problems.length > 0 && module.settings.some((setting) => process.env[setting.name] !== undefined)) {
      process.stderr.write(problems.map((problem) => `eve reap: not sweeping ${module.type} resources: ${problem}\n`).join(""));
    }
  }
  // The local workers' default directory holds the builder directories of killed `eve run`s (the app sweeps its own workspace itself).
  const sweepers = await createWorkerSweepers(settings, settings.map(({ module }) => module.type));
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
function parseReapArgs(args: string[]): { instances: string[]; maxImages: number | undefined } {
  let values: { instance?: string | undefined; "max-images"?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { instance: { type: "string" }, "max-images": { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const maxImages = values["max-images"] === undefined ? undefined : Number(values["max-images"]);
  if (maxImages !== undefined && (!Number.isInteger(maxImages) || maxImages < 0)) throw new UsageError(`--max-images expects a whole number ≥ 0\n${USAGE}`);
  const instances = values.instance !== undefined ? [values.instance] : [...new Set([process.env.EVE_INSTANCE ?? "eve", RUN_INSTANCE])];
  return { instances, maxImages };
}

function describe(resource: ReapedResource): string {
  const { labels } = resource;
  const owner = labels ? ` (build ${labels.build ?? "?"}, stage ${labels.stage ?? "?"}, attempt ${labels.attempt ?? "?"}, run ${labels.run ?? "?"})` : "";
  return resource.error === undefined ? `removed ${resource.kind} ${resource.name}${owner}` : `could not remove ${resource.kind} ${resource.name}${owner}: ${resource.error}`;
}
