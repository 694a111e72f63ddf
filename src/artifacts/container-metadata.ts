/** Container metadata as both stores keep it: a small JSON document. */
import { ArtifactMetadataError } from "./artifact-errors.js";
import type { ContainerMetadata, NewContainer } from "./artifact-store.js";

/** Fills the defaults of a new container's metadata. */
export function completeMetadata(metadata: NewContainer, now: Date): ContainerMetadata {
  return { ...metadata, kind: metadata.kind ?? "artifacts", createdAt: metadata.createdAt ?? now.toISOString(), untrusted: metadata.untrusted ?? false };
}

/** Parses a stored metadata document, refusing one that lacks the fields every container has. */
export function parseMetadata(name: string, text: string): ContainerMetadata {
  let parsed: Partial<ContainerMetadata>;
  try {
    parsed = JSON.parse(text) as Partial<ContainerMetadata>;
  } catch (error) {
    throw new ArtifactMetadataError(`artifact container ${name}: its metadata is not JSON`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || typeof parsed.createdAt !== "string" || typeof parsed.untrusted !== "boolean" || (parsed.expiresAt !== null && typeof parsed.expiresAt !== "string")) {
    throw new ArtifactMetadataError(`artifact container ${name}: its metadata lacks createdAt, untrusted or expiresAt`);
  }
  return { ...parsed, kind: parsed.kind ?? "artifacts" } as ContainerMetadata;
}

/** Orders keys as S3 lists them: by UTF-8 bytes (= code points), not by UTF-16 units as `sort()` does. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** For listings: a container whose metadata is damaged is left out (and left alone by gc), not fatal to the rest. */
export function skipDamaged(error: unknown): undefined {
  if (error instanceof ArtifactMetadataError) return undefined;
  throw error;
}
