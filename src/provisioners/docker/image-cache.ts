/**
 * Bounds the worker images Eve keeps on the engine. Every use re-tags an
 * image, so its LastTagTime says when it was last used; the least recently
 * used go first. Images a container still uses are kept (the engine refuses).
 */
import { LABEL_KEYS } from "../labels.js";
import type { DockerClient } from "./docker-client.js";
import { WORKER_IMAGE_LABEL } from "./image-builder.js";

/** Removes the least recently used worker images of the instance beyond `max`; returns their tags (or ids). */
export async function pruneImageCache(client: DockerClient, instance: string, max: number): Promise<string[]> {
  const ids = await client.listImages([`${LABEL_KEYS.instance}=${instance}`, WORKER_IMAGE_LABEL]);
  if (ids.length <= max) return [];
  const images = (await Promise.all(ids.map((id) => client.inspectImage(id)))).filter((image) => image !== undefined);
  images.sort((a, b) => b.lastUsed.getTime() - a.lastUsed.getTime());
  const removed: string[] = [];
  for (const image of images.slice(Math.max(0, max))) {
    // By tag: removing an id with several tags needs force, which would also hit images in use.
    for (const ref of image.tags.length > 0 ? image.tags : [image.id]) {
      if (await client.removeImage(ref)) removed.push(ref);
    }
  }
  return removed;
}

/** Removes the instance's untagged images (left by builds whose tag moved or that failed). */
export async function pruneDanglingImages(client: DockerClient, instance: string): Promise<string[]> {
  const ids = await client.listImages([`${LABEL_KEYS.instance}=${instance}`], true);
  const removed: string[] = [];
  for (const id of ids) if (await client.removeImage(id)) removed.push(id);
  return removed;
}
