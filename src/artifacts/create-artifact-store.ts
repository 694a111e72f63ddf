/** The artifact store the settings ask for, ready to use. */
import type { ArtifactStoreSettings } from "./artifact-store-settings.js";
import type { ArtifactStore } from "./artifact-store.js";
import { DiskArtifactStore } from "./disk-artifact-store.js";
import { S3ArtifactStore } from "./s3-artifact-store.js";

export async function createArtifactStore(settings: Pick<ArtifactStoreSettings, "store" | "dir" | "s3">): Promise<ArtifactStore> {
  if (settings.store === "s3") return new S3ArtifactStore(settings.s3);
  return new DiskArtifactStore(settings.dir).init();
}

/** When a build's container expires: `retentionDays` after `now`. */
export function getArtifactsExpiry(now: Date, retentionDays: number): string {
  return new Date(now.getTime() + retentionDays * 86_400_000).toISOString();
}
