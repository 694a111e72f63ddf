/**
 * One step's upload into a build's container, within the step's and the build's limits, and
 * undoable: a step that goes over a limit (or fails) calls `rollback()` and leaves the container as
 * it found it, apart from files it replaced. Works on any ArtifactStore.
 */
import type { Readable } from "node:stream";
import { ArtifactLimitError } from "./artifact-errors.js";
import type { ArtifactStore, FileInfo } from "./artifact-store.js";

/** Bytes and files allowed; Infinity for no limit. */
export interface ArtifactLimits {
  maxBytes: number;
  maxFiles: number;
}

export interface ArtifactUploadOptions {
  /** What this upload (one step) may store. */
  step: ArtifactLimits;
  /** What the whole container (one build) may hold, this upload included. */
  build: ArtifactLimits;
}

export interface ArtifactUpload {
  /** Stores one file (calls are serialised); ArtifactLimitError when a limit would be passed, nothing listed. */
  put(path: string, body: Readable | AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<FileInfo>;
  /** Deletes every file this upload stored. */
  rollback(): Promise<void>;
  /** Files stored so far, in order. */
  readonly stored: readonly FileInfo[];
  /** Bytes stored so far. */
  readonly bytes: number;
}

/**
 * Opens an upload into `container` (which must exist). The build's usage is read once here: steps
 * of one build uploading at the same moment may together pass the build limit by what they upload
 * at once (each within its step limit).
 */
export async function openArtifactUpload(store: ArtifactStore, container: string, options: ArtifactUploadOptions): Promise<ArtifactUpload> {
  let buildBytes = 0;
  let buildFiles = 0;
  for await (const file of store.listFiles(container)) {
    buildBytes += file.size;
    buildFiles += 1;
  }
  const stored: FileInfo[] = [];
  let bytes = 0;
  let queue: Promise<unknown> = Promise.resolve();

  const putNow = async (path: string, body: Readable | AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<FileInfo> => {
    if (stored.length + 1 > options.step.maxFiles || buildFiles + stored.length + 1 > options.build.maxFiles) {
      destroyBody(body);
      const which = stored.length + 1 > options.step.maxFiles ? `step's limit of ${options.step.maxFiles}` : `build's limit of ${options.build.maxFiles}`;
      throw new ArtifactLimitError(`${path}: one file more than the ${which} files; not stored`);
    }
    const maxBytes = Math.min(options.step.maxBytes - bytes, options.build.maxBytes - buildBytes - bytes);
    try {
      const info = await store.putFile(container, path, body, { maxBytes, ...(signal ? { signal } : {}) });
      stored.push(info);
      bytes += info.size;
      return info;
    } catch (error) {
      if (error instanceof ArtifactLimitError) {
        const which = options.step.maxBytes - bytes <= options.build.maxBytes - buildBytes - bytes ? `step's limit of ${options.step.maxBytes}` : `build's limit of ${options.build.maxBytes}`;
        throw new ArtifactLimitError(`${path}: over the ${which} bytes; not stored`, { cause: error });
      }
      throw error;
    }
  };

  return {
    put(path, body, signal) {
      const result = queue.then(() => putNow(path, body, signal));
      queue = result.catch(() => {});
      return result;
    },
    async rollback() {
      await queue;
      for (const file of stored.splice(0)) await store.deleteFile(container, file.path);
      bytes = 0;
    },
    get stored() {
      return stored;
    },
    get bytes() {
      return bytes;
    },
  };
}

function destroyBody(body: Readable | AsyncIterable<Uint8Array>): void {
  if ("destroy" in body && typeof body.destroy === "function") body.destroy();
}
