import { Readable } from "node:stream";
import { ArtifactExistsError } from "../artifacts/artifact-errors.js";
import type { ArtifactStore, ContainerFile, NewContainer } from "../artifacts/artifact-store.js";

/** Tries per store (0.2 s, then 0.8 s apart) before it is given up. */
const STORE_ATTEMPTS = 3;

/**
 * Stores files in one run's log container, retrying. The container is made
 * by the first store, with that store's files in it: a short log (the
 * common case) is one container made whole with its only segment and its
 * manifest, a handful of file system calls.
 */
export class LogContainerFiles {
  readonly #store: ArtifactStore;
  readonly #container: string;
  readonly #newContainer: () => NewContainer;
  /** Resolves to whether the container exists; undefined until it is known to or being made. */
  #containerMade: Promise<boolean> | undefined;

  /** `exists`: an earlier writer made the container. `newContainer`: its metadata, should this one make it. */
  constructor(store: ArtifactStore, container: string, exists: boolean, newContainer: () => NewContainer) {
    this.#store = store;
    this.#container = container;
    this.#containerMade = exists ? Promise.resolve(true) : undefined;
    this.#newContainer = newContainer;
  }

  /** Stores `files` in order; rejects with the last error once every try failed. */
  async store(files: ContainerFile[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#storeFiles(files);
        return;
      } catch (error) {
        if (attempt >= STORE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (attempt - 1)));
      }
    }
  }

  /** Stores files in the container; the first store makes the container with them in it. */
  async #storeFiles(files: ContainerFile[]): Promise<void> {
    const made = this.#containerMade;
    if (made === undefined || !(await made)) {
      const making = this.#makeContainer(files);
      // Other segments wait on this; a failure means "not made", and the next store tries again.
      this.#containerMade = making.then(() => true, () => false);
      if (await making) return;
    }
    // In order: the manifest, last, never lists a segment that is not stored.
    for (const file of files) await this.#store.putFile(this.#container, file.path, Readable.from([file.body]), { unique: file.unique ?? false });
  }

  /** True when it made the container with `files`; false when the container was there already (files not stored). */
  async #makeContainer(files: ContainerFile[]): Promise<boolean> {
    try {
      await this.#store.createContainer(this.#container, this.#newContainer(), files);
      return true;
    } catch (error) {
      if (error instanceof ArtifactExistsError) return false;
      throw error;
    }
  }
}
