/**
 * Eve's promotion: a build's container copied to
 * `<host>:<owner>:<repo>:<prefix with "staging-" → "promoted-"><tag>` and kept
 * forever. The source must be a container whose build succeeded and that no
 * fork wrote (Eve asked for its `.final_status`).
 */
import { ArtifactExistsError } from "./artifact-errors.js";
import type { ArtifactStore } from "./artifact-store.js";

export type PromoteResult = { promoted: string } | { problem: string };

/** A tag as Eve accepted it for promotion: a git tag name without `/`. */
const TAG = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

export function isPromotionTag(tag: string): boolean {
  return TAG.test(tag) && !tag.includes("..");
}

/** The promoted container's name; undefined when `container` is not `<host>:<owner>:<repo>:…`. */
export function getPromotedName(container: string, tag: string, prefix: string): string | undefined {
  const parts = container.split(":");
  if (parts.length < 4) return undefined;
  const promoted = prefix.endsWith("staging-") ? `${prefix.slice(0, -"staging-".length)}promoted-` : `${prefix}promoted-`;
  return `${parts.slice(0, 3).join(":")}:${promoted}${tag}`;
}

export async function promoteContainer(store: ArtifactStore, container: string, tag: string, prefix: string): Promise<PromoteResult> {
  if (!isPromotionTag(tag)) return { problem: `\`${tag.slice(0, 100)}\` is not a tag Eve promotes to (letters, digits, . _ + -, no '/')` };
  const source = await store.getContainer(container);
  if (source === undefined) return { problem: `there is no artifacts container ${container} (never uploaded to, or expired)` };
  if (source.untrusted) return { problem: `${container} was written by a build of a fork: it cannot be promoted` };
  if (source.result !== "success") return { problem: `the build of ${container} did not succeed (${source.result ?? "not finished"}): only successful builds are promoted` };
  const target = getPromotedName(container, tag, prefix);
  if (target === undefined) return { problem: `${container} is not a build's container` };
  try {
    await store.copyContainer(container, target, {
      expiresAt: null,
      promotedFrom: container,
      ...(source.commit ? { commit: source.commit } : {}),
      ...(source.stage ? { stage: source.stage } : {}),
      result: "success",
    });
  } catch (error) {
    if (error instanceof ArtifactExistsError) return { problem: `${target} exists already: a tag is promoted once` };
    throw error;
  }
  return { promoted: target };
}
