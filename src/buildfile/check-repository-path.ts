/**
 * The lexical half of path safety, pure so `eve lint` can use it: a path a
 * build file names in the repository (a worker's `path`, a Dockerfile, an
 * image context) is read on the Eve host, so it must not name anything
 * outside the checkout. Links are checked on the disk, by
 * `resolveRepositoryPath` (src/provisioners/safe-path.ts), which calls this first.
 */

/** Why `path` cannot name a place in the repository, or undefined when it can. */
export function checkRepositoryPath(path: string): string | undefined {
  if (path === "") return "is empty";
  if (path.includes("\0")) return "contains a NUL character";
  // Windows forms too: `C:\x` and `\\host\share` are absolute to the Docker CLI on Windows.
  if (path.startsWith("/") || path.startsWith("\\") || /^[a-zA-Z]:/.test(path)) {
    return "must be relative to the repository";
  }
  // No '..' at all, even when it would stay inside: a repository path never needs it.
  if (path.split(/[\\/]/).includes("..")) return "must not contain '..' (it cannot leave the repository)";
  return undefined;
}

/**
 * Whether a path used inside the worker (a step's `workdir`, an `Upload`
 * `source`, a `logfiles` file) climbs out of the directory it is relative to.
 * Absolute paths are legal in Eve (`workdir: /tmp`, `logfiles` under
 * `/artifacts`): they name a place in the worker, not on the Eve host.
 */
export function climbsOut(path: string): boolean {
  if (path.startsWith("/") || path.includes("%(")) return false;
  let depth = 0;
  for (const segment of path.split("/")) {
    if (segment === "..") depth--;
    else if (segment !== "" && segment !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
}
