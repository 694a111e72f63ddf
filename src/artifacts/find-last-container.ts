/**
 * Eve's `last_success` / `latest` lookups (scality/artifacts `find_build.lua`):
 * among the containers whose name starts with a prefix, the last in name
 * order (the build number is zero-padded, so the newest build of a commit
 * and stage) that ended as asked. Containers written by builds of forks are
 * never returned to a trusted asker.
 */
import type { ArtifactStore, ContainerInfo } from "./artifact-store.js";
import { compareKeys } from "./container-metadata.js";

export interface FindLastContainerOptions {
  /** Only containers whose build succeeded (`last_success`); otherwise any (`latest`). */
  successful: boolean;
  /** The asker is a build of a fork: it may see untrusted containers too. */
  untrusted: boolean;
  /** Refines the prefix match (GetArtifactsFromStage wants `<prefix>.<build number>` exactly). */
  accept?: (container: ContainerInfo) => boolean;
}

export async function findLastContainer(store: ArtifactStore, prefix: string, options: FindLastContainerOptions): Promise<ContainerInfo | undefined> {
  let last: ContainerInfo | undefined;
  for await (const container of store.listContainers(prefix)) {
    if (container.kind !== "artifacts" || !container.name.startsWith(prefix)) continue;
    if (container.untrusted && !options.untrusted) continue;
    if (options.successful && container.result !== "success") continue;
    if (options.accept && !options.accept(container)) continue;
    if (last === undefined || compareKeys(container.name, last.name) > 0) last = container;
  }
  return last;
}
