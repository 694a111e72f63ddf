/**
 * The step services an installation configured by this environment offers,
 * for `eve lint` to warn, as the engine would fail, about step types that
 * cannot run here: the artifact store is always there (disk by default), the
 * Docker* steps with EVE_DOCKER_STEPS, PublishCoverageReport with EVE_CODECOV_URL.
 */
import type { StepNeed } from "../buildfile/step-catalog.js";
import type { EnvReader } from "./env-reader.js";

export function readAvailableNeeds(env: EnvReader): ReadonlySet<StepNeed> {
  const needs = new Set<StepNeed>(["artifacts"]);
  if (env.flag("EVE_DOCKER_STEPS", false)) needs.add("dockerSteps");
  if (env.read("EVE_CODECOV_URL") !== undefined) needs.add("coverage");
  return needs;
}
