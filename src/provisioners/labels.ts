/**
 * The labels Eve stamps on every resource it creates (containers, images,
 * directory markers, pods), and their reading back. A reaper finds what a
 * crash left behind by these labels alone, so they must say who owns the
 * resource: the Eve instance, the stage run, and the process that spawned it.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { ResourceLabels } from "./types.js";

/** Label keys, one per field of ResourceLabels plus the owning process. */
export const LABEL_KEYS = {
  instance: "eve.instance",
  build: "eve.build",
  stage: "eve.stage",
  attempt: "eve.attempt",
  run: "eve.run",
  /** Host name of the process that spawned the resource. */
  ownerHost: "eve.owner.host",
  /** Pid of that process: the reaper checks it is alive when on the same host. */
  ownerPid: "eve.owner.pid",
} as const;

/** The process that owns a resource. */
export interface ResourceOwner {
  host: string;
  pid: number;
}

/** Labels read back from a resource; `undefined` fields were missing or malformed. */
export interface ParsedLabels {
  labels: Partial<ResourceLabels>;
  owner: ResourceOwner | undefined;
}

export function currentOwner(): ResourceOwner {
  return { host: hostname(), pid: process.pid };
}

/** The flat string map stamped on a resource (Docker labels, k8s labels, marker files). */
export function toLabelMap(labels: ResourceLabels, owner: ResourceOwner = currentOwner()): Record<string, string> {
  return {
    [LABEL_KEYS.instance]: labels.instance,
    [LABEL_KEYS.build]: labels.build,
    [LABEL_KEYS.stage]: labels.stage,
    [LABEL_KEYS.attempt]: String(labels.attempt),
    [LABEL_KEYS.run]: labels.run,
    [LABEL_KEYS.ownerHost]: owner.host,
    [LABEL_KEYS.ownerPid]: String(owner.pid),
  };
}

export function parseLabelMap(map: Readonly<Record<string, string>>): ParsedLabels {
  const labels: Partial<ResourceLabels> = {};
  const text = (key: string): string | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);
  const instance = text(LABEL_KEYS.instance);
  const build = text(LABEL_KEYS.build);
  const stage = text(LABEL_KEYS.stage);
  const run = text(LABEL_KEYS.run);
  const attempt = Number(text(LABEL_KEYS.attempt));
  if (instance !== undefined) labels.instance = instance;
  if (build !== undefined) labels.build = build;
  if (stage !== undefined) labels.stage = stage;
  if (run !== undefined) labels.run = run;
  if (Number.isInteger(attempt) && attempt > 0) labels.attempt = attempt;
  const host = text(LABEL_KEYS.ownerHost);
  const pid = Number(text(LABEL_KEYS.ownerPid));
  const owner = host !== undefined && Number.isInteger(pid) && pid > 0 ? { host, pid } : undefined;
  return { labels, owner };
}

/** `key=value` selectors for every resource of one instance (Docker `label` filters, k8s label selectors). */
export function instanceSelector(instance: string): string[] {
  return [`${LABEL_KEYS.instance}=${instance}`];
}

/**
 * Whether the process that owns a resource is certainly gone: it ran on this
 * host and its pid no longer exists. A resource of another host, or without
 * an owner, is never judged gone from here (its own host's reaper will judge it).
 * A reused pid keeps a resource alive longer, never removes a live one.
 */
export function isOwnerGone(owner: ResourceOwner | undefined, host: string = hostname()): boolean {
  if (!owner || owner.host !== host) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  return isZombie(owner.pid);
}

/** A dead process its parent has not reaped yet still answers kill(pid, 0); Linux shows it as state Z. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}
