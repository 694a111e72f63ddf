/**
 * The one file that speaks dockerode. Everything else in Eve sees these small
 * methods and plain types, and every failure of the engine as a
 * DockerEngineError (a ProvisionError carrying the HTTP status).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { ProvisionError } from "../types.js";
import type { DockerEngineOptions } from "./docker-settings.js";
import { createBuildProgress } from "./build-progress.js";
import type { BuildImageOptions, BuildImageResult, ContainerSpec, ContainerSummary, ExecHandle, ExecSpec, ImageInfo, RegistryAuth } from "./docker-types.js";

export type { BuildImageOptions, BuildImageResult, ContainerSpec, ContainerSummary, ExecHandle, ExecSpec, ImageInfo, MountSpec, RegistryAuth } from "./docker-types.js";

/** The engine refused or failed a request. */
export class DockerEngineError extends ProvisionError {
  /** HTTP status of the engine's answer, undefined when it never answered. */
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

export class DockerClient {
  readonly #docker: Docker;

  constructor(engine: DockerEngineOptions = {}) {
    this.#docker = new Docker(connectionOptions(engine));
  }

  async ping(): Promise<void> {
    await call("ping the engine", () => this.#docker.ping());
  }

  async buildImage(context: Readable, options: BuildImageOptions): Promise<BuildImageResult> {
    const stream = await call("start an image build", () =>
      this.#docker.buildImage(context, {
        t: options.tag,
        dockerfile: options.dockerfile,
        nocache: options.noCache,
        ...(options.buildArgs ? { buildargs: options.buildArgs } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
        rm: true,
        forcerm: true,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      }),
    );
    const progress = createBuildProgress(options.onLine);
    // Build errors arrive as events in a 200 response: they never reject.
    await new Promise<void>((resolve, reject) => {
      this.#docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(new DockerEngineError(`image build stream failed: ${err.message}`, undefined, { cause: err })) : resolve()),
        progress.onEvent,
      );
    });
    const { error, imageId, lastLayerId } = progress.finish();
    if (error !== undefined) return { ok: false, error, lastLayerId };
    const built = imageId ?? (await this.inspectImage(options.tag))?.id;
    if (!built) return { ok: false, error: "the build reported no image", lastLayerId };
    return { ok: true, imageId: built };
  }

  /**
   * Pulls `ref`. A failure carries the engine's HTTP status when it refused
   * the pull outright (400 invalid reference, 404 no such image, 500 registry
   * or network); a failure reported in the progress stream, after the pull
   * started, has none.
   */
  async pullImage(ref: string, onLine: (line: string) => void, auth?: RegistryAuth): Promise<{ ok: true } | { ok: false; error: string; statusCode?: number }> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.#docker.pull(ref, auth ? { authconfig: auth } : {});
    } catch (error) {
      const statusCode = statusOf(error);
      return statusCode === undefined ? { ok: false, error: messageOf(error) } : { ok: false, error: messageOf(error), statusCode };
    }
    return this.#followProgress(stream, onLine);
  }

  /** Pushes `ref` (`registry/repo:tag`) to its registry (without credentials an empty header: the engine requires one); failures arrive as progress events. */
  async pushImage(ref: string, onLine: (line: string) => void, auth?: RegistryAuth): Promise<{ ok: true } | { ok: false; error: string }> {
    const stream = await call(`push image ${ref}`, () => this.#docker.getImage(ref).push({ authconfig: auth ?? {} }));
    return this.#followProgress(stream, onLine);
  }

  /** Reads a pull or push progress stream to its end; the engine reports failures as events, not as errors. */
  async #followProgress(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<{ ok: true } | { ok: false; error: string }> {
    let failure: string | undefined;
    await new Promise<void>((resolve) => {
      this.#docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          if (err) failure ??= err.message;
          resolve();
        },
        (event: { status?: string; id?: string; error?: string }) => {
          if (event.error !== undefined) failure = event.error;
          else if (event.status && !event.id) onLine(event.status);
        },
      );
    });
    return failure === undefined ? { ok: true } : { ok: false, error: failure };
  }

  /** The image, or undefined when the engine has none of that name. */
  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.#docker.getImage(ref).inspect();
      const meta = (info as { Metadata?: { LastTagTime?: string } }).Metadata;
      const lastTag = meta?.LastTagTime && !meta.LastTagTime.startsWith("0001") ? meta.LastTagTime : info.Created;
      return { id: info.Id, tags: info.RepoTags ?? [], labels: info.Config?.Labels ?? {}, lastUsed: new Date(lastTag) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw engineError(`inspect image ${ref}`, error);
    }
  }

  async tagImage(id: string, repo: string, tag: string): Promise<void> {
    await call(`tag image ${repo}:${tag}`, () => this.#docker.getImage(id).tag({ repo, tag }));
  }

  /** Ids of images carrying every label; `dangling` restricts to untagged ones. */
  async listImages(labels: string[], dangling = false): Promise<string[]> {
    const filters: Record<string, string[]> = { label: labels };
    if (dangling) filters.dangling = ["true"];
    const images = await call("list images", () => this.#docker.listImages({ filters }));
    return images.map((image) => image.Id);
  }

  /** Removes an image unless a container uses it; false when it could not or was gone. */
  async removeImage(id: string): Promise<boolean> {
    try {
      await this.#docker.getImage(id).remove({ force: false, noprune: false });
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 409) return false;
      throw engineError(`remove image ${id}`, error);
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const container = await call(`create container ${spec.name}`, () =>
      this.#docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        Entrypoint: spec.entrypoint,
        Cmd: [],
        Volumes: Object.fromEntries(spec.anonymousVolumes.map((path) => [path, {}])),
        HostConfig: {
          Init: true,
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes,
          NanoCpus: spec.nanoCpus,
          NetworkMode: spec.networkMode,
          Privileged: spec.privileged,
          Mounts: spec.mounts.map((mount) => ({ Type: mount.type, Source: mount.source, Target: mount.target, ReadOnly: mount.readOnly })),
        },
      }),
    );
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await call(`start container ${id}`, () => this.#docker.getContainer(id).start());
  }

  /** The environment the container's processes start with (the image's ENV). */
  async containerEnv(id: string): Promise<Record<string, string>> {
    const info = await call(`inspect container ${id}`, () => this.#docker.getContainer(id).inspect());
    const env: Record<string, string> = {};
    for (const entry of info.Config.Env ?? []) {
      const at = entry.indexOf("=");
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  }

  /** Kills and removes a container with its anonymous volumes; a missing container is not an error. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.#docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      // 404: already gone; 409: a removal is already in progress.
      const status = statusOf(error);
      if (status !== 404 && status !== 409) throw engineError(`remove container ${id}`, error);
    }
  }

  async listContainers(labels: string[]): Promise<ContainerSummary[]> {
    const containers = await call("list containers", () => this.#docker.listContainers({ all: true, filters: { label: labels } }));
    return containers.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ""), state: c.State, labels: c.Labels ?? {} }));
  }

  async exec(containerId: string, spec: ExecSpec): Promise<ExecHandle> {
    const exec = await call("create an exec", () =>
      this.#docker.getContainer(containerId).exec({ Cmd: spec.cmd, Env: spec.env, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: spec.tty }),
    );
    const output = await call("start an exec", () => exec.start({ hijack: true, stdin: false, Tty: spec.tty }));
    return {
      output,
      inspect: async () => {
        const info = await call("inspect an exec", () => exec.inspect());
        return { running: info.Running, exitCode: info.Running ? null : info.ExitCode, pid: info.Pid };
      },
    };
  }
}

function connectionOptions(engine: DockerEngineOptions): Docker.DockerOptions | undefined {
  // Without an explicit host, docker-modem reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself.
  if (!engine.host) return undefined;
  if (engine.host.startsWith("unix://")) return { socketPath: engine.host.slice("unix://".length) };
  const url = new URL(engine.host.replace(/^tcp:/, engine.tlsVerify ? "https:" : "http:"));
  const options: Docker.DockerOptions = { host: url.hostname, port: url.port || (engine.tlsVerify ? "2376" : "2375"), protocol: engine.tlsVerify ? "https" : "http" };
  if (engine.certPath) {
    options.ca = readFileSync(join(engine.certPath, "ca.pem"));
    options.cert = readFileSync(join(engine.certPath, "cert.pem"));
    options.key = readFileSync(join(engine.certPath, "key.pem"));
  }
  return options;
}

async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw engineError(action, error);
  }
}

function engineError(action: string, error: unknown): DockerEngineError {
  return new DockerEngineError(`Docker Engine could not ${action}: ${messageOf(error)}`, statusOf(error), { cause: error });
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

function messageOf(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === "string") return json.message;
  return error instanceof Error ? error.message : String(error);
}
