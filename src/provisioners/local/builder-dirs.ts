/**
 * The local provisioner's builder directories: each stage run gets an empty
 * one labelled with its run, made new or taken from the spares that earlier
 * runs left empty. A run's directory is emptied at its teardown and kept as a
 * spare rather than removed, its `build` folder kept too (emptied, its mode
 * as a step's mkdir makes it: the next run's steps work there at once),
 * because new inodes are what a fan-out pays most for
 * on ext4 without a journal: every new directory or file is found by scanning
 * past the inodes freed in the last minute, and a fan-out frees thousands
 * (measured here during a 1,000-stage fan-out: 300–500 µs of CPU per mkdir
 * or new file, against ~10 µs for a rename or a rewrite of an existing file).
 * A spare's marker names its owner (host, pid) and no run: the reaper removes
 * it once that process is gone, `close` before it goes.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, type Dirent, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { readdir, rm, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_WORKDIR, type ResourceLabels } from "../types.js";
import { formatMarker, formatSpareMarker, LOCAL_MARKER_FILE } from "./builder-marker.js";
import { removeExpectedTree, removeTree } from "./remove-tree.js";

/** Spares kept at most: as many as ran at once is all that is ever taken again. */
const SPARE_LIMIT = 16;
const SPARE_PREFIX = ".spare-";
/** A builder directory's mode, as mkdtemp makes it. */
const BUILDER_DIR_MODE = 0o700;

export class BuilderDirs {
  readonly #baseDir: string;
  readonly #spares: string[] = [];

  constructor(baseDir: string) {
    this.#baseDir = baseDir;
  }

  /** An empty builder directory for `labels.run`, with its marker. */
  take(labels: ResourceLabels): string {
    for (let spare = this.#spares.pop(); spare !== undefined; spare = this.#spares.pop()) {
      const dir = join(this.#baseDir, `${safeName(labels.run)}-${randomBytes(4).toString("hex")}`);
      try {
        renameSync(spare, dir);
        chmodSync(dir, BUILDER_DIR_MODE);
        overwrite(join(dir, LOCAL_MARKER_FILE), formatMarker(labels));
        return dir;
      } catch {
        // Removed meanwhile (an operator cleaning up) or unusable: not a spare any more.
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return createLabelledDir(this.#baseDir, labels);
  }

  /**
   * Empties a run's directory (its steps' processes already killed) and keeps
   * it as a spare of `instance`; removes it instead when there are spares
   * enough or anything in it would not go.
   */
  async release(dir: string, instance: string): Promise<void> {
    if (this.#spares.length < SPARE_LIMIT && (await emptyButMarker(dir)) && this.#keep(dir, instance)) return;
    await removeExpectedTree(dir, [LOCAL_MARKER_FILE], [DEFAULT_WORKDIR]);
  }

  /** Makes an emptied directory a spare; false when there are spares enough (others were released meanwhile) or it cannot be. */
  #keep(dir: string, instance: string): boolean {
    if (this.#spares.length >= SPARE_LIMIT) return false;
    const spare = join(this.#baseDir, `${SPARE_PREFIX}${randomBytes(4).toString("hex")}`);
    try {
      overwrite(join(dir, LOCAL_MARKER_FILE), formatSpareMarker(instance));
      renameSync(dir, spare);
    } catch {
      return false;
    }
    this.#spares.push(spare);
    return true;
  }

  /** Removes the spares (the process is stopping). */
  async close(): Promise<void> {
    await Promise.all(this.#spares.splice(0).map((spare) => rm(spare, { recursive: true, force: true })));
  }
}

/**
 * A new directory under `baseDir` with the marker file the reaper finds it by.
 * The base directory is created when missing (at first, or after an operator
 * removed it), not checked every time. Synchronous: three small calls, where
 * the thread pool they would wait for is the one a fan-out floods with its
 * stages' logs (the first stages of a 50-stage trigger waited ~40 ms there).
 * The spawn helper appends each step's process group to the marker.
 */
export function createLabelledDir(baseDir: string, labels: ResourceLabels): string {
  const prefix = join(baseDir, `${safeName(labels.run)}-`);
  let dir: string;
  try {
    dir = mkdtempSync(prefix);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(baseDir, { recursive: true });
    dir = mkdtempSync(prefix);
  }
  writeFileSync(join(dir, LOCAL_MARKER_FILE), formatMarker(labels));
  return dir;
}

/**
 * The mode the spawn helper's mkdir gives a step's workdir, 0777 less the umask (read from /proc: reading it
 * with process.umask() is deprecated); undefined where /proc does not say, and `build` is not kept.
 */
const WORKDIR_MODE = ((): number | undefined => {
  try {
    const umask = /^Umask:\s*([0-7]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return umask === undefined ? undefined : 0o777 & ~Number.parseInt(umask, 8);
  } catch {
    return undefined;
  }
})();

/**
 * Removes everything in `dir` but its marker and an emptied `build` folder; false when the marker is not a
 * file or something would not go.
 */
async function emptyButMarker(dir: string): Promise<boolean> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    if (!entries.some((entry) => entry.name === LOCAL_MARKER_FILE && entry.isFile())) return false;
    const mode = WORKDIR_MODE;
    const workdir = mode === undefined ? undefined : entries.find((entry) => entry.name === DEFAULT_WORKDIR && entry.isDirectory());
    await removeEntries(dir, entries.filter((entry) => entry.name !== LOCAL_MARKER_FILE && entry !== workdir));
    if (workdir !== undefined && mode !== undefined) {
      const path = join(dir, workdir.name);
      await removeEntries(path, await readdir(path, { withFileTypes: true }));
      chmodSync(path, mode);
    }
    return true;
  } catch {
    return false;
  }
}

/** Removes `entries` of `dir`: an empty folder is one rmdir, anything else the whole walk. */
async function removeEntries(dir: string, entries: readonly Dirent[]): Promise<void> {
  await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? rmdir(path).catch(() => removeTree(path)) : unlink(path);
    }),
  );
}

/**
 * Replaces a small file's text in place: written over, then cut to its length. Truncating it to
 * nothing first (writeFile) would free its block and take a new one, each costly on a file
 * system that discards freed blocks (~0.5 ms of CPU per rewrite, profiled during a fan-out).
 */
function overwrite(file: string, text: string): void {
  const bytes = Buffer.from(text);
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

function safeName(run: string): string {
  return run.replace(/[^\w.-]/g, "_").slice(0, 80) || "run";
}
