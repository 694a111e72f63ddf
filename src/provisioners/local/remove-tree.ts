/**
 * Removes a directory tree, each directory's files in parallel. Node 20's
 * fs.rm walks a tree one call after another (lstat, an rmdir that fails,
 * readdir, lstat per entry…): about ten thread-pool round trips for a small
 * builder directory, where this needs four — a stage's slot is held meanwhile.
 * Anything unusual (a busy file, a step still writing) falls back to fs.rm and
 * its retries.
 */
import { readdir, rm, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * Removes a directory expected to hold only `files` and the empty directories `emptyDirs` (what Eve made
 * there: a stage whose steps left nothing): all of them at once, then the directory — two round trips
 * of the thread pool, where reading the directories first takes four. Anything else (a step wrote there)
 * and it is removeTree's.
 */
export async function removeExpectedTree(dir: string, files: readonly string[], emptyDirs: readonly string[]): Promise<void> {
  const removed = await Promise.allSettled([...files.map((file) => unlink(join(dir, file))), ...emptyDirs.map((empty) => rmdir(join(dir, empty)))]);
  // Missing is fine: a stage that ran no step has no workdir.
  if (removed.every((result) => result.status === "fulfilled" || (result.reason as NodeJS.ErrnoException).code === "ENOENT")) {
    try {
      await rmdir(dir);
      return;
    } catch {
      // Not empty after all, or not there: the whole walk.
    }
  }
  await removeTree(dir);
}

export async function removeTree(dir: string): Promise<void> {
  try {
    await removeDirectory(dir);
  } catch {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

async function removeDirectory(dir: string): Promise<void> {
  // Dirents come from readdir without following links: a link is unlinked, never entered.
  const entries = await readdir(dir, { withFileTypes: true });
  const subdirectories = entries.filter((entry) => entry.isDirectory());
  const removeSubdirectories = async () => {
    // One at a time: memory stays bounded by one directory's entries, however deep the tree.
    for (const entry of subdirectories) await removeDirectory(join(dir, entry.name));
  };
  await Promise.all([...entries.filter((entry) => !entry.isDirectory()).map((entry) => unlink(join(dir, entry.name))), removeSubdirectories()]);
  await rmdir(dir);
}
