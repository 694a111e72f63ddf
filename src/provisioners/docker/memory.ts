/**
 * Docker memory sizes ("512m", "4G", "1.5gb") → bytes, with the binary
 * multipliers of `docker run --memory` (go-units RAMInBytes).
 */
const MULTIPLIERS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Bytes, or undefined when the text is not a Docker memory size. */
export function parseMemory(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * (MULTIPLIERS[(match[2] ?? "").toLowerCase()] ?? Number.NaN));
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/** The container's limit: the stage's `memory`, at most the operator's maximum, which is also the default. */
export function resolveMemoryLimit(requested: string | undefined, maximum: string): { ok: true; bytes: number } | { ok: false; message: string } {
  const max = parseMemory(maximum);
  if (max === undefined) return { ok: false, message: `the operator's maximum memory '${maximum}' is not a Docker memory size` };
  if (requested === undefined) return { ok: true, bytes: max };
  const bytes = parseMemory(requested);
  if (bytes === undefined) return { ok: false, message: `memory '${requested}' is not a Docker memory size (e.g. 512m, 2G)` };
  // Docker refuses limits below 6 MiB; say so before the engine does.
  if (bytes < 6 * 1024 ** 2) return { ok: false, message: `memory '${requested}' is below Docker's minimum of 6m` };
  if (bytes > max) return { ok: false, message: `memory '${requested}' is above this Eve's maximum of ${maximum}` };
  return { ok: true, bytes };
}
