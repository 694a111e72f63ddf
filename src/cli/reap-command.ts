/**
 * `eve reap`: removes what dead stage runs of this Eve instance left on the
 * Docker Engine — labelled containers whose owning process (on this host) is
 * gone, dangling images, and worker images beyond the cache bound — and
 * prints each removal.
 */
import { parseArgs } from "node:util";
import { DockerClient } from "../provisioners/docker/docker-client.js";
import { DockerReaper } from "../provisioners/docker/docker-reaper.js";
import { DEFAULT_DOCKER_SETTINGS } from "../provisioners/docker/docker-settings.js";
import { reapOrphans, type ReapedResource } from "../provisioners/reaper.js";
import { ProvisionError } from "../provisioners/types.js";
import { UsageError } from "./usage-error.js";

const USAGE = "usage: eve reap [--instance NAME] [--max-images N]";

export async function reapCommand(args: string[]): Promise<number> {
  const { instance, maxImages } = parseReapArgs(args);
  let reaped: ReapedResource[];
  try {
    reaped = await reapOrphans({ instance, sweepers: [new DockerReaper(new DockerClient(), maxImages)] });
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    process.stderr.write(`eve reap: ${error.message}\n`);
    return 1;
  }
  for (const resource of reaped) process.stdout.write(`${describe(resource)}\n`);
  if (reaped.length === 0) process.stdout.write(`eve reap: nothing to remove for instance '${instance}'\n`);
  return reaped.some((resource) => resource.error !== undefined) ? 1 : 0;
}

function parseReapArgs(args: string[]): { instance: string; maxImages: number } {
  let values: { instance?: string | undefined; "max-images"?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { instance: { type: "string" }, "max-images": { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const maxImages = Number(values["max-images"] ?? DEFAULT_DOCKER_SETTINGS.maxCachedImages);
  if (!Number.isInteger(maxImages) || maxImages < 0) throw new UsageError(`--max-images expects a whole number ≥ 0\n${USAGE}`);
  return { instance: values.instance ?? process.env.EVE_INSTANCE ?? "eve", maxImages };
}

function describe(resource: ReapedResource): string {
  const { labels } = resource;
  const owner = labels ? ` (build ${labels.build ?? "?"}, stage ${labels.stage ?? "?"}, attempt ${labels.attempt ?? "?"}, run ${labels.run ?? "?"})` : "";
  return resource.error === undefined ? `removed ${resource.kind} ${resource.name}${owner}` : `could not remove ${resource.kind} ${resource.name}${owner}: ${resource.error}`;
}
