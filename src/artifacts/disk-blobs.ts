/**
 * The disk artifact store's blobs: each distinct content once, named by its sha256 under
 * <dir>/ab/cdef…, and referred to by hard links from containers. A blob's link count is its
 * reference count, so one with a single link (its own name) is garbage.
 */
import { link, lstat, mkdir, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { isCode } from "./disk-store-files.js";

export class DiskBlobs {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Returns a file in tmp/ holding the content that is safe to rename into a container: a fresh link
   * to the existing blob of that content, or `tmp` itself once it became the blob.
   */
  async share(tmp: string, sha256: string, size: number): Promise<string> {
    const shard = join(this.dir, sha256.slice(0, 2));
    const blob = join(shard, sha256.slice(2));
    const placed = `${tmp}.link`;
    for (let attempt = 0; attempt < 3; attempt++) {
      // New content, the common case: `tmp` becomes the blob (one call).
      try {
        await link(tmp, blob).catch(async (error: unknown) => {
          if (!isCode(error, "ENOENT")) throw error;
          await mkdir(shard, { recursive: true }); // the first content of its shard
          await link(tmp, blob);
        });
        return tmp;
      } catch (error) {
        if (!isCode(error, "EEXIST")) throw error;
      }
      // Known content: share the blob.
      try {
        await link(blob, placed);
      } catch (error) {
        // EMLINK: the file system's link limit (65000 on ext4) for a very common content: store it apart.
        if (isCode(error, "EMLINK")) return tmp;
        if (isCode(error, "ENOENT")) continue; // gc removed it just now
        throw error;
      }
      // Blobs are not fsynced (one fsync per file would slow uploads of many small files): after a
      // power loss a blob may come back truncated. Never share one whose size is not its content's.
      if ((await lstat(placed)).size === size) return placed;
      await unlink(placed);
      await unlink(blob).catch(() => {});
    }
    return tmp;
  }

  /** Removes every blob no container refers to; returns how many. */
  async removeUnreferenced(): Promise<number> {
    let removed = 0;
    for (const shard of await readdir(this.dir)) {
      for (const blob of await readdir(join(this.dir, shard))) {
        const file = join(this.dir, shard, blob);
        const stats = await lstat(file).catch(() => undefined);
        // One link: only the blob's own name refers to it.
        if (stats?.nlink === 1) {
          await unlink(file).catch(() => {});
          removed += 1;
        }
      }
    }
    return removed;
  }
}
