/**
 * Step types that need a service this installation lacks (an artifacts store,
 * the Docker Engine for Docker* steps, a coverage endpoint): the step ends
 * `failure` with one line saying what is missing and how the operator enables
 * it. Never a silent pass: a `warnings` step shows green on GitHub.
 */
import { unavailableReason, type StepNeed } from "../../buildfile/step-catalog.js";
import { availableNeeds } from "../step-services.js";
import type { StepContext, StepRun, StepRunner } from "../step-context.js";

/** Runs `runner` only when the installation provides `need`. */
export function needing(need: StepNeed, runner: StepRunner | undefined): StepRunner {
  return async (context: StepContext): Promise<StepRun> => {
    const reason = unavailableReason(context.type, availableNeeds(context.run.services));
    if (reason !== undefined || runner === undefined) {
      const summary = reason ?? `${context.type} cannot run on this Eve: it needs ${need}, which this version does not implement`;
      context.log(summary);
      return { result: "failure", exitCode: null, summary };
    }
    return runner(context);
  };
}
