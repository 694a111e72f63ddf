/**
 * The disk store's file system calls in two flavours: through libuv's thread pool, or blocking.
 *
 * Metadata and small files (a stage's log, meta.json) take a handful of calls of ~10–30 µs each.
 * Through the pool each call also costs this thread a hand-off to a pool thread and back, measured
 * on a loaded 2-core host at 3–4 times the call itself in CPU and more in wall time (the thread that
 * hands off often loses its core to the one it woke). So those calls block, briefly; anything that
 * may be long (a big file's bytes, a listing, removing a tree) goes through the pool.
 */
import type { MakeDirectoryOptions, RmOptions, Stats } from "node:fs";
import { linkSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { link, lstat, mkdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";

/** Bodies up to this size are written with blocking calls (~0.1 ms at most on a local disk). */
export const BLOCKING_MAX_BYTES = 64 * 1024;

export interface FileSystemCalls {
  link(existing: string, path: string): Promise<void>;
  lstat(path: string): Promise<Stats>;
  mkdir(path: string, options?: MakeDirectoryOptions): Promise<unknown>;
  readText(path: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: RmOptions): Promise<void>;
  unlink(path: string): Promise<void>;
  /** `flag`/`mode` as for fs.writeFile. */
  writeFile(path: string, data: string | Buffer, options?: { flag?: string; mode?: number }): Promise<void>;
}

export const POOLED_CALLS: FileSystemCalls = {
  link,
  lstat,
  mkdir,
  readText: (path) => readFile(path, "utf8"),
  rename,
  rm,
  unlink,
  writeFile,
};

/** The same calls, made on this thread: errors still come as rejections, so callers are written once. */
export const BLOCKING_CALLS: FileSystemCalls = {
  link: async (existing, path) => linkSync(existing, path),
  lstat: async (path) => lstatSync(path),
  mkdir: async (path, options) => mkdirSync(path, options),
  readText: async (path) => readFileSync(path, "utf8"),
  rename: async (from, to) => renameSync(from, to),
  rm: async (path, options) => rmSync(path, options),
  unlink: async (path) => unlinkSync(path),
  writeFile: async (path, data, options) => writeFileSync(path, data, options),
};
