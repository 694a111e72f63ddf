/**
 * Eve's artifacts naming (reference §1.9, §1.11): one container per build,
 * shared by every stage it triggers, named after the repository, product
 * version, commit and top stage, and the URLs of that container.
 */
import { withBuildToken } from "../access/build-access-token.js";
import type { PropertyValues } from "./types.js";

/** Where the artifact pages are and how containers are named. */
export interface ArtifactsNaming {
  /** Public base URL of the artifact pages (`<base>/builds/<container>`), no trailing slash. */
  publicUrl: string;
  /** Base URL a worker reads artifacts back from; the public one unless the operator says otherwise. */
  privateUrl: string;
  /** Eve's ARTIFACTS_PREFIX: "staging-". */
  prefix: string;
  /**
   * The token `artifacts_private_url` carries so that a worker can read a
   * private repository's artifacts (src/access/build-access-token.ts); none:
   * the URL carries no token.
   */
  mintToken?: (container: string) => string;
}

export const DEFAULT_ARTIFACTS_PREFIX = "staging-";

/** Eve's own check of a container name before it uploads (`eve/steps/artifacts.py`). */
const CONTAINER_NAME = /^[^:/\s]+:[^:/\s]+:[^:/\s]+:[^/\s]+$/;

/** True when `name` has the shape `<host>:<owner>:<repo>:<rest>` with nothing that could leave a path. */
export function isArtifactsName(name: string): boolean {
  return CONTAINER_NAME.test(name) && !name.includes("..") && !name.includes("\0");
}

/**
 * The container name without its build number: what `last_success` looks up
 * for a stage (`GetArtifactsFromStage`). Undefined when a part is missing.
 */
export function getArtifactsPrefix(properties: PropertyValues, stage: string, prefix: string): string | undefined {
  const parts = ["git_host", "git_owner", "git_slug", "product_version", "commit_timestamp", "commit_short_revision"].map((key) => properties[key]);
  if (parts.some((part) => typeof part !== "string" || part === "")) return undefined;
  const [host, owner, slug, version, timestamp, revision] = parts as string[];
  return `${host}:${owner}:${slug}:${prefix}${version}.r${timestamp}.${revision}.${stage}`;
}

/** `<prefix of the top stage>.<bootstrap number padded to 8>`, from the build's properties. */
export function getArtifactsName(properties: PropertyValues, prefix: string): string | undefined {
  const stage = properties.stage_name;
  const bootstrap = properties.bootstrap ?? properties.buildnumber;
  if (typeof stage !== "string" || typeof bootstrap !== "number") return undefined;
  const base = getArtifactsPrefix(properties, stage, prefix);
  return base === undefined ? undefined : `${base}.${String(bootstrap).padStart(8, "0")}`;
}

/**
 * The top stage's properties with `artifacts_name`, `artifacts_public_url` and
 * `artifacts_private_url` added, as Eve's bootstrap did for build files of
 * version 0.2 and later. Unchanged when the file is older or a part is missing
 * (a build of no commit).
 */
export function withArtifactsProperties(properties: PropertyValues, naming: ArtifactsNaming): PropertyValues {
  if (Number.parseFloat(String(properties.eve_api_version)) < 0.2) return properties;
  const name = getArtifactsName(properties, naming.prefix);
  if (name === undefined) return properties;
  return {
    ...properties,
    artifacts_name: name,
    artifacts_public_url: `${naming.publicUrl}/builds/${name}`,
    artifacts_private_url: naming.mintToken ? withBuildToken(`${naming.privateUrl}/builds/${name}`, naming.mintToken(name)) : `${naming.privateUrl}/builds/${name}`,
  };
}
