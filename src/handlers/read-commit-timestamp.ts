/**
 * Eve's `commit_timestamp` (the committer date as `%y%m%d%H%M%S`, UTC here),
 * part of the artifacts container's name: from a push's head commit, or asked
 * of GitHub for a pull request from a fork (whose payload has no date).
 */
import type { Context } from "probot";

export function toCommitTimestamp(iso: string | undefined): { commitTimestamp?: string } {
  const date = iso === undefined ? undefined : new Date(iso);
  if (!date || Number.isNaN(date.getTime())) return {};
  const two = (n: number) => String(n).padStart(2, "0");
  const value = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
  return { commitTimestamp: value };
}

/**
 * The commit's date from GitHub. When GitHub cannot say, the build still
 * starts, without an artifacts container (its Upload steps fail saying so):
 * a date is not worth refusing a build for.
 */
export async function readCommitTimestamp(context: Pick<Context, "octokit">, owner: string, repo: string, sha: string): Promise<{ commitTimestamp?: string }> {
  try {
    const { data } = await context.octokit.rest.git.getCommit({ owner, repo, commit_sha: sha });
    return toCommitTimestamp(data.committer?.date);
  } catch {
    return {};
  }
}
