/**
 * `type: docker` workers: one fresh container per stage run, from a static
 * `image` or an image built from the repository's `path`, idle until steps
 * run in it through exec, removed with its anonymous volumes at teardown.
 */
import type { WorkerSpec } from "../../buildfile/types.js";
import { isDockerWorkerSpec, type DockerWorkerSpec } from "./docker-worker-spec.js";
import { toLabelMap } from "../labels.js";
import { ProvisionError, WorkerRefusedError, type Provisioner, type SpawnContext, type Workspace } from "../types.js";
import { resolveHostPath } from "../safe-path.js";
import { DockerClient, DockerEngineError, type ContainerSpec, type MountSpec } from "./docker-client.js";
import { DEFAULT_DOCKER_SETTINGS, type DockerSettings } from "./docker-settings.js";
import { DockerWorkspace } from "./docker-workspace.js";
import { dockerName, ensureWorkerImage } from "./image-builder.js";
import { pruneImageCache } from "./image-cache.js";
import { pullFailureError } from "./pull-failure.js";
import { resolveMemoryLimit } from "./memory.js";
import { parseVolumes } from "./volumes.js";

/** The container's main process: idles until teardown (the init, docker-init, makes stop instant). */
const IDLE_ENTRYPOINT = ["/bin/sh", "-c", "while :; do sleep 86400; done"];
const DOCKER_SOCKET = "/var/run/docker.sock";

export interface DockerProvisionerOptions {
  settings?: Partial<DockerSettings>;
  /** A client to share (tests, the reaper); by default one built from `settings.engine`. */
  client?: DockerClient;
}

export class DockerProvisioner implements Provisioner {
  readonly type = "docker" as const;
  readonly settings: DockerSettings;
  readonly client: DockerClient;

  constructor(options: DockerProvisionerOptions = {}) {
    this.settings = { ...DEFAULT_DOCKER_SETTINGS, ...options.settings };
    this.client = options.client ?? new DockerClient(this.settings.engine);
  }

  ping(): Promise<void> {
    return this.client.ping();
  }

  async spawn(spec: WorkerSpec, context: SpawnContext): Promise<Workspace> {
    if (!isDockerWorkerSpec(spec)) throw new ProvisionError(`the docker provisioner cannot spawn a '${spec.type}' worker`);
    const container = refuseUnless(context, await this.#containerSpec(spec, context));
    container.image = await this.#image(spec, context);
    abortIfCancelled(context);

    const id = await this.#create(container, context);
    const workspace = new DockerWorkspace(this.client, id, this.settings.builderDir, dockerProperties(spec, container.image));
    try {
      await this.client.startContainer(id);
      abortIfCancelled(context);
    } catch (error) {
      await workspace.teardown().catch(() => undefined);
      throw error;
    }
    return workspace;
  }

  async #containerSpec(spec: DockerWorkerSpec, context: SpawnContext): Promise<ContainerSpec | string> {
    const memory = resolveMemoryLimit(spec.memory, this.settings.maxMemory);
    if (!memory.ok) return memory.message;
    const volumes = parseVolumes(spec.volumes ?? [], this.settings.allowedBindPaths);
    if (!volumes.ok) return volumes.message;
    const mounts = await this.#resolveBindSources(volumes.volumes.mounts);
    if (typeof mounts === "string") return mounts;
    if (this.settings.mountDockerSocket) mounts.push({ type: "bind", source: DOCKER_SOCKET, target: DOCKER_SOCKET, readOnly: false });
    return {
      name: `eve-${dockerName(context.labels.run) || "stage"}`,
      image: "",
      labels: toLabelMap(context.labels),
      entrypoint: IDLE_ENTRYPOINT,
      memoryBytes: memory.bytes,
      nanoCpus: Math.round(this.settings.cpus * 1e9),
      networkMode: this.settings.networkMode,
      privileged: this.settings.privileged,
      mounts,
      anonymousVolumes: volumes.volumes.anonymous,
    };
  }

  /**
   * Bind sources with links resolved (a link under an allowed path must not
   * lead out of it), so the engine mounts exactly what was checked. Only when
   * the engine runs on this host: a remote engine's paths are not ours to see.
   */
  async #resolveBindSources(mounts: readonly MountSpec[]): Promise<MountSpec[] | string> {
    const host = this.settings.engine.host ?? process.env.DOCKER_HOST;
    if (host !== undefined && !host.startsWith("unix://")) return [...mounts];
    const resolved: MountSpec[] = [];
    for (const mount of mounts) {
      if (mount.type !== "bind") {
        resolved.push(mount);
        continue;
      }
      const safe = await resolveHostPath(mount.source, this.settings.allowedBindPaths);
      if (!safe.ok) return `volume '${mount.source}:${mount.target}': ${safe.message}`;
      resolved.push({ ...mount, source: safe.path });
    }
    return resolved;
  }

  async #image(spec: DockerWorkerSpec, context: SpawnContext): Promise<string> {
    if (spec.image !== undefined) return context.interpolate(spec.image);
    if (spec.path === undefined) return refuse(context, "a docker worker needs `image` or `path`");
    if (context.repoDir === undefined) return refuse(context, "a docker worker with `path` needs the repository checkout");
    const ref = await ensureWorkerImage(this.client, {
      repoDir: context.repoDir,
      path: spec.path,
      dockerfile: spec.dockerfile,
      labels: context.labels,
      log: context.log,
      signal: context.signal,
    });
    await pruneImageCache(this.client, context.labels.instance, this.settings.maxCachedImages);
    return ref;
  }

  /** Creates the container, pulling a static image the engine does not have yet. */
  async #create(container: ContainerSpec, context: SpawnContext): Promise<string> {
    try {
      return await this.client.createContainer(container);
    } catch (error) {
      // 400: the engine refused the container Eve asked for; the image reference is the one part the file writes freely.
      if (error instanceof DockerEngineError && error.statusCode === 400) refuse(context, `the Docker Engine refused the container: ${error.message}`);
      if (!(error instanceof DockerEngineError) || error.statusCode !== 404) throw error;
    }
    context.log(`eve: pulling image ${container.image}`);
    const pulled = await this.client.pullImage(container.image, context.log);
    if (!pulled.ok) {
      const error = pullFailureError(container.image, pulled);
      context.log(`eve: ${error.message}`);
      throw error;
    }
    return this.client.createContainer(container);
  }
}

/** A refusal (string) is logged to the stage and thrown; anything else passes through. */
function refuseUnless<T extends object>(context: SpawnContext, value: T | string): T {
  return typeof value === "string" ? refuse(context, value) : value;
}

function refuse(context: SpawnContext, message: string): never {
  context.log(`eve: ${message}`);
  throw new WorkerRefusedError(message);
}

function abortIfCancelled(context: SpawnContext): void {
  if (context.signal.aborted) throw new ProvisionError("the stage was cancelled while its container was being prepared", { cause: context.signal.reason });
}

/** What Eve's DockerBuildOrder set: the image the container runs (the tag built from `path`, or `image`), memory, volumes, path. */
function dockerProperties(spec: DockerWorkerSpec, image: string): Record<string, unknown> {
  return { docker_image: image, docker_memory: spec.memory ?? null, docker_volumes: spec.volumes ?? [], ...(spec.image === undefined ? { worker_path: spec.path ?? null } : {}) };
}
