/**
 * Removes a directory tree. A small tree (a short stage's builder directory:
 * its marker files and an empty workdir) goes with blocking calls, ~10 µs
 * each, where each call through libuv's pool costs this thread several times
 * that (see artifacts/file-system-calls.ts); the blocking pass stops after a
 * few dozen entries, so a checkout's tree blocks the event loop well under a
 * millisecond and the rest goes through the pool, each directory's files in
 * parallel. Node 20's fs.rm walks a tree one call after another (lstat, an
 * rmdir that fails, readdir, lstat per entry…), a stage's slot held
 * meanwhile. Anything unusual (a busy file, a step still writing) falls back
 * to fs.rm and its retries.
 */
import { opendirSync, rmdirSync, unlinkSync } from "node:fs";
import { readdir, rm, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";

/** Entries removed with blocking calls before the rest of a tree goes through the pool. */
const BLOCKING_ENTRIES = 32;

export async function removeTree(dir: string): Promise<void> {
  try {
    if (removeSmallTree(dir, { left: BLOCKING_ENTRIES })) return;
    await removeDirectory(dir);
  } catch {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

/** Removes `dir` with blocking calls; false, having removed part of it, once `budget` entries are spent. */
function removeSmallTree(dir: string, budget: { left: number }): boolean {
  // Entries come from the directory without following links: a link is unlinked, never entered.
  const handle = opendirSync(dir);
  try {
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
      if (budget.left-- <= 0) return false;
      const path = join(dir, entry.name);
      if (!entry.isDirectory()) unlinkSync(path);
      else if (!removeSmallTree(path, budget)) return false;
    }
  } finally {
    handle.closeSync();
  }
  rmdirSync(dir);
  return true;
}

async function removeDirectory(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const subdirectories = entries.filter((entry) => entry.isDirectory());
  const removeSubdirectories = async () => {
    // One at a time: memory stays bounded by one directory's entries, however deep the tree.
    for (const entry of subdirectories) await removeDirectory(join(dir, entry.name));
  };
  await Promise.all([...entries.filter((entry) => !entry.isDirectory()).map((entry) => unlink(join(dir, entry.name))), removeSubdirectories()]);
  await rmdir(dir);
}
