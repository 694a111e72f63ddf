/** Container metadata as both stores keep it: a small JSON document. */
import type { ContainerMetadata, NewContainer } from "./artifact-store.js";

/** Fills the defaults of a new container's metadata. */
export function completeMetadata(metadata: NewContainer, now: Date): ContainerMetadata {
  return { ...metadata, kind: metadata.kind ?? "artifacts", createdAt: metadata.createdAt ?? now.toISOString(), untrusted: metadata.untrusted ?? false };
}

/** Parses a stored metadata document, refusing one that lacks the fields every container has. */
export function parseMetadata(text: string): ContainerMetadata {
  const parsed = JSON.parse(text) as Partial<ContainerMetadata>;
  if (typeof parsed.createdAt !== "string" || typeof parsed.untrusted !== "boolean" || (parsed.expiresAt !== null && typeof parsed.expiresAt !== "string")) {
    throw new Error(`artifact container metadata is malformed: ${text.slice(0, 200)}`);
  }
  return { ...parsed, kind: parsed.kind ?? "artifacts" } as ContainerMetadata;
}

/** Orders keys as S3 lists them: by UTF-8 bytes (= code points), not by UTF-16 units as `sort()` does. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
