/**
 * The local workers' part of the reaper: builder directories (found by their
 * marker file, which holds the labels and the owning host and pid) that dead
 * stage runs left on this host, and the steps still running in them.
 */
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ResourceLabels } from "../types.js";
import type { ParsedLabels } from "../labels.js";
import type { DeadRunJudge, OrphanSweeper, ReapedResource } from "../reaper.js";
import { LOCAL_GROUPS_FILE, LOCAL_LABELS_FILE } from "./local-provisioner.js";
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
      const parsed = await readMarker(dir);
      // No marker: not a builder directory, or one still being created.
      if (!parsed || parsed.labels.instance !== instance || !(await isDead(parsed))) continue;
      reaped.push(await remove(dir, parsed));
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

/** Steps left running by a dead Eve process: their process groups are listed in the directory. */
async function killGroups(dir: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(dir, LOCAL_GROUPS_FILE), "utf8");
  } catch {
    return;
  }
  for (const pgid of text.split("\n").map(Number)) if (Number.isInteger(pgid) && pgid > 1) signalGroup(pgid, "SIGKILL");
}

async function readMarker(dir: string): Promise<ParsedLabels | undefined> {
  let marker: Partial<ResourceLabels> & { host?: unknown; pid?: unknown };
  try {
    marker = JSON.parse(await readFile(join(dir, LOCAL_LABELS_FILE), "utf8")) as typeof marker;
  } catch {
    return undefined;
  }
  const labels: Partial<ResourceLabels> = {};
  for (const key of ["instance", "build", "stage", "run"] as const) if (typeof marker[key] === "string") labels[key] = marker[key];
  if (typeof marker.attempt === "number") labels.attempt = marker.attempt;
  const owner = typeof marker.host === "string" && typeof marker.pid === "number" ? { host: marker.host, pid: marker.pid } : undefined;
  return { labels, owner };
}

async function remove(dir: string, parsed: ParsedLabels): Promise<ReapedResource> {
  const entry: ReapedResource = { kind: "directory", name: dir, labels: parsed.labels };
  await killGroups(dir);
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
  } catch (error) {
    entry.error = error instanceof Error ? error.message : String(error);
  }
  return entry;
}
