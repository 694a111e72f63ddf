/**
 * The services of the installation that some step types need (reference
 * §1.6): each is present only when the operator configured it. A step type
 * whose service is absent ends `failure` saying what to configure.
 */
import type { StepNeed } from "../buildfile/step-catalog.js";
import type { DockerStepsAccess } from "../provisioners/docker/docker-steps-access.js";
import type { ArtifactsAccess } from "./artifacts-access.js";

/** Filled as the step types that need a service land (issue 13). */
export interface StepServices {
  /** The artifact store, for `Upload` and `GetArtifactsFromStage`. */
  artifacts?: ArtifactsAccess;
  /** The operator's Docker Engine, for the Docker* steps (EVE_DOCKER_STEPS). */
  docker?: DockerStepsAccess;
  /** A Codecov-compatible endpoint, for `PublishCoverageReport` (EVE_CODECOV_URL). */
  coverage?: CoverageEndpoint;
}

export interface CoverageEndpoint {
  /** Base URL, without a trailing slash (Eve's CODECOV_IO_BASE_URL). */
  url: string;
}

/** The needs `services` satisfy. */
export function availableNeeds(services: StepServices | undefined): ReadonlySet<StepNeed> {
  const needs = new Set<StepNeed>();
  if (services?.artifacts !== undefined) needs.add("artifacts");
  if (services?.docker !== undefined) needs.add("dockerSteps");
  if (services?.coverage !== undefined) needs.add("coverage");
  return needs;
}
