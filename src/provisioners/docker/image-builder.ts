/**
 * The image of a docker stage with `path`: tagged by the hash of its build
 * context, built only when the engine lacks that tag. A failed build is
 * retried once without cache (Eve's EVE-215 workaround); its leftovers are
 * removed; the last failure fails the stage with the build's own output.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { WorkerRefusedError, type ResourceLabels } from "../types.js";
import { LABEL_KEYS } from "../labels.js";
import { readBuildContext, type BuildContext } from "./build-context.js";
import type { DockerClient } from "./docker-client.js";
import { createTarArchive, type ArchiveEntry } from "./tar-archive.js";

/**
 * Eve passed `--build-arg BUILDBOT_VERSION=<its Buildbot>` to every worker
 * image build, and real worker Dockerfiles rely on it (`ARG BUILDBOT_VERSION`
 * without a default, then `pip install buildbot-worker==${BUILDBOT_VERSION}`,
 * which fails on an empty version). The value is the Buildbot of Eve's last release.
 */
export const WORKER_BUILD_ARGS: Readonly<Record<string, string>> = { BUILDBOT_VERSION: "2.7.0" };

/** Label on every worker image Eve builds, so the cache can be bounded. */
export const WORKER_IMAGE_LABEL = "eve.image";

export interface WorkerImageRequest {
  repoDir: string;
  path: string;
  dockerfile: string | undefined;
  labels: ResourceLabels;
  log: (line: string) => void;
  signal: AbortSignal;
}

/** The image reference to run; throws ProvisionError when the context is refused or the build fails. */
export async function ensureWorkerImage(client: DockerClient, request: WorkerImageRequest): Promise<string> {
  const read = await readBuildContext(request.repoDir, request.path, request.dockerfile);
  if (!read.ok) {
    request.log(`eve: ${read.message}`);
    throw new WorkerRefusedError(read.message);
  }
  const { context } = read;
  const repo = `eve-${dockerName(request.labels.instance)}/${dockerName(basename(request.path)) || "context"}`;
  const tag = context.hash.slice(0, 32);
  const ref = `${repo}:${tag}`;

  const existing = await client.inspectImage(ref);
  if (existing) {
    // Re-tagging records the use (LastTagTime), which the cache bound evicts by.
    await client.tagImage(existing.id, repo, tag);
    request.log(`eve: using image ${ref} (build context unchanged)`);
    return ref;
  }

  const { instance, build, stage, attempt } = request.labels;
  const entries = await withLabels(context, {
    [LABEL_KEYS.instance]: instance,
    [LABEL_KEYS.build]: build,
    [LABEL_KEYS.stage]: stage,
    [LABEL_KEYS.attempt]: String(attempt),
    [WORKER_IMAGE_LABEL]: request.path,
  });
  let error = "";
  for (const noCache of [false, true]) {
    request.log(`eve: building image ${ref} from ${request.path}${noCache ? " without cache" : ""}`);
    const result = await client.buildImage(createTarArchive(entries), {
      tag: ref,
      dockerfile: context.dockerfile,
      noCache,
      buildArgs: declaredBuildArgs(entries, context.dockerfile),
      onLine: request.log,
      signal: request.signal,
    });
    if (result.ok) return ref;
    error = result.error;
    if (result.lastLayerId) await removeFailedLayer(client, result.lastLayerId);
    if (request.signal.aborted) break;
    request.log(`eve: image build failed: ${error}`);
  }
  // An engine that fails throws DockerEngineError before this: what is left is the Dockerfile's fault.
  throw new WorkerRefusedError(`building the image from '${request.path}' failed: ${error}`);
}

/**
 * The context's entries with one LABEL line appended to the Dockerfile: the
 * build API's `labels` cost one build step (a container) per label. The hash
 * was taken before, so labels naming the build never defeat the cache.
 */
async function withLabels(context: BuildContext, labels: Record<string, string>): Promise<ArchiveEntry[]> {
  // JSON quoting is valid Dockerfile quoting; `$` would start a variable.
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value).replaceAll("$", "\\$")}`);
  return Promise.all(
    context.entries.map(async (entry) => {
      if (entry.name !== context.dockerfile || entry.source === undefined) return entry;
      const content = Buffer.concat([await readFile(entry.source), Buffer.from(`\nLABEL ${pairs.join(" ")}\n`)]);
      return { ...entry, content, size: content.length };
    }),
  );
}

/** Eve's build args that the Dockerfile mentions: the engine warns about passed args it does not declare. */
function declaredBuildArgs(entries: readonly ArchiveEntry[], dockerfile: string): Record<string, string> {
  const text = entries.find((entry) => entry.name === dockerfile)?.content?.toString("utf8") ?? "";
  return Object.fromEntries(Object.entries(WORKER_BUILD_ARGS).filter(([name]) => text.includes(name)));
}

/**
 * The failed build's last layer is a dangling image; removing it prunes its
 * untagged parents too. When the build failed right after FROM, that layer is
 * the (tagged) base image, which must stay.
 */
async function removeFailedLayer(client: DockerClient, id: string): Promise<void> {
  const layer = await client.inspectImage(id);
  if (layer && layer.tags.length === 0) await client.removeImage(layer.id);
}

/** Lower-case letters, digits, `.`, `_` and `-`, as Docker repository names allow. */
export function dockerName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .slice(0, 64);
}
