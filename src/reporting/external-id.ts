import type { StageIdentity } from "../engine/types.js";

/**
 * A check run's `external_id`: `<build>/<attempt>/<run>/<stage>`. The stage
 * comes last because its name may hold a slash; build and run ids do not.
 */
export function formatExternalId(stage: StageIdentity): string {
  return `${stage.build}/${stage.attempt}/${stage.run}/${stage.stage}`;
}

/** The stage run an `external_id` names (from a check_run webhook), or undefined when Eve did not write it. */
export function parseExternalId(externalId: string | null | undefined): StageIdentity | undefined {
  const match = /^([^/]+)\/(\d+)\/([^/]+)\/(.+)$/s.exec(externalId ?? "");
  if (!match) return undefined;
  const [, build, attempt, run, stage] = match as unknown as [string, string, string, string, string];
  return { build, attempt: Number(attempt), run, stage };
}
