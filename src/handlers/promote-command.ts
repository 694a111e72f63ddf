/**
 * `/eve promote <tag>`: the artifacts of the last successful build of a
 * commit are copied to `<prefix>promoted-<tag>` and kept forever (Eve's
 * promotion). Maintainers only.
 */
import { findLastContainer } from "../artifacts/find-last-container.js";
import { promoteContainer } from "../artifacts/promote-container.js";
import { getArtifactFileUrl } from "../engine/artifacts-access.js";
import { parseRepositoryUrl } from "../engine/build-properties.js";
import type { CommandAnswer, CommandOptions } from "./command-target.js";
import type { RepositoryRef } from "../queue/job-data.js";
import { short } from "./rerun-command.js";

/** The answer, and the promoted container's listing when it worked. */
export interface PromoteAnswer extends CommandAnswer {
  url?: string;
}

export async function runPromoteCommand(options: CommandOptions, maintainer: boolean, target: { repository: RepositoryRef; sha: string }, tag: string): Promise<PromoteAnswer> {
  if (!maintainer) return { reply: "only people with maintain or admin permission can promote artifacts (they are kept forever)." };
  if (!options.artifacts) return { reply: "this Eve has no artifact store: there is nothing to promote." };
  const { owner, name } = target.repository;
  const host = parseRepositoryUrl(`${options.githubServerUrl}/${owner}/${name}.git`)?.host ?? "github";
  const store = await options.artifacts.store();
  const prefix = `${host}:${owner}:${name}:${options.artifacts.naming.prefix}`;
  const build = await findLastContainer(store, prefix, { successful: true, untrusted: false, accept: (container) => container.commit === target.sha });
  if (build === undefined) return { reply: `no successful build of ${short(target.sha)} has artifacts (none ran, none uploaded, or they expired): nothing to promote.` };
  const result = await promoteContainer(store, build.name, tag, options.artifacts.naming.prefix);
  if ("problem" in result) return { reply: `${result.problem}.` };
  const url = getArtifactFileUrl(options.artifacts.naming.publicUrl, result.promoted, "");
  return { reaction: "rocket", reply: `promoted the artifacts of ${short(target.sha)} to ${url} (kept forever).`, url };
}
