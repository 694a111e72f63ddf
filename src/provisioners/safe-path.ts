/**
 * Path safety for everything a build file makes the Eve host read or mount:
 * one place decides whether a path stays inside the repository checkout (or
 * inside a host directory the operator allowed), lexically and on the disk,
 * links included. Provisioners call it before they touch the file system.
 */
import { lstat, realpath } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";
import { checkRepositoryPath } from "../buildfile/check-repository-path.js";

export type SafePathResult = { ok: true; path: string } | { ok: false; message: string };

export interface RepositoryPathOptions {
  /** The build-file key, for messages (e.g. "worker path"). */
  what: string;
  kind: "file" | "directory" | "any";
  /**
   * "refuse": no link anywhere on the way (docker build contexts, as Eve's
   * documentation promised); "inside": links are followed but must end inside
   * the repository.
   */
  links: "refuse" | "inside";
}

/** The real absolute path of `path` in the checkout `repoDir`, or why it is refused. */
export async function resolveRepositoryPath(repoDir: string, path: string, options: RepositoryPathOptions): Promise<SafePathResult> {
  const refuse = (why: string): SafePathResult => ({ ok: false, message: `${options.what} '${path}': ${why}` });
  const lexicalProblem = checkRepositoryPath(path);
  if (lexicalProblem) return refuse(lexicalProblem);
  const repo = await realpath(repoDir);
  const lexical = join(repo, path).replace(/(.)\/+$/, "$1");
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    return refuse(`no such ${options.kind === "any" ? "file or directory" : options.kind} in the repository`);
  }
  if (options.links === "refuse" && real !== lexical) return refuse("goes through a link; links are not allowed here");
  if (!isInside(real, repo)) return refuse("leads out of the repository through a link");
  const stats = await lstat(real);
  if (options.kind === "directory" && !stats.isDirectory()) return refuse("is not a directory");
  if (options.kind === "file" && !stats.isFile()) return refuse("is not a file");
  return { ok: true, path: real };
}

/**
 * A host path a build asks to mount (docker `volumes`): allowed only when its
 * real path, links resolved, is one of `allowedRoots` or below one. A path
 * that does not exist yet is judged by its nearest existing parent, so a link
 * higher up cannot smuggle it out either.
 */
export async function resolveHostPath(path: string, allowedRoots: readonly string[]): Promise<SafePathResult> {
  const refuse = (why: string): SafePathResult => ({ ok: false, message: `host path '${path}': ${why}` });
  if (!isAbsolute(path) || path.includes("\0")) return refuse("must be an absolute path");
  if (path.split("/").includes("..")) return refuse("must not contain '..'");
  const real = await realpathOfNearest(normalize(path));
  for (const root of allowedRoots) {
    if (root === "" || root === "/") return { ok: true, path: real };
    const realRoot = await realpathOfNearest(normalize(root));
    if (isInside(real, realRoot)) return { ok: true, path: real };
  }
  return refuse(allowedRoots.length === 0 ? "this Eve allows no host paths" : `resolves to '${real}', outside the host paths this Eve allows`);
}

/** `child` is `parent` or below it (both real, absolute, without trailing slash). */
export function isInside(child: string, parent: string): boolean {
  const root = parent.length > 1 ? parent.replace(/\/+$/, "") : parent;
  return child === root || child.startsWith(root === sep ? root : `${root}${sep}`);
}

/** realpath of `path`, or of its nearest existing ancestor with the rest appended. */
async function realpathOfNearest(path: string): Promise<string> {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = join(current, "..");
      if (parent === current) return path;
      rest.push(current.slice(parent.length).replace(/^\/+/, ""));
      current = parent;
    }
  }
}
