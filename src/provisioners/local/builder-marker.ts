/**
 * The marker file in every local builder directory, for the reaper: its first
 * line the run's labels and the owning process (host, pid) as JSON, then the
 * process group of each step started there, one per line, appended by the
 * spawn helper as each step starts (the reaper kills those a dead Eve process
 * left running). One file, not a marker and a list of groups: a fan-out makes
 * and removes thousands of these directories, and each inode costs the file
 * system (on ext4 without a journal, every new inode is found by scanning past
 * those freed in the last minute).
 */
import { hostname } from "node:os";
import type { ParsedLabels } from "../labels.js";
import type { ResourceLabels } from "../types.js";

export const LOCAL_MARKER_FILE = ".eve-marker";

/** A new marker's text: the labels line, no groups yet. */
export function formatMarker(labels: ResourceLabels): string {
  return `${JSON.stringify({ ...labels, host: hostname(), pid: process.pid, created: new Date().toISOString() })}\n`;
}

/** A spare directory's marker (see builder-dirs.ts): its instance and owner, no run, so the reaper keeps it while its owner lives. */
export function formatSpareMarker(instance: string): string {
  return `${JSON.stringify({ instance, host: hostname(), pid: process.pid, spareSince: new Date().toISOString() })}\n`;
}

export interface BuilderMarker {
  parsed: ParsedLabels;
  /** Process groups of the directory's steps, oldest first. */
  groups: number[];
}

/** The marker's labels, owner and groups; undefined when its first line is not a labels object. */
export function parseMarker(text: string): BuilderMarker | undefined {
  const [first = "", ...groupLines] = text.split("\n");
  let marker: Partial<ResourceLabels> & { host?: unknown; pid?: unknown };
  try {
    marker = JSON.parse(first) as typeof marker;
  } catch {
    return undefined;
  }
  if (typeof marker !== "object" || marker === null) return undefined;
  const labels: Partial<ResourceLabels> = {};
  for (const key of ["instance", "build", "stage", "run"] as const) if (typeof marker[key] === "string") labels[key] = marker[key];
  if (typeof marker.attempt === "number") labels.attempt = marker.attempt;
  const owner = typeof marker.host === "string" && typeof marker.pid === "number" ? { host: marker.host, pid: marker.pid } : undefined;
  const groups = groupLines.map(Number).filter((pgid) => Number.isInteger(pgid) && pgid > 1);
  return { parsed: { labels, owner }, groups };
}
