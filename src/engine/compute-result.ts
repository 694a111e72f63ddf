/**
 * Buildbot's `computeResultAndTermination`: how one step's result changes the
 * build's result, and whether the build stops (only `alwaysRun` steps follow).
 */
import { worstResult, type BuildResult } from "./results.js";

/** The result-related flags of a step (Buildbot `ResultComputingConfigMixin`). */
export interface ResultFlags {
  haltOnFailure: boolean;
  flunkOnFailure: boolean;
  warnOnFailure: boolean;
  flunkOnWarnings: boolean;
  warnOnWarnings: boolean;
}

export function computeResultAndTermination(
  flags: ResultFlags,
  stepResult: BuildResult,
  previous: BuildResult,
): { result: BuildResult; terminate: boolean } {
  let contribution = stepResult;
  let terminate = false;
  if (stepResult === "failure") {
    if (!flags.flunkOnFailure) contribution = "success";
    if (flags.warnOnFailure) contribution = "warnings";
    if (flags.flunkOnFailure) contribution = "failure";
    if (flags.haltOnFailure) terminate = true;
  } else if (stepResult === "warnings") {
    contribution = flags.warnOnWarnings ? "warnings" : "success";
    if (flags.flunkOnWarnings) contribution = "failure";
  } else if (stepResult === "exception" || stepResult === "retry" || stepResult === "cancelled") {
    terminate = true;
  }
  return { result: worstResult(previous, contribution), terminate };
}
