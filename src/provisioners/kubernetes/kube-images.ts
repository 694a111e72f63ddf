/**
 * A kube_pod stage's `images`: each built like a docker worker's image (same
 * context checks, same content-hash tag, same cache) and pushed to the
 * operator's registry, so the cluster can pull it. The template sees the
 * pushed names.
 */
import { basename } from "node:path";
import type { KubePodImage } from "./kube-pod-worker-spec.js";
import type { DockerClient } from "../docker/docker-client.js";
import { dockerName, ensureWorkerImage } from "../docker/image-builder.js";
import { ProvisionError, type SpawnContext } from "../types.js";

export async function ensurePodImages(docker: DockerClient, images: Record<string, string | KubePodImage>, registry: string | undefined, context: SpawnContext): Promise<Record<string, string>> {
  const pushed: Record<string, string> = {};
  const entries = Object.entries(images);
  if (entries.length === 0) return pushed;
  if (!registry) throw new ProvisionError("this Eve has no registry for kube_pod images (setting EVE_KUBE_REGISTRY)");
  if (context.repoDir === undefined) throw new ProvisionError("a kube_pod worker with `images` needs the repository checkout");
  for (const [name, image] of entries) {
    const { context: path, dockerfile } = typeof image === "string" ? { context: image, dockerfile: undefined } : image;
    const local = await ensureWorkerImage(docker, { repoDir: context.repoDir, path, dockerfile, labels: context.labels, log: context.log, signal: context.signal });
    const tag = local.slice(local.lastIndexOf(":") + 1);
    const repo = `${registry.replace(/\/+$/, "")}/${dockerName(context.labels.instance) || "eve"}-${dockerName(basename(path)) || "context"}`;
    const info = await docker.inspectImage(local);
    if (!info) throw new ProvisionError(`the image built for '${name}' is gone`);
    await docker.tagImage(info.id, repo, tag);
    context.log(`eve: pushing image ${repo}:${tag} for '${name}'`);
    const result = await docker.pushImage(`${repo}:${tag}`, context.log);
    if (!result.ok) throw new ProvisionError(`pushing the image of '${name}' to ${registry} failed: ${result.error}`);
    pushed[name] = `${repo}:${tag}`;
  }
  return pushed;
}
