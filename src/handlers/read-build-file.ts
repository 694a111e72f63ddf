/** Reads the build file at a commit through the installation's client; undefined when there is none. */
import type { Context } from "probot";

export async function readBuildFile(context: Context<"push">, owner: string, repo: string, path: string, sha: string): Promise<string | undefined> {
  try {
    const response = await context.octokit.rest.repos.getContent({ owner, repo, path, ref: sha, mediaType: { format: "raw" } });
    const data: unknown = response.data;
    // Raw format answers the file's bytes; a directory at that path answers a JSON listing.
    return typeof data === "string" ? data : undefined;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}
