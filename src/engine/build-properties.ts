/**
 * The properties Eve sets for a build before its top stage runs (reference
 * §1.9). A pure function of a plain object, so the GitHub app and `eve run`
 * produce the same set.
 */
import type { PropertyValues } from "./types.js";

export interface BuildPropertiesInput {
  /** Branch name; absent for a build of no branch (Eve then matches `default`). */
  branch?: string;
  /** Full commit sha being built. */
  revision?: string;
  /** Repository URL (or local path for `eve run`): `repository`, `git_reference`, `git_repo`. */
  repository: string;
  /** Defaults to `<owner>/<slug>` when known, else the repository. */
  project?: string;
  buildNumber: number;
  /** Why the build started: "branch updated", "force build", "eve run"... (`bootstrap_reason`). */
  reason: string;
  /** The top stage. */
  stageName: string;
  /** The build file's `version` (`eve_api_version`). */
  eveApiVersion: string;
  maxStepDurationSec: number;
  /** Git host name as Eve wrote it ("github", "bitbucket"); derived from the repository URL when absent. */
  gitHost?: string;
  gitOwner?: string;
  gitSlug?: string;
  /** Committer date of the revision, as `%y%m%d%H%M%S`. */
  commitTimestamp?: string;
  /** From `get_product_version.sh`; "0.0.0" when absent. */
  productVersion?: string;
  /** The bootstrap checkout's builder dir (`%(prop:master_builddir)s/build` is the checkout). */
  masterBuilddir?: string;
  /** Where the build file was read (`conf_path`): its path in the repository, or the file `eve run` read. */
  confPath?: string;
  /** The bootstrap build number; defaults to buildNumber. */
  bootstrap?: number;
  buildername?: string;
}

export function createBuildProperties(input: BuildPropertiesInput): PropertyValues {
  const parsed = parseRepositoryUrl(input.repository);
  const gitHost = input.gitHost ?? parsed?.host;
  const gitOwner = input.gitOwner ?? parsed?.owner;
  const gitSlug = input.gitSlug ?? parsed?.slug;
  const properties: PropertyValues = {
    branch: input.branch ?? null,
    revision: input.revision ?? null,
    repository: input.repository,
    project: input.project ?? (gitOwner && gitSlug ? `${gitOwner}/${gitSlug}` : input.repository),
    buildnumber: input.buildNumber,
    bootstrap: input.bootstrap ?? input.buildNumber,
    reason: `${input.stageName} (triggered by bootstrap)`,
    bootstrap_reason: input.reason,
    scheduler: "eve",
    git_reference: input.repository,
    git_repo: input.repository,
    stage_name: input.stageName,
    virtual_builder_name: input.stageName,
    eve_api_version: input.eveApiVersion,
    max_step_duration: input.maxStepDurationSec,
    product_version: input.productVersion ?? "0.0.0",
    buildername: input.buildername ?? input.stageName,
    start_time: pythonTime(Date.now()),
    // The Buildbot whose semantics Eve's build files were written for.
    buildbot_version: BUILDBOT_VERSION,
  };
  // As every triggered stage gets them (eve/util/build_order.py).
  properties.virtual_builder_tags = [gitHost, gitOwner, gitSlug, input.stageName].filter((tag) => tag !== undefined && tag !== "");
  if (input.confPath !== undefined) properties.conf_path = input.confPath;
  if (gitHost) properties.git_host = gitHost;
  if (gitOwner) properties.git_owner = gitOwner;
  if (gitSlug) properties.git_slug = gitSlug;
  if (input.masterBuilddir !== undefined) properties.master_builddir = input.masterBuilddir;
  // Eve computes these only for build files of version 0.2 and later.
  if (Number.parseFloat(input.eveApiVersion) >= 0.2) {
    if (input.revision) properties.commit_short_revision = input.revision.slice(0, 10);
    if (input.commitTimestamp) properties.commit_timestamp = input.commitTimestamp;
  }
  return properties;
}

const BUILDBOT_VERSION = "2.7.0";

/** Python's `str(time.time())`, as Eve's ReadConfFromYaml stored `start_time`: seconds as a float string. */
function pythonTime(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds}.0` : String(seconds);
}

const HOST_NAMES: Record<string, string> = { "github.com": "github", "bitbucket.org": "bitbucket" };

/** `https://github.com/owner/slug(.git)` or `git@github.com:owner/slug.git` → host/owner/slug. */
export function parseRepositoryUrl(url: string): { host: string; owner: string; slug: string } | undefined {
  const match = /^(?:[a-z+]+:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/|[^@/]+@([^:/]+):)([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url);
  if (!match) return undefined;
  const hostname = (match[1] ?? match[2] ?? "").toLowerCase();
  return { host: HOST_NAMES[hostname] ?? hostname, owner: match[3] ?? "", slug: match[4] ?? "" };
}
