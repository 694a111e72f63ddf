/**
 * The step types Eve knows: what `eve lint` accepts and what the engine can
 * run. Eve resolved any Buildbot 2.7 step plus its own; we know the ones real
 * build files use. The parameters of each live in
 * `schemas/build-file.schema.json` (definitions/steps), checked against this
 * list by a test. What lint, the engine and the queue know about a particular
 * step type (its default name, the checkout it needs, the stages it
 * triggers, its paths) is said here, with the type; its implementation is
 * src/engine/steps/<step>.ts.
 */
import { pythonStr } from "./python-values.js";

/** A step's parameters as written. */
type StepParams = Readonly<Record<string, unknown>>;

/** What Eve knows about one step type. */
export interface StepTypeInfo {
  /** The engine runs this step type itself. */
  readonly supported: boolean;
  /**
   * A step type whose implementation can run this one (an alias, or a close
   * equivalent).
   */
  readonly runsAs?: string;
  /** A service the operator must configure for this step type to run (see STEP_NEEDS). */
  readonly needs?: StepNeed;
  /** The step halts the stage when it fails, whatever `haltOnFailure` says (Eve's Upload). */
  readonly alwaysHalts?: true;
  /**
   * The name of an unnamed step: the `name` class attribute of the step in
   * Buildbot 2.7 (master/buildbot/steps/*.py) or Eve (eve/steps/*.py), or how
   * Eve made it from the parameters; default: the type itself.
   */
  readonly defaultName?: string | ((params: StepParams) => string);
  /** The step reads the repository's files on the Eve host: its stage fetches a checkout first. */
  readonly needsCheckout?: true;
  /** Parameters naming a path in the worker (lint warns when a relative one climbs out of the builder directory); `workdir` and `logfiles` are every step's. */
  readonly workerPaths?: readonly string[];
  /** The parameter listing the stages the step triggers: lint checks each exists and that no stages trigger each other in a cycle. */
  readonly triggers?: string;
  /** Its `timeout` and `maxTime` may exceed Eve's maximum step duration without a warning (Eve's Upload is not bounded by it). */
  readonly unboundedDuration?: true;
  /** The step writes properties onto the build's top stage (its build needs a bootstrap channel: redis-bootstrap-channel.ts). */
  readonly writesBootstrap?: true;
}

/** Eve's Docker* steps are named after what they work on: `[label] build`, cut to 49 characters as Eve did. */
const labelled = (action: string) => (params: StepParams): string => `[${pythonStr(params.label ?? "")}] ${action}`.slice(0, 49);

/** Services some step types need from the installation. */
export type StepNeed = "artifacts" | "dockerSteps" | "coverage";

/** What is missing, and how the operator enables it: one line in the step's log and in lint. */
export const STEP_NEEDS: Readonly<Record<StepNeed, string>> = {
  artifacts: "an artifact store, which this Eve process was started without (docs/artifacts.md)",
  dockerSteps: "the operator's Docker Engine for Docker* steps, which the operator enables with EVE_DOCKER_STEPS=on (never for pull requests from forks)",
  coverage: "a Codecov-compatible upload endpoint, which the operator sets with EVE_CODECOV_URL (the repository's upload token in the secret codecov_token)",
};

export const STEP_TYPES = {
  ShellCommand: { supported: true, defaultName: "shell" },
  ShellCommandWithSecrets: { supported: true, runsAs: "ShellCommand", defaultName: "shell" },
  SetProperty: { supported: true },
  SetProperties: { supported: true },
  SetPropertyFromCommand: { supported: true, defaultName: "setproperty" },
  EveProperty: { supported: true, defaultName: "SetProperty" },
  EvePropertyFromCommand: { supported: true, defaultName: "setproperty" },
  // Clones from the Eve host's checkout (`git_reference`), which needs no credentials in the worker.
  Git: { supported: true, defaultName: "git", needsCheckout: true },
  TriggerStages: { supported: true, defaultName: "trigger", triggers: "stage_names" },
  // Runs its command in the checkout on the Eve host.
  MasterShellCommand: { supported: true, needsCheckout: true },
  Upload: { supported: true, needs: "artifacts", alwaysHalts: true, defaultName: "send artifacts to artifact repository", workerPaths: ["source"], unboundedDuration: true },
  GetArtifactsFromStage: { supported: true, needs: "artifacts", defaultName: (params) => `get artifacts name from stage: ${pythonStr(params.stage ?? "")}` },
  SetWorkerDistro: { supported: true },
  JUnitShellCommand: { supported: true, defaultName: "junit_shell" },
  PublishCoverageReport: { supported: true, needs: "coverage", defaultName: "publish code coverage report" },
  SetBootstrapProperty: { supported: true, writesBootstrap: true },
  SetBootstrapPropertyFromCommand: { supported: true, writesBootstrap: true },
  DockerBuild: { supported: true, needs: "dockerSteps", needsCheckout: true, defaultName: labelled("build") },
  DockerCheckLocalImage: { supported: true, needs: "dockerSteps", defaultName: labelled("look up") },
  DockerPull: { supported: true, needs: "dockerSteps", defaultName: labelled("pull") },
  DockerComputeImageFingerprint: { supported: true, needs: "dockerSteps", needsCheckout: true, defaultName: labelled("fingerprint") },
  DockerPush: { supported: true, needs: "dockerSteps", defaultName: labelled("push") },
} as const satisfies Record<string, StepTypeInfo>;

export type StepTypeName = keyof typeof STEP_TYPES;

/** Every known step type, in catalog order (for messages). */
export const KNOWN_STEP_TYPES = Object.keys(STEP_TYPES) as StepTypeName[];

/** True when `name` is a step type Eve knows (own keys only: "toString" is not a step). */
export function isKnownStepType(name: string): name is StepTypeName {
  return Object.hasOwn(STEP_TYPES, name);
}

/** The catalog entry of a step type, or undefined when Eve does not know it. */
export function getStepType(name: string): StepTypeInfo | undefined {
  return isKnownStepType(name) ? STEP_TYPES[name] : undefined;
}

/**
 * The line that says why a step type cannot run on an installation that lacks
 * `available` services, or undefined when it can. The engine ends such a step
 * `failure` with it; lint warns with it.
 */
export function unavailableReason(type: string, available: ReadonlySet<StepNeed>): string | undefined {
  const need = getStepType(type)?.needs;
  if (need === undefined || available.has(need)) return undefined;
  return `${type} cannot run on this Eve: it needs ${STEP_NEEDS[need]}`;
}
