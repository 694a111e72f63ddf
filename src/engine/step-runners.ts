/**
 * Step type → implementation, following the known-step catalog: supported
 * types run; types that need a service of the installation run only when it
 * is there, else fail saying what to configure; types this Eve only
 * approximates run as their close equivalent and warn; unknown types are an
 * error naming the known ones.
 */
import { getStepType, KNOWN_STEP_TYPES } from "../buildfile/step-catalog.js";
import { getArtifactsFromStage } from "./steps/get-artifacts-from-stage.js";
import { gitStep } from "./steps/git.js";
import { junitShellCommand } from "./steps/junit-shell-command.js";
import { masterShellCommand } from "./steps/master-shell-command.js";
import { setPropertyFromCommand } from "./steps/set-property-from-command.js";
import { setProperties, setProperty } from "./steps/set-property.js";
import { setWorkerDistro } from "./steps/set-worker-distro.js";
import { shellCommand } from "./steps/shell-command.js";
import { triggerStages } from "./steps/trigger-stages.js";
import { needing } from "./steps/unavailable-step.js";
import { upload } from "./steps/upload.js";
import type { StepRunner } from "./step-context.js";
import { StepConfigError } from "./step-options.js";

const RUNNERS: Record<string, StepRunner> = {
  ShellCommand: shellCommand,
  SetProperty: setProperty,
  EveProperty: setProperty,
  SetProperties: setProperties,
  SetPropertyFromCommand: setPropertyFromCommand,
  EvePropertyFromCommand: setPropertyFromCommand,
  Git: gitStep,
  TriggerStages: triggerStages,
  MasterShellCommand: masterShellCommand,
  Upload: upload,
  GetArtifactsFromStage: getArtifactsFromStage,
  SetWorkerDistro: setWorkerDistro,
  JUnitShellCommand: junitShellCommand,
};

export interface ResolvedStep {
  runner: StepRunner;
  /** False for step types this Eve only approximates: their warnings count in the stage result. */
  supported: boolean;
}

/** The implementation of a step type; throws StepConfigError for an unknown type. */
export function resolveStepRunner(type: string): ResolvedStep {
  const info = getStepType(type);
  if (!info) throw new StepConfigError(`unknown step type '${type}'; known step types: ${KNOWN_STEP_TYPES.join(", ")}`);
  const own = Object.hasOwn(RUNNERS, type) ? RUNNERS[type] : undefined;
  const alias = info.runsAs !== undefined && Object.hasOwn(RUNNERS, info.runsAs) ? RUNNERS[info.runsAs] : undefined;
  if (info.needs !== undefined) return { runner: needing(info.needs, own ?? alias), supported: true };
  if (info.supported) {
    const runner = own ?? alias;
    if (runner) return { runner, supported: true };
  }
  if (alias) return { runner: approximately(type, info.runsAs ?? "", alias), supported: false };
  throw new StepConfigError(`step type '${type}' has no implementation in this Eve`);
}

/** Runs a step as its close equivalent; a success becomes warnings, since part of the step was not done. */
function approximately(type: string, runsAs: string, runner: StepRunner): StepRunner {
  return async (context) => {
    const run = await runner(context);
    if (run.result !== "success") return run;
    const summary = `${type} is not yet fully supported by this Eve: ran as ${runsAs}`;
    context.log(summary);
    return { ...run, result: "warnings", summary };
  };
}
