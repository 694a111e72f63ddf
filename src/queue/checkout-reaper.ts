/**
 * The checkouts' part of the reaper: repository checkouts
 * (`<workspace>/checkouts/<run>`, judged by their run alone) that dead stage
 * runs left on this host.
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ParsedLabels } from "../provisioners/labels.js";
import type { DeadRunJudge, OrphanSweeper, ReapedResource } from "../provisioners/reaper.js";

export class CheckoutReaper implements OrphanSweeper {
  readonly #baseDir: string;

  /** `baseDir`: where stage runs check repositories out, one directory per run id. */
  constructor(baseDir: string) {
    this.#baseDir = baseDir;
  }

  async sweep(_instance: string, isDead: DeadRunJudge): Promise<ReapedResource[]> {
    const reaped: ReapedResource[] = [];
    for (const run of await listDirs(this.#baseDir)) {
      const parsed: ParsedLabels = { labels: { run }, owner: undefined };
      if (!(await isDead(parsed))) continue;
      const dir = join(this.#baseDir, run);
      const entry: ReapedResource = { kind: "directory", name: dir, labels: parsed.labels };
      try {
        await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
      reaped.push(entry);
    }
    return reaped;
  }
}

async function listDirs(base: string): Promise<string[]> {
  try {
    return (await readdir(base, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
