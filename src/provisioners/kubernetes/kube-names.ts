/**
 * Names and labels as Kubernetes accepts them. Resource names are DNS-1123
 * labels (pods, namespaces); label values are at most 63 characters of
 * `[A-Za-z0-9._-]`. Eve's label values (stage names with spaces, long run
 * ids) are sanitized with a hash suffix when they had to change; the exact
 * values travel in annotations, which the reaper reads.
 */
import { createHash } from "node:crypto";
import { toLabelMap } from "../labels.js";
import type { ResourceLabels } from "../types.js";

const MAX_LABEL = 63;

/** A DNS-1123 label: `<prefix>-<text>`, lower-case, at most 63 characters, with a hash when shortened or changed. */
export function kubeName(prefix: string, text: string): string {
  const clean = text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  const full = `${prefix}-${clean}`.replace(/-+$/, "");
  if (clean === text && full.length <= MAX_LABEL) return full;
  const room = MAX_LABEL - 11;
  return `${full.slice(0, room).replace(/-+$/, "")}-${shortHash(text)}`;
}

/** A valid label value standing for `value`: itself when valid, else sanitized with a hash. */
export function kubeLabelValue(value: string): string {
  if (value.length <= MAX_LABEL && /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value)) return value;
  const clean = value.replace(/[^-A-Za-z0-9_.]+/g, "-").slice(0, MAX_LABEL - 11).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return clean ? `${clean}-${shortHash(value)}` : shortHash(value);
}

/** Labels (selectable, sanitized) and annotations (exact) of a resource Eve creates. */
export function kubeMetadata(labels: ResourceLabels): { labels: Record<string, string>; annotations: Record<string, string> } {
  const exact = toLabelMap(labels);
  const sanitized: Record<string, string> = { "app.kubernetes.io/managed-by": "eve" };
  for (const [key, value] of Object.entries(exact)) sanitized[key] = kubeLabelValue(value);
  return { labels: sanitized, annotations: exact };
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 10);
}
