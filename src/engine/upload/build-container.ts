/**
 * The artifacts container a step of this build writes to: `artifacts_name`
 * (build files of version 0.2 and later), checked as Eve did before every
 * upload, since a step may have overwritten the property; for older files the
 * same name computed from the build's properties.
 */
import type { ArtifactsAccess } from "../artifacts-access.js";
import { getArtifactsName } from "../artifacts-properties.js";
import type { Properties } from "../properties.js";

export type BuildContainer = { name: string; stage: string | undefined } | { problem: string };

export function getBuildContainer(properties: Properties, access: ArtifactsAccess): BuildContainer {
  const values = properties.snapshot();
  const named = Number.parseFloat(String(values.eve_api_version)) >= 0.2 ? values.artifacts_name : getArtifactsName(values, access.prefix);
  if (typeof named !== "string" || named === "") {
    return { problem: "this build has no artifacts container: artifacts_name is set for builds of a commit (git host, owner, repository, commit date and revision known)" };
  }
  const match = containerPattern(access.prefix).exec(named);
  if (!match) return { problem: `artifacts_name ${JSON.stringify(named)} is malformed: expected <host>:<owner>:<repo>:${access.prefix}<version>.r<date>.<revision>.<stage>.<build>` };
  return { name: named, stage: match[1] };
}

/** Eve's `check_artifacts_name`, with the repository part required. */
function containerPattern(prefix: string): RegExp {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^[^:]+:[^:]+:[^:]+:${escaped}[0-9]+(?:\\.[0-9]+){1,3}\\.r[0-9]{12}\\.[0-9a-f]+(?:\\.(.+)\\.[0-9]+)?$`);
}
