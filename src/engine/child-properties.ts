/**
 * The properties a triggered stage starts with: a copy of its parent's, then
 * what Eve's build order overrides (`eve/util/build_order.py`): stage name,
 * reason "<stage> (triggered by <parent>)", the bootstrap reason (set once),
 * the virtual builder name and tags, and the stage's simultaneous_builds.
 * Every launcher (in-process, queue) gives children these.
 */
import type { StageDef } from "../buildfile/types.js";
import type { PropertyValues } from "./types.js";

export function createChildProperties(parent: PropertyValues, parentStage: string, childStage: string, stageDef?: StageDef): PropertyValues {
  const child: PropertyValues = {};
  for (const [name, value] of Object.entries(parent)) {
    Object.defineProperty(child, name, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
  }
  if (!Object.hasOwn(child, "bootstrap_reason")) child.bootstrap_reason = parent.reason ?? "";
  child.stage_name = childStage;
  child.reason = `${childStage} (triggered by ${parentStage})`;
  child.virtual_builder_name = childStage;
  child.virtual_builder_tags = [parent.git_host, parent.git_owner, parent.git_slug, childStage].filter((tag) => typeof tag === "string" && tag !== "");
  if (stageDef?.simultaneousBuilds !== undefined) child.simultaneous_builds = stageDef.simultaneousBuilds;
  else delete child.simultaneous_builds;
  // The child's own worker sets these once it is spawned.
  delete child.builddir;
  delete child.workername;
  return child;
}
