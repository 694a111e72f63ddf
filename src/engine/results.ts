/** Buildbot's result names, lower case, as users see them in reports. */
export const RESULTS = ["success", "warnings", "failure", "skipped", "exception", "cancelled", "retry"] as const;
export type BuildResult = (typeof RESULTS)[number];

/** Buildbot's `worst_status` order, worst first. `skipped` is the best. */
const WORST_FIRST: readonly BuildResult[] = ["cancelled", "retry", "exception", "failure", "warnings", "success", "skipped"];

/** The worse of two results, as Buildbot's `worst_status`. */
export function worstResult(a: BuildResult, b: BuildResult): BuildResult {
  return WORST_FIRST.indexOf(a) <= WORST_FIRST.indexOf(b) ? a : b;
}

/** The worst of many results; `fallback` when there are none. */
export function worstOf(results: Iterable<BuildResult>, fallback: BuildResult = "success"): BuildResult {
  let worst: BuildResult | undefined;
  for (const result of results) worst = worst === undefined ? result : worstResult(worst, result);
  return worst ?? fallback;
}

/** success and warnings are passing results; the CLI exits 0 on them. */
export function isPassing(result: BuildResult): boolean {
  return result === "success" || result === "warnings" || result === "skipped";
}
