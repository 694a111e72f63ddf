/**
 * Finds what crashed or killed stage runs left behind and removes it. Each
 * kind of resource has a sweeper; they all judge a resource by its labels:
 *
 * - with `isRunActive` (the app, which knows its running stage runs), a
 *   resource is dead when its run is not active;
 * - without it (`eve reap`), a resource is dead when the process that created
 *   it ran on this host and no longer exists. Resources of other hosts are
 *   left to those hosts' reapers.
 */
import { hostname } from "node:os";
import { isOwnerGone, type ParsedLabels } from "./labels.js";

/** One removed (or, on failure, kept) resource. */
export interface ReapedResource {
  kind: "container" | "image" | "directory" | "pod" | "vm" | "namespace" | "secret";
  /** Name or id of the resource. */
  name: string;
  /** Labels read from it, when it had some. */
  labels?: ParsedLabels["labels"];
  /** Why it could not be removed, when it could not. */
  error?: string;
}

/** Judges a resource by its labels: true when its stage run is over. */
export type DeadRunJudge = (labels: ParsedLabels) => Promise<boolean>;

/** Sweeps one kind of resource of one instance. */
export interface OrphanSweeper {
  sweep(instance: string, isDead: DeadRunJudge): Promise<ReapedResource[]>;
}

export interface ReapOptions {
  instance: string;
  sweepers: OrphanSweeper[];
  /** The app's knowledge of running stage runs; absent → the owner-process rule. */
  isRunActive?: (runId: string) => Promise<boolean>;
}

export async function reapOrphans(options: ReapOptions): Promise<ReapedResource[]> {
  const judge = createDeadRunJudge(options.isRunActive);
  const results = await Promise.all(options.sweepers.map((sweeper) => sweeper.sweep(options.instance, judge)));
  return results.flat();
}

export function createDeadRunJudge(isRunActive?: (runId: string) => Promise<boolean>, host: string = hostname()): DeadRunJudge {
  return async ({ labels, owner }) => {
    if (isRunActive && labels.run !== undefined) return !(await isRunActive(labels.run));
    return isOwnerGone(owner, host);
  };
}
