/**
 * The artifact store as a stage job sees it: one store for the process, the
 * operator's limits and retention, and links to the app's artifact pages. A
 * fork's build gets an untrusted view.
 */
import type { ArtifactStoreSettings } from "../artifacts/artifact-store-settings.js";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import { getArtifactFileUrl, type ArtifactsAccess } from "../engine/artifacts-access.js";
import type { ArtifactsNaming } from "../engine/artifacts-properties.js";

export interface StageArtifacts {
  /** Created once per process (the disk store prepares its folders first). */
  store: Promise<ArtifactStore>;
  settings: Pick<ArtifactStoreSettings, "limits" | "retentionDays">;
}

export async function getArtifactsAccess(artifacts: StageArtifacts, naming: ArtifactsNaming, untrusted: boolean): Promise<ArtifactsAccess> {
  return {
    store: await artifacts.store,
    limits: artifacts.settings.limits,
    retentionMs: artifacts.settings.retentionDays * 86_400_000,
    prefix: naming.prefix,
    untrusted,
    fileUrl: (container, path) => getArtifactFileUrl(naming.publicUrl, container, path),
  };
}
