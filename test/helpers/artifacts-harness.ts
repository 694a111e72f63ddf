/**
 * A disk artifact store in a temporary folder and the engine's access to it,
 * for Upload / GetArtifactsFromStage tests; `fileUrl` points into the store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskArtifactStore } from "../../src/artifacts/disk-artifact-store.js";
import type { ArtifactsAccess } from "../../src/engine/artifacts-access.js";

export interface ArtifactsHarness {
  store: DiskArtifactStore;
  access(overrides?: Partial<ArtifactsAccess>): ArtifactsAccess;
  remove(): void;
}

export const NO_LIMITS = { step: { maxBytes: Infinity, maxFiles: Infinity }, build: { maxBytes: Infinity, maxFiles: Infinity } };

export async function createArtifactsHarness(): Promise<ArtifactsHarness> {
  const root = mkdtempSync(join(tmpdir(), "eve-artifacts-test-"));
  const store = await new DiskArtifactStore(root).init();
  return {
    store,
    access: (overrides = {}) => ({
      store,
      limits: NO_LIMITS,
      retentionMs: 3600_000,
      prefix: "staging-",
      untrusted: false,
      fileUrl: (container, path) => `http://eve.test/artifacts/builds/${container}/${path}`,
      ...overrides,
    }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Properties of a version 0.2 build whose container is `github:o:r:staging-1.2.3.r240102030405.0123456789.<stage>.<build>`. */
export function buildProperties(stage: string, build = 1): Record<string, unknown> {
  return {
    eve_api_version: "0.2",
    stage_name: stage,
    revision: "0123456789abcdef0123456789abcdef01234567",
    git_host: "github",
    git_owner: "o",
    git_slug: "r",
    product_version: "1.2.3",
    commit_timestamp: "240102030405",
    commit_short_revision: "0123456789",
    bootstrap: build,
    artifacts_name: `github:o:r:staging-1.2.3.r240102030405.0123456789.${stage}.${String(build).padStart(8, "0")}`,
  };
}
