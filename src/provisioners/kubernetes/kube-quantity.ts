/**
 * Kubernetes resource quantities ("500m", "1", "1.5", "2Gi", "4G", "129e6")
 * → numbers in base units (cores, bytes), for checking pods against the
 * operator's maxima.
 */
const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The quantity's value, or undefined when it is not a Kubernetes quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:([eE][-+]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(value.trim());
  if (!match) return undefined;
  const number = Number(`${match[1]}${match[2] ?? ""}`);
  const multiplier = SUFFIXES[match[3] ?? ""] ?? Number.NaN;
  const result = number * multiplier;
  return Number.isFinite(result) ? result : undefined;
}
