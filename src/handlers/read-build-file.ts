/** Reads the build file at a commit through the installation's client; undefined when there is none. */
import type { Context } from "probot";

export async function readBuildFile(context: Pick<Context, "octokit">, owner: string, repo: string, path: string, sha: string): Promise<string | undefined> {
  try {
    const response = await context.octokit.rest.repos.getContent({ owner, repo, path, ref: sha, mediaType: { format: "raw" } });
    return decodeContent(response.data as unknown);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/**
 * The raw media type answers the file's text (or bytes, depending on the
 * content type); a server that ignores it answers the JSON content object
 * (base64); a directory at that path answers a listing: no build file.
 */
function decodeContent(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  if (typeof data === "object" && data !== null && !Array.isArray(data)) {
    const file = data as { type?: unknown; content?: unknown; encoding?: unknown };
    if (file.type === "file" && typeof file.content === "string") {
      return file.encoding === "base64" ? Buffer.from(file.content, "base64").toString("utf8") : file.content;
    }
  }
  return undefined;
}
