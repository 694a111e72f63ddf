/**
 * Step type → implementation, following the known-step catalog: types that
 * need a service of the installation run only when it is there, else fail
 * saying what to configure; aliases run as the type they alias; unknown types
 * are an error naming the known ones.
 */
import { getStepType, KNOWN_STEP_TYPES } from "../buildfile/step-catalog.js";
import { getArtifactsFromStage } from "./steps/get-artifacts-from-stage.js";
import { gitStep } from "./steps/git.js";
import { dockerBuild } from "./steps/docker-build.js";
import { dockerCheckLocalImage, dockerComputeImageFingerprint, dockerPull, dockerPush } from "./steps/docker-image-steps.js";
import { publishCoverageReport } from "./steps/publish-coverage-report.js";
import { junitShellCommand } from "./steps/junit-shell-command.js";
import { masterShellCommand } from "./steps/master-shell-command.js";
import { setBootstrapProperty, setBootstrapPropertyFromCommand } from "./steps/set-bootstrap-property.js";
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
  SetBootstrapProperty: setBootstrapProperty,
  SetBootstrapPropertyFromCommand: setBootstrapPropertyFromCommand,
  PublishCoverageReport: publishCoverageReport,
  DockerBuild: dockerBuild,
  DockerCheckLocalImage: dockerCheckLocalImage,
  DockerPull: dockerPull,
  DockerPush: dockerPush,
  DockerComputeImageFingerprint: dockerComputeImageFingerprint,
};

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
