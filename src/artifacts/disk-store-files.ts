/**
 * The disk artifact store's file system steps that need none of its state:
 * file facts, byte ranges, walking and listing a container's files, placing a file with
 * its folders, links that fall back to copies.
 */
import { mkdirSync, type Stats } from "node:fs";
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ArtifactConflictError, ArtifactNotFoundError, ArtifactRangeError } from "./artifact-errors.js";
import type { ByteRange, FileInfo, FolderListing } from "./artifact-store.js";
import { compareKeys } from "./container-metadata.js";

export function toFileInfo(path: string, stats: Stats): FileInfo {
  // The inode identifies the content (links share it; a blob is never rewritten in place).
  const etag = `${stats.ino.toString(16)}-${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}`;
  return { path, size: stats.size, etag, mtime: stats.mtime };
}

export function resolveRange(range: ByteRange | undefined, size: number, path: string): { start: number; end: number } {
  if (range === undefined) return { start: 0, end: Math.max(size - 1, 0) };
  if (!Number.isSafeInteger(range.start) || range.start < 0 || range.start >= size) {
    throw new ArtifactRangeError(`range start ${range.start} is outside ${path} (${size} bytes)`, size);
  }
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (end < range.start) throw new ArtifactRangeError(`range ${range.start}-${end} of ${path} is empty`, size);
  return { start: range.start, end };
}

/** A regular file's facts; anything else (a folder, a device) is not an artifact. */
export async function regularFileInfo(file: string, path: string): Promise<FileInfo> {
  const stats = await lstat(file);
  if (!stats.isFile()) throw new ArtifactNotFoundError(`no artifact ${path}`);
  return toFileInfo(path, stats);
}

/** The folders and files directly in `dir` (`relative` to its container), sorted; none when it is missing. */
export async function readFolderListing(dir: string, relative: string): Promise<FolderListing> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return [];
    throw error;
  });
  const listing: FolderListing = { folders: [], files: [] };
  for (const entry of entries) {
    if (entry.isDirectory()) listing.folders.push(entry.name);
    else if (entry.isFile()) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      const info = await regularFileInfo(join(dir, entry.name), path).catch(() => undefined);
      if (info !== undefined) listing.files.push(info);
    }
  }
  listing.folders.sort(compareKeys);
  listing.files.sort((a, b) => compareKeys(a.path, b.path));
  return listing;
}

/** Every regular file under `dir`, as paths relative to the container (prefixed by `relative`), sorted. */
export async function walkFiles(dir: string, relative: string): Promise<FileInfo[]> {
  const found: FileInfo[] = [];
  const visit = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return [];
      throw error;
    });
    for (const entry of entries) {
      const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await visit(join(folder, entry.name), path);
      else if (entry.isFile()) {
        const stats = await lstat(join(folder, entry.name)).catch(() => undefined);
        if (stats !== undefined) found.push(toFileInfo(path, stats));
      }
    }
  };
  await visit(dir, relative);
  return found.sort((a, b) => compareKeys(a.path, b.path));
}

/** Renames `placed` to `target`, creating its folders first when they are missing. */
export async function placeFile(placed: string, target: string, filesDir: string, path: string, container: string): Promise<void> {
  const conflict = (error: unknown): never => {
    if (isCode(error, "EISDIR") || isCode(error, "ENOTDIR") || isCode(error, "ENOTEMPTY")) {
      throw new ArtifactConflictError(`artifact path ${path} is a folder in ${container}: a file cannot replace it`);
    }
    throw error;
  };
  try {
    await rename(placed, target);
  } catch (error) {
    // A missing folder, or a file where a folder should be: mkdirInside makes it or says which.
    if (!isCode(error, "ENOENT") && !isCode(error, "ENOTDIR")) conflict(error);
    await mkdirInside(filesDir, path.split("/").slice(0, -1), container);
    await rename(placed, target).catch((again: unknown) => {
      if (isCode(again, "ENOENT")) throw new ArtifactNotFoundError(`no artifact container ${container}`);
      conflict(again);
    });
  }
}

/** Creates the folders of a file's path one by one below `filesDir`, which must exist (else the container is gone). */
async function mkdirInside(filesDir: string, segments: string[], container: string): Promise<void> {
  let dir = filesDir;
  for (const segment of segments) {
    dir = join(dir, segment);
    try {
      await mkdir(dir);
    } catch (error) {
      if (isCode(error, "EEXIST")) {
        if ((await lstat(dir)).isDirectory()) continue;
        throw new ArtifactConflictError(`artifact folder ${dir.slice(filesDir.length + 1)} is a file in ${container}`);
      }
      if (isCode(error, "ENOENT")) throw new ArtifactNotFoundError(`artifact container ${container} was deleted`);
      throw error;
    }
  }
}

/** Removes the entries of `dir` (files or whole folders) that `select` picks by their stats. */
export async function removeEntries(dir: string, select: (stats: Stats) => boolean): Promise<void> {
  for (const entry of await readdir(dir)) {
    const stats = await lstat(join(dir, entry)).catch(() => undefined);
    if (stats !== undefined && select(stats)) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

export async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    if (!isCode(error, "EMLINK")) throw error;
    await copyFile(source, target);
  }
}

/** Like Promise.all, but settles every promise first: nothing is still writing into a folder about to be removed. */
export async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

export function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * A container's staging folder with its files/ folder and `folder` in it, top down: a recursive mkdir
 * of the whole path tries it first and fails twice on the way. Synchronous (see #placeContainer).
 */
export function makeStagingFolder(staging: string, folder: string | undefined): void {
  try {
    mkdirSync(staging);
  } catch (error) {
    // tmp/ was removed under the store: made again.
    if (!isCode(error, "ENOENT")) throw error;
    mkdirSync(staging, { recursive: true });
  }
  mkdirSync(join(staging, "files"));
  if (folder !== undefined) mkdirSync(join(staging, "files", folder), { recursive: true });
}
