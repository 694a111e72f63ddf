/**
 * When a build's top stage ends, its result is written on the build's
 * artifacts container: `GetArtifactsFromStage` (Eve's `last_success`) only
 * returns containers of builds that succeeded. Only the build that created
 * the container may mark it (a step can point `artifacts_name` anywhere).
 */
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import type { BuildResult } from "./results.js";
import type { PropertyValues } from "./types.js";

export async function recordArtifactsResult(store: ArtifactStore, properties: PropertyValues, build: string, result: BuildResult): Promise<void> {
  const name = properties.artifacts_name;
  if (typeof name !== "string" || name === "") return;
  let container;
  try {
    container = await store.getContainer(name);
  } catch {
    // A name the store refuses was never a container.
    return;
  }
  if (container === undefined || container.buildId !== build) return;
  await store.updateContainer(name, { result });
}
