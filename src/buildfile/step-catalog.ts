/**
 * The step types Eve knows: what `eve lint` accepts and what the engine can
 * run. Eve resolved any Buildbot 2.7 step plus its own; we know the ones real
 * build files use. The parameters of each live in
 * `schemas/build-file.schema.json` (definitions/steps), checked against this
 * list by a test.
 */

/** What Eve knows about one step type. */
export interface StepTypeInfo {
  /** The engine runs this step type itself. */
  readonly supported: boolean;
  /**
   * A step type whose implementation can run this one (an alias, or a close
   * equivalent for a step not supported yet: JUnitShellCommand runs its command
   * without reading the reports).
   */
  readonly runsAs?: string;
  /** A service the operator must configure for this step type to run (see STEP_NEEDS). */
  readonly needs?: StepNeed;
  /** The step halts the stage when it fails, whatever `haltOnFailure` says (Eve's Upload). */
  readonly alwaysHalts?: true;
}

/** Services some step types need from the installation. */
export type StepNeed = "artifacts" | "dockerSteps" | "coverage";

/** What is missing, and how the operator enables it: one line in the step's log and in lint. */
export const STEP_NEEDS: Readonly<Record<StepNeed, string>> = {
  artifacts: "an artifact store, which this Eve process was started without (docs/artifacts.md)",
  dockerSteps: "the operator's Docker Engine for Docker* steps, which this Eve does not run yet",
  coverage: "a Codecov-compatible upload endpoint, which this Eve does not have yet",
};

export const STEP_TYPES = {
  ShellCommand: { supported: true },
  ShellCommandWithSecrets: { supported: true, runsAs: "ShellCommand" },
  SetProperty: { supported: true },
  SetProperties: { supported: true },
  SetPropertyFromCommand: { supported: true },
  EveProperty: { supported: true },
  EvePropertyFromCommand: { supported: true },
  Git: { supported: true },
  TriggerStages: { supported: true },
  MasterShellCommand: { supported: true },
  Upload: { supported: true, needs: "artifacts", alwaysHalts: true },
  GetArtifactsFromStage: { supported: true, needs: "artifacts" },
  JUnitShellCommand: { supported: false, runsAs: "ShellCommand" },
  PublishCoverageReport: { supported: false, needs: "coverage" },
  SetBootstrapProperty: { supported: false, runsAs: "SetProperty" },
  SetBootstrapPropertyFromCommand: { supported: false, runsAs: "SetPropertyFromCommand" },
  DockerBuild: { supported: false, needs: "dockerSteps" },
  DockerCheckLocalImage: { supported: false, needs: "dockerSteps" },
  DockerPull: { supported: false, needs: "dockerSteps" },
  DockerComputeImageFingerprint: { supported: false, needs: "dockerSteps" },
  DockerPush: { supported: false, needs: "dockerSteps" },
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
