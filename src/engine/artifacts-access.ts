/**
 * What the engine needs to run `Upload` and `GetArtifactsFromStage`: the
 * artifact store, the operator's limits, and how links to stored files look.
 * The app builds one per stage run (forks get `untrusted`); `eve run` one
 * over a local folder.
 */
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import type { ArtifactUploadOptions } from "../artifacts/open-artifact-upload.js";

export interface ArtifactsAccess {
  store: ArtifactStore;
  /** Bytes and files one step and one build may store. */
  limits: ArtifactUploadOptions;
  /** How long a new container is kept before garbage collection. */
  retentionMs: number;
  /** Eve's ARTIFACTS_PREFIX ("staging-"), for names computed here. */
  prefix: string;
  /** A build of a fork's pull request: its containers are marked untrusted, its lookups see only untrusted ones. */
  untrusted: boolean;
  /** Where a stored file can be read (a page of the app, or a local file for `eve run`). */
  fileUrl(container: string, path: string): string;
}

/** The app's link to a stored file: `<artifacts base URL>/builds/<container>/<path>`, each segment encoded. */
export function getArtifactFileUrl(baseUrl: string, container: string, path: string): string {
  return `${baseUrl}/builds/${encodeURIComponent(container)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}
