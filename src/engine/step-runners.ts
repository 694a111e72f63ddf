/**
 * Step type → implementation, following the known-step catalog: types that
 * need a service of the installation run only when it is there, else fail
 * saying what to configure; aliases run as the type they alias; unknown types
 * are an error naming the known ones. The runners of the less common types
 * are imported by their first step: Upload alone (tar streams, the artifact
 * stores) cost ~30 ms of every `eve run` and worker start.
 */
import { getStepType, KNOWN_STEP_TYPES } from "../buildfile/step-catalog.js";
import { gitStep } from "./steps/git.js";
import { masterShellCommand } from "./steps/master-shell-command.js";
import { setBootstrapProperty, setBootstrapPropertyFromCommand } from "./steps/set-bootstrap-property.js";
import { setPropertyFromCommand } from "./steps/set-property-from-command.js";
import { setProperties, setProperty } from "./steps/set-property.js";
import { setWorkerDistro } from "./steps/set-worker-distro.js";
import { shellCommand } from "./steps/shell-command.js";
import { triggerStages } from "./steps/trigger-stages.js";
import { needing } from "./steps/unavailable-step.js";
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
  Upload: lazy(async () => (await import("./steps/upload.js")).upload),
  GetArtifactsFromStage: lazy(async () => (await import("./steps/get-artifacts-from-stage.js")).getArtifactsFromStage),
  SetWorkerDistro: setWorkerDistro,
  JUnitShellCommand: lazy(async () => (await import("./steps/junit-shell-command.js")).junitShellCommand),
  SetBootstrapProperty: setBootstrapProperty,
  SetBootstrapPropertyFromCommand: setBootstrapPropertyFromCommand,
  PublishCoverageReport: lazy(async () => (await import("./steps/publish-coverage-report.js")).publishCoverageReport),
  DockerBuild: lazy(async () => (await import("./steps/docker-build.js")).dockerBuild),
  DockerCheckLocalImage: lazy(async () => (await import("./steps/docker-image-steps.js")).dockerCheckLocalImage),
  DockerPull: lazy(async () => (await import("./steps/docker-image-steps.js")).dockerPull),
  DockerPush: lazy(async () => (await import("./steps/docker-image-steps.js")).dockerPush),
  DockerComputeImageFingerprint: lazy(async () => (await import("./steps/docker-image-steps.js")).dockerComputeImageFingerprint),
};

/** A runner imported when its first step runs. */
function lazy(load: () => Promise<StepRunner>): StepRunner {
  let loading: Promise<StepRunner> | undefined;
  return async (context) => {
    loading ??= load();
    return (await loading)(context);
  };
}

/** The implementation of a step type; throws StepConfigError for an unknown type. */
export function resolveStepRunner(type: string): StepRunner {
  const info = getStepType(type);
  if (!info) throw new StepConfigError(`unknown step type '${type}'; known step types: ${KNOWN_STEP_TYPES.join(", ")}`);
  const own = Object.hasOwn(RUNNERS, type) ? RUNNERS[type] : undefined;
  const alias = info.runsAs !== undefined && Object.hasOwn(RUNNERS, info.runsAs) ? RUNNERS[info.runsAs] : undefined;
  if (info.needs !== undefined) return needing(info.needs, own ?? alias);
  const runner = own ?? alias;
  if (!runner) throw new StepConfigError(`step type '${type}' has no implementation in this Eve`);
  return runner;
}
