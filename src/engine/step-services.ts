/**
 * The services of the installation that some step types need (reference
 * §1.6): each is present only when the operator configured it. A step type
 * whose service is absent ends `failure` saying what to configure.
 */
import type { StepNeed } from "../buildfile/step-catalog.js";

/** Filled as the step types that need a service land (issue 13). */
export type StepServices = Record<never, never>;

/** The needs `services` satisfy. */
export function availableNeeds(_services: StepServices | undefined): ReadonlySet<StepNeed> {
  return new Set();
}
