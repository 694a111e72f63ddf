import type { LogEnd } from "./log-store.js";
import type { LogSegment } from "./log-segments.js";

/** A step header's place in the whole log (byte offset of its header line). */
export interface LogStepMark {
  index: number;
  name: string;
  offset: number;
}

/** Written once the run's log is complete: the index of a finished log. */
export interface LogManifest {
  version: 1;
  /** Length of the whole log, bytes. */
  bytes: number;
  segments: LogSegment[];
  steps: LogStepMark[];
  /** Output bytes not kept because the log reached its limit. */
  droppedBytes: number;
  end: LogEnd;
  /** ISO time the log expires (EVE_LOG_RETENTION_DAYS after the run ended); absent in manifests of older Eve (then the container's property says). */
  logExpiresAt?: string;
}

export const MANIFEST_PATH = "manifest.json";

/** The manifest, or undefined when the text is not one this Eve wrote (then the segment listing is the index). */
export function parseLogManifest(text: string): LogManifest | undefined {
  try {
    const value = JSON.parse(text) as Partial<LogManifest>;
    if (value.version !== 1 || typeof value.bytes !== "number" || !Array.isArray(value.segments) || !Array.isArray(value.steps) || typeof value.end !== "object") return undefined;
    return value as LogManifest;
  } catch {
    return undefined;
  }
}
