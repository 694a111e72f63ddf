/**
 * The local workers' part of the reaper: builder directories (found by their
 * marker file, which holds the labels, the owning host and pid, and the steps'
 * process groups) that dead stage runs left on this host, and the steps still
 * running in them.
 */
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DeadRunJudge, OrphanSweeper, ReapedResource } from "../reaper.js";
import { type BuilderMarker, LOCAL_MARKER_FILE, parseMarker } from "./builder-marker.js";
import { signalGroup } from "./run-process.js";

export interface LocalReaperOptions {
  /** Where the local provisioner creates builder directories. */
  builderBaseDir: string;
}

export class LocalReaper implements OrphanSweeper {
  readonly #options: LocalReaperOptions;

  constructor(options: LocalReaperOptions) {
    this.#options = options;
  }

  async sweep(instance: string, isDead: DeadRunJudge): Promise<ReapedResource[]> {
    const reaped: ReapedResource[] = [];
    for (const dir of await listDirs(this.#options.builderBaseDir)) {
      const marker = await readMarker(dir);
      // No marker: not a builder directory, or one still being created.
      if (!marker || marker.parsed.labels.instance !== instance || !(await isDead(marker.parsed))) continue;
      reaped.push(await remove(dir, marker));
    }
    return reaped;
  }
}

async function listDirs(base: string): Promise<string[]> {
  try {
    const entries = await readdir(base, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => join(base, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function readMarker(dir: string): Promise<BuilderMarker | undefined> {
  try {
    return parseMarker(await readMarkerText(dir));
  } catch {
    return undefined;
  }
}

async function readMarkerText(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, LOCAL_MARKER_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // A directory an earlier Eve left (before December 2026) keeps its labels and its groups in two files.
  const labels = await readFile(join(dir, ".eve-labels.json"), "utf8");
  const groups = await readFile(join(dir, ".eve-groups"), "utf8").catch(() => "");
  return `${labels.trimEnd()}\n${groups}`;
}

async function remove(dir: string, marker: BuilderMarker): Promise<ReapedResource> {
  const entry: ReapedResource = { kind: "directory", name: dir, labels: marker.parsed.labels };
  for (const pgid of marker.groups) signalGroup(pgid, "SIGKILL");
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
  } catch (error) {
    entry.error = error instanceof Error ? error.message : String(error);
  }
  return entry;
}
