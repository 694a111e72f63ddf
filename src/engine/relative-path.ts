import { posix } from "node:path";

/**
 * The repository-relative form of a path printed by a tool: relative to the
 * first of `roots` (checkout directories) it is under. Without a matching root,
 * an absolute path is cut after its first `/build/` segment: Eve (as Buildbot)
 * checks the repository out in `<builder dir>/build`. Returns undefined for a
 * path outside the checkout (`../x`, `/usr/include/stdio.h`): GitHub cannot
 * place it on a file of the repository.
 */
export function relativePath(path: string, roots: readonly string[]): string | undefined {
  const normalized = posix.normalize(path.replace(/\\/g, "/"));
  let relative = normalized;
  if (posix.isAbsolute(normalized)) {
    const root = roots.map((r) => posix.normalize(r).replace(/\/$/, "")).find((r) => normalized.startsWith(`${r}/`));
    if (root !== undefined) relative = normalized.slice(root.length + 1);
    else {
      const cut = normalized.indexOf("/build/");
      if (cut < 0) return undefined;
      relative = normalized.slice(cut + "/build/".length);
    }
  }
  if (relative === "" || relative === "." || relative.startsWith("../") || relative === "..") return undefined;
  return relative.replace(/^\.\//, "");
}
