/**
 * The Docker part of the reaper: removes the instance's labelled containers
 * whose stage run is over (with their anonymous volumes), the instance's
 * dangling images, and worker images beyond the cache bound.
 */
import { instanceSelector, parseLabelMap } from "../labels.js";
import type { DeadRunJudge, OrphanSweeper, ReapedResource } from "../reaper.js";
import type { DockerClient } from "./docker-client.js";
import { pruneDanglingImages, pruneImageCache } from "./image-cache.js";

export class DockerReaper implements OrphanSweeper {
  readonly #client: DockerClient;
  readonly #maxCachedImages: number;

  constructor(client: DockerClient, maxCachedImages: number) {
    this.#client = client;
    this.#maxCachedImages = maxCachedImages;
  }

  async sweep(instance: string, isDead: DeadRunJudge): Promise<ReapedResource[]> {
    const reaped: ReapedResource[] = [];
    for (const container of await this.#client.listContainers(instanceSelector(instance))) {
      const parsed = parseLabelMap(container.labels);
      if (!(await isDead(parsed))) continue;
      const entry: ReapedResource = { kind: "container", name: container.name, labels: parsed.labels };
      try {
        await this.#client.removeContainer(container.id);
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
      reaped.push(entry);
    }
    const images = [
      ...(await pruneDanglingImages(this.#client, instance)),
      ...(await pruneImageCache(this.#client, instance, this.#maxCachedImages)),
    ];
    for (const name of images) reaped.push({ kind: "image", name });
    return reaped;
  }
}
