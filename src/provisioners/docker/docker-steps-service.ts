/**
 * The Docker* steps against the operator's Docker Engine (Eve ran them on
 * its master under one lock): contexts read from the checkout with the
 * docker worker's own reader (paths cannot leave the repository, no links,
 * `.dockerignore`), builds of one image one at a time, pushes and pulls with
 * the operator's registry credentials.
 */
import type { DockerBuildRequest, DockerStepResult, DockerStepsAccess } from "./docker-steps-access.js";
import { readBuildContext } from "./build-context.js";
import type { DockerClient } from "./docker-client.js";
import { getRegistryAuth, type RegistryAuths } from "./registry-auth.js";
import { createTarArchive } from "./tar-archive.js";

export class DockerStepsService implements DockerStepsAccess {
  readonly #createClient: () => Promise<DockerClient>;
  #client: Promise<DockerClient> | undefined;
  readonly #auths: RegistryAuths;
  /** The last operation on each image: the next one waits for it. */
  readonly #locks = new Map<string, Promise<unknown>>();

  /** `createClient`: called once, by the first step that needs the engine. */
  constructor(createClient: () => Promise<DockerClient>, auths: RegistryAuths) {
    this.#createClient = createClient;
    this.#auths = auths;
  }

  build(request: DockerBuildRequest): Promise<DockerStepResult> {
    return this.#serialised(request.image, async () => {
      const read = await readBuildContext(request.repoDir, request.contextDir, request.dockerfile);
      if (!read.ok) return { ok: false, error: read.message };
      const client = await this.#engine();
      const built = await client.buildImage(createTarArchive(read.context.entries), {
        tag: request.image,
        dockerfile: read.context.dockerfile,
        noCache: request.noCache,
        buildArgs: request.buildArgs,
        labels: request.labels,
        onLine: request.onLine,
        signal: request.signal,
      });
      return built.ok ? { ok: true } : { ok: false, error: built.error };
    });
  }

  async fingerprint(repoDir: string, contextDir: string, dockerfile: string | undefined): Promise<{ ok: true; fingerprint: string } | { ok: false; error: string }> {
    const read = await readBuildContext(repoDir, contextDir, dockerfile);
    return read.ok ? { ok: true, fingerprint: read.context.hash } : { ok: false, error: read.message };
  }

  async exists(image: string): Promise<boolean> {
    const client = await this.#engine();
    return (await client.inspectImage(image)) !== undefined;
  }

  pull(image: string, onLine: (line: string) => void): Promise<DockerStepResult> {
    return this.#serialised(image, async () => {
      const client = await this.#engine();
      const pulled = await client.pullImage(image, onLine, getRegistryAuth(image, this.#auths));
      return pulled.ok ? { ok: true } : { ok: false, error: pulled.error };
    });
  }

  push(image: string, onLine: (line: string) => void): Promise<DockerStepResult> {
    return this.#serialised(image, async () => {
      const client = await this.#engine();
      const pushed = await client.pushImage(image, onLine, getRegistryAuth(image, this.#auths));
      return pushed.ok ? { ok: true } : { ok: false, error: pushed.error };
    });
  }

  #engine(): Promise<DockerClient> {
    this.#client ??= this.#createClient();
    return this.#client;
  }

  async #serialised<T>(image: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(image) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.#locks.set(image, next);
    try {
      return await next;
    } finally {
      if (this.#locks.get(image) === next) this.#locks.delete(image);
    }
  }
}
